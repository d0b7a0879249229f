import { useQuery } from '@tanstack/react-query';
import { ShieldAlert } from 'lucide-react';
import { Link } from 'react-router';
import { useTRPC } from '../../lib/trpc';

/** Whether the person has two-factor on (null while unknown): approvals that need a code ask first. */
export function useTwoFactorOn(enabled: boolean): boolean | null {
  const trpc = useTRPC();
  const status = useQuery({ ...trpc.security.twoFactorStatus.queryOptions(), enabled });
  return status.data ? status.data.enabled : null;
}

/** The Security page, told where to send the person back once two-factor is on. */
export const securityPathReturningTo = (returnTo: string) => `/security?then=${encodeURIComponent(returnTo)}`;

/**
 * In place of a code field the person cannot fill: why a code is needed, and the way to get one that
 * comes back to this approval (no dead end).
 */
export function TwoFactorNeeded(props: { returnTo: string }) {
  return (
    <div className="two-factor-needed" role="note" data-testid="two-factor-needed">
      <p>
        <ShieldAlert size={18} aria-hidden="true" /> <strong>This needs a code from an authenticator app, and two-factor is not on yet.</strong>
      </p>
      <p className="muted">
        Large and over-budget spends ask for a code so that nobody who learns your password can approve them. Turn two-factor on (about a minute,
        with an app like Google Authenticator), then come straight back here to approve. The prices are held meanwhile.
      </p>
      <Link className="button primary thumb" to={securityPathReturningTo(props.returnTo)}>
        Turn on two-factor
      </Link>
    </div>
  );
}
