import type { ReactNode } from 'react';

/** A page whose feature has not shipped yet says so plainly instead of showing fake data. */
export function PlaceholderPage(props: { title: string; summary: string; children?: ReactNode }) {
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{props.title}</h1>
        <p className="page-summary">{props.summary}</p>
      </header>
      <div className="card notice" data-testid="not-yet-available">
        <strong>Not available yet.</strong> This part of Steward is being built; nothing here moves money.
        {props.children}
      </div>
    </section>
  );
}
