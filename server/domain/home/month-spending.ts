// The month's spending for the Home dashboard's charts: paid purchases (price + routing fee) added up
// per day of the person's month (in their time zone, every day present) and per service, largest first.
import { msat, type Msat } from '../../../shared/money';
import type { PaidPurchaseRow } from '../../db/repositories/home-repository';
import type { BudgetPeriod } from '../governance';

/** One paid purchase as the repository reads it (price and routing fee in msat, when it was paid). */
export type PaidPurchase = PaidPurchaseRow;

export interface MonthSpending {
  periodKey: string;
  totalMsat: Msat;
  /** One entry per day of the month, 'YYYY-MM-DD' in the person's zone, zero where nothing was paid. */
  byDay: { day: string; spentMsat: Msat }[];
  byService: { serviceId: string; service: string; providerId: string; spentMsat: Msat; payments: number }[];
}

/** 'YYYY-MM-DD' of an instant on the person's wall clock. */
export function localDay(instantMs: number, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instantMs);
}

function daysOf(periodKey: string): string[] {
  const [year, month] = periodKey.split('-').map(Number) as [number, number];
  const count = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return Array.from({ length: count }, (_, i) => `${periodKey}-${String(i + 1).padStart(2, '0')}`);
}

/** Purchases outside the period are ignored, so a caller may hand over a slightly wider window. */
export function monthSpending(purchases: readonly PaidPurchase[], period: BudgetPeriod, timeZone: string): MonthSpending {
  const startMs = period.startsAt.getTime();
  const endMs = period.endsAt.getTime();
  const perDay = new Map(daysOf(period.periodKey).map((day) => [day, 0]));
  const perService = new Map<string, MonthSpending['byService'][number] & { sum: number }>();
  let total = 0;
  for (const p of purchases) {
    if (p.paidAtMs < startMs || p.paidAtMs >= endMs) continue;
    const spent = p.amountMsat + p.feeMsat;
    total += spent;
    const day = localDay(p.paidAtMs, timeZone);
    perDay.set(day, (perDay.get(day) ?? 0) + spent);
    const entry = perService.get(p.serviceId) ?? { serviceId: p.serviceId, service: p.service, providerId: p.providerId, spentMsat: msat(0), payments: 0, sum: 0 };
    entry.sum += spent;
    entry.payments += 1;
    perService.set(p.serviceId, entry);
  }
  const byService = [...perService.values()]
    .map(({ sum, ...entry }) => ({ ...entry, spentMsat: msat(sum) }))
    .sort((a, b) => b.spentMsat - a.spentMsat || a.service.localeCompare(b.service));
  return {
    periodKey: period.periodKey,
    totalMsat: msat(total),
    byDay: [...perDay].map(([day, spent]) => ({ day, spentMsat: msat(spent) })),
    byService,
  };
}
