import { describe, expect, it } from 'vitest';
import { periodFor } from '../governance';
import { localDay, monthSpending, type PaidPurchase } from './month-spending';

const ZONE = 'America/New_York';
const FEBRUARY = periodFor(new Date(Date.UTC(2026, 1, 10)), ZONE);
const paid = (iso: string, serviceId: string, amountMsat: number, feeMsat = 0): PaidPurchase => ({
  serviceId,
  service: serviceId.split('/')[1] ?? serviceId,
  providerId: serviceId.split('/')[0] ?? serviceId,
  amountMsat,
  feeMsat,
  paidAtMs: Date.parse(iso),
});

describe('the month by day and by service', () => {
  it('has every day of the month, zero where nothing was paid', () => {
    const month = monthSpending([], FEBRUARY, ZONE);
    expect(month.byDay).toHaveLength(28);
    expect(month.byDay[0]).toEqual({ day: '2026-02-01', spentMsat: 0 });
    expect(month.byDay.at(-1)?.day).toBe('2026-02-28');
    expect(month.totalMsat).toBe(0);
    expect(month.byService).toEqual([]);
  });

  it("puts a payment on the person's own day, not the UTC one, and leaves other months out", () => {
    const month = monthSpending(
      [
        // 03:00 UTC on 1 March is still 28 February in New York.
        paid('2026-03-01T03:00:00Z', 'jokes/joke', 2_000),
        // 04:00 UTC on 1 February is 31 January in New York: last month.
        paid('2026-02-01T04:00:00Z', 'jokes/joke', 9_000),
        // 06:00 UTC on 1 March is 1 March in New York: next month.
        paid('2026-03-01T06:00:00Z', 'jokes/joke', 9_000),
      ],
      FEBRUARY,
      ZONE,
    );
    expect(month.byDay.find((d) => d.day === '2026-02-28')?.spentMsat).toBe(2_000);
    expect(month.totalMsat).toBe(2_000);
    expect(localDay(Date.parse('2026-03-01T03:00:00Z'), ZONE)).toBe('2026-02-28');
  });

  it('adds the routing fee to the price and ranks services by what they cost', () => {
    const month = monthSpending(
      [
        paid('2026-02-03T15:00:00Z', 'jokes/joke', 1_000, 10),
        paid('2026-02-03T16:00:00Z', 'skycast/weather', 5_000, 50),
        paid('2026-02-04T16:00:00Z', 'jokes/joke', 1_000, 10),
      ],
      FEBRUARY,
      ZONE,
    );
    expect(month.totalMsat).toBe(7_070);
    expect(month.byDay.find((d) => d.day === '2026-02-03')?.spentMsat).toBe(6_060);
    expect(month.byService.map((s) => [s.serviceId, s.spentMsat, s.payments])).toEqual([
      ['skycast/weather', 5_050, 1],
      ['jokes/joke', 2_020, 2],
    ]);
  });
});
