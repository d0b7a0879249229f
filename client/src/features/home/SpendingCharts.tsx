// Loaded only with the Home dashboard (React.lazy): recharts stays out of every other page's code.
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../../../server/api/router';
import { formatSats, formatUsd, msatToSatCeil, msatToUsdCentsRoundHalfUp, sat, satToMsat, type Msat } from '../../../../shared/money';

type MonthSpending = inferRouterOutputs<AppRouter>['home']['monthSpending'];

/**
 * Bars and axes in whole sats, rounded up so that no paid day or service draws as nothing; the tooltip
 * and the list beside the chart give the exact amounts. Every label goes through the shared money helpers.
 */
const axisLabel = (value: unknown) => formatSats(satToMsat(sat(Math.round(Number(value)))));
interface Bar {
  sats: number;
  spentMsat: Msat;
}

export function SpendingCharts(props: { month: MonthSpending }) {
  const { month } = props;
  const tooltip = (_value: unknown, _name: unknown, item: { payload?: Bar }) => {
    const spent = item.payload?.spentMsat;
    return spent === undefined ? '' : `${formatSats(spent)} (${formatUsd(msatToUsdCentsRoundHalfUp(spent, month.rate))})`;
  };
  const days = month.byDay.map((d) => ({ day: Number(d.day.slice(8)), date: d.day, sats: msatToSatCeil(d.spentMsat), spentMsat: d.spentMsat }));
  const services = month.byService.slice(0, 6).map((s) => ({ name: s.service, sats: msatToSatCeil(s.spentMsat), spentMsat: s.spentMsat }));
  return (
    <div className="spending-charts">
      <figure className="chart" data-testid="spend-by-day" aria-labelledby="by-day-caption">
        <figcaption id="by-day-caption">By day</figcaption>
        <ResponsiveContainer width="100%" height={200}>
          <BarChart data={days} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid vertical={false} className="chart-grid" />
            <XAxis dataKey="day" tickLine={false} interval="preserveStartEnd" minTickGap={12} />
            <YAxis tickFormatter={axisLabel} width={84} allowDecimals={false} />
            <Tooltip formatter={tooltip} labelFormatter={(_, payload) => String(payload?.[0]?.payload?.date ?? '')} />
            <Bar dataKey="sats" name="Spent" className="chart-bar" isAnimationActive={false} />
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
              <XAxis type="number" tickFormatter={axisLabel} allowDecimals={false} />
              <YAxis type="category" dataKey="name" width={96} tickLine={false} />
              <Tooltip formatter={tooltip} />
              <Bar dataKey="sats" name="Spent" className="chart-bar service" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        )}
        {/* The figures themselves, for screen readers and anyone who prefers numbers. */}
        <ul className="visually-hidden">
          {month.byService.map((s) => (
            <li key={s.serviceId}>
              {s.service}: {formatSats(s.spentMsat)} in {s.payments} payment{s.payments === 1 ? '' : 's'}
            </li>
          ))}
        </ul>
      </figure>
    </div>
  );
}
