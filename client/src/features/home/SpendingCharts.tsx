// Loaded only with the Home dashboard (React.lazy): recharts stays out of every other page's code.
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../../../server/api/router';
import { signedMsat, type Msat } from '../../../../shared/money';
import { formatCharge, formatSatsWhole } from '../../../../shared/money-display';

type MonthSpending = inferRouterOutputs<AppRouter>['home']['monthSpending'];

/** Bars are exact msat; the axis marks whole sats only (a step of 1, 2 or 5 × 10^n sats, at most five steps). */
export function wholeSatTicks(maxMsat: number): number[] {
  const topSats = Math.max(1, Math.ceil(maxMsat / 1000));
  const magnitude = 10 ** Math.floor(Math.log10(topSats / 5));
  const step = [1, 2, 5].map((m) => m * magnitude).find((s) => topSats / s <= 5) ?? 10 * magnitude;
  const stepSats = Math.max(1, step);
  const count = Math.ceil(topSats / stepSats);
  return Array.from({ length: count + 1 }, (_, i) => i * stepSats * 1000);
}
const axisLabel = (value: unknown) => formatSatsWhole(signedMsat(Number(value)), 'charge');
interface Bar {
  spentMsat: Msat;
}

export function SpendingCharts(props: { month: MonthSpending }) {
  const { month } = props;
  const tooltip = (_value: unknown, _name: unknown, item: { payload?: Bar }) => {
    const spent = item.payload?.spentMsat;
    return spent === undefined ? '' : formatCharge(spent, month.rate);
  };
  const days = month.byDay.map((d) => ({ day: Number(d.day.slice(8)), date: d.day, spentMsat: d.spentMsat }));
  const services = month.byService.slice(0, 6).map((s) => ({ name: s.service, spentMsat: s.spentMsat }));
  const dayTicks = wholeSatTicks(Math.max(0, ...days.map((d) => d.spentMsat)));
  const serviceTicks = wholeSatTicks(Math.max(0, ...services.map((s) => s.spentMsat)));
  return (
    <div className="spending-charts">
      <figure className="chart" data-testid="spend-by-day" aria-labelledby="by-day-caption">
        <figcaption id="by-day-caption">By day</figcaption>
        <ResponsiveContainer width="100%" height={200}>
          <BarChart data={days} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid vertical={false} className="chart-grid" />
            <XAxis dataKey="day" tickLine={false} interval="preserveStartEnd" minTickGap={12} />
            <YAxis tickFormatter={axisLabel} width={84} ticks={dayTicks} domain={[0, dayTicks.at(-1) ?? 1000]} />
            <Tooltip formatter={tooltip} labelFormatter={(_, payload) => String(payload?.[0]?.payload?.date ?? '')} />
            <Bar dataKey="spentMsat" name="Spent" className="chart-bar" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </figure>
      <figure className="chart" data-testid="spend-by-service" aria-labelledby="by-service-caption">
        <figcaption id="by-service-caption">By service</figcaption>
        {services.length === 0 ? (
          <p className="muted">Nothing paid this month yet.</p>
        ) : (
          <ResponsiveContainer width="100%" height={Math.max(90, services.length * 44 + 30)}>
            <BarChart data={services} layout="vertical" margin={{ top: 0, right: 8, bottom: 0, left: 0 }}>
              <XAxis type="number" tickFormatter={axisLabel} ticks={serviceTicks} domain={[0, serviceTicks.at(-1) ?? 1000]} />
              <YAxis type="category" dataKey="name" width={96} tickLine={false} />
              <Tooltip formatter={tooltip} />
              <Bar dataKey="spentMsat" name="Spent" className="chart-bar service" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        )}
        {/* The figures themselves, for screen readers and anyone who prefers numbers. */}
        <ul className="visually-hidden">
          {month.byService.map((s) => (
            <li key={s.serviceId}>
              {s.service}: {formatSatsWhole(s.spentMsat, 'charge')} in {s.payments} payment{s.payments === 1 ? '' : 's'}
            </li>
          ))}
        </ul>
      </figure>
    </div>
  );
}
