import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTRPC } from '../../lib/trpc';

/** The frame of the signed-out pages: brand, sandbox badge, one centred card. */
export function AuthShell(props: { title: string; summary: string; children: ReactNode; footer: ReactNode }) {
  const trpc = useTRPC();
  const info = useQuery(trpc.system.info.queryOptions());
  return (
    <div className="auth-shell">
      <header className="auth-brand">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true">
            S
          </span>
          Steward
        </span>
        {info.data && (
          <span className={`mode-badge mode-${info.data.mode}`} data-testid="mode-badge">
            {info.data.mode === 'sandbox' ? 'Sandbox · no real money' : 'Live'}
          </span>
        )}
      </header>
      <main className="auth-card card" aria-labelledby="auth-title">
        <h1 id="auth-title">{props.title}</h1>
        <p className="page-summary">{props.summary}</p>
        {props.children}
        <p className="auth-footer">{props.footer}</p>
      </main>
    </div>
  );
}
