/**
 * The hosted checkout page: plain server-rendered HTML, no scripts, styles from a same-origin file.
 */
import type { CheckoutSession, LineItem } from './objects';

export const CHECKOUT_CSS = `
body { font-family: system-ui, sans-serif; background: #f6f9fc; color: #1a1f36; margin: 0; }
main { max-width: 28rem; margin: 3rem auto; background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 2px 8px rgba(0,0,0,.08); }
.note { background: #fff8e1; border: 1px solid #f5c518; padding: .6rem .8rem; border-radius: 6px; font-size: .9rem; }
.error { background: #fdecea; border: 1px solid #e25950; padding: .6rem .8rem; border-radius: 6px; }
.total { font-size: 1.6rem; font-weight: 600; margin: .3rem 0 1rem; }
ul { padding-left: 1.1rem; }
label { display: block; margin-top: .8rem; font-size: .9rem; }
input { width: 100%; box-sizing: border-box; padding: .55rem; border: 1px solid #cfd7df; border-radius: 6px; font-size: 1rem; }
.row { display: flex; gap: .8rem; } .row label { flex: 1; }
button { margin-top: 1.2rem; width: 100%; padding: .75rem; background: #635bff; color: #fff; border: 0; border-radius: 6px; font-size: 1rem; cursor: pointer; }
a { color: #635bff; }
`;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export function formatAmount(amountMinor: number, currency: string): string {
  // Zero-decimal currencies (JPY, KRW, ...) would need a table; the app charges in USD/EUR-style units.
  return `${(amountMinor / 100).toFixed(2)} ${currency.toUpperCase()}`;
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/checkout/assets/checkout.css">
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export interface FormValues {
  name?: string;
  email?: string;
  expiry?: string;
}

export function renderCheckoutPage(session: CheckoutSession, items: LineItem[], opts: { error?: string; values?: FormValues } = {}): string {
  const values = opts.values ?? {};
  const list = items
    .map((item) => `<li>${escapeHtml(item.description)} &times; ${item.quantity}: ${escapeHtml(formatAmount(item.amount_total, item.currency))}</li>`)
    .join('\n');
  const cancel = session.cancel_url ? `<p><a href="/checkout/${escapeHtml(session.id)}/cancel">Cancel and return</a></p>` : '';
  return layout(
    'Checkout - Stripe sandbox',
    `<p class="note" data-testid="sandbox-note"><strong>Stripe sandbox — test cards only.</strong>
Use 4242 4242 4242 4242 to pay, 4000 0000 0000 0002 for a decline; any future expiry and any CVC.</p>
<h1>Pay</h1>
<p class="total" data-testid="amount">${escapeHtml(formatAmount(session.amount_total, session.currency))}</p>
<ul>${list}</ul>
${opts.error ? `<p class="error" role="alert" data-testid="card-error">${escapeHtml(opts.error)}</p>` : ''}
<form method="post" action="/checkout/${escapeHtml(session.id)}">
<label>Email<input name="email" type="email" autocomplete="email" value="${escapeHtml(values.email ?? session.customer_email ?? '')}"></label>
<label>Card number<input name="card_number" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required></label>
<div class="row">
<label>Expiry (MM/YY)<input name="expiry" autocomplete="cc-exp" placeholder="12/34" value="${escapeHtml(values.expiry ?? '')}" required></label>
<label>CVC<input name="cvc" inputmode="numeric" autocomplete="cc-csc" placeholder="123" required></label>
</div>
<label>Name on card<input name="name" autocomplete="cc-name" value="${escapeHtml(values.name ?? '')}" required></label>
<button type="submit">Pay ${escapeHtml(formatAmount(session.amount_total, session.currency))}</button>
</form>
${cancel}`,
  );
}

export function renderClosedPage(session: CheckoutSession): string {
  const message = session.status === 'complete' ? 'This checkout session has already been paid.' : 'This checkout session has expired.';
  return layout('Checkout - Stripe sandbox', `<p class="note"><strong>Stripe sandbox — test cards only.</strong></p><h1>${escapeHtml(message)}</h1>`);
}
