/**
 * The movements as CSV (RFC 4180) for a spreadsheet or an accountant: one header row, one row per
 * movement, newest first, CRLF line ends. Amounts are in sats with three decimals (exact msat), so a
 * column sums to the ledger's figure. Text cells are quoted when they hold a comma, quote or line
 * break, and a cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is made text first.
 */
import type { WalletMovement } from './wallet-overview';

const HEADER = ['date_utc', 'kind', 'status', 'amount_sat', 'fee_sat', 'provider', 'service', 'note', 'id'];

/** msat as sats with exactly three decimals, sign kept: -10010 -> "-10.010". */
export function satsText(amountMsat: number): string {
  const sign = amountMsat < 0 ? '-' : '';
  const abs = Math.abs(amountMsat);
  return `${sign}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}`;
}

/** One text cell: formula-looking text is prefixed with ' and anything special is quoted. */
export function csvText(value: string | null): string {
  const text = value ?? '';
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function movementsCsv(movements: readonly WalletMovement[]): string {
  const rows = movements.map((m) =>
    [
      new Date(m.atMs).toISOString(),
      m.kind,
      m.status,
      satsText(m.amountMsat),
      satsText(m.feeMsat),
      csvText(m.providerId),
      csvText(m.service ?? m.serviceId),
      csvText(m.note),
      String(m.id),
    ].join(','),
  );
  return [HEADER.join(','), ...rows].join('\r\n') + '\r\n';
}
