import { formatUsd, type BtcUsdRate, type Msat, type UsdCents } from '../../../shared/money';
import { formatCharge, formatSatsWhole } from '../../../shared/money-display';
import './governance.css';

export interface BudgetGaugeProps {
  usedMsat: Msat;
  /** The rate the figures were worked out at: spent reads as every other charge does ("less than 1 cent (3 sats)"). */
  rate: BtcUsdRate;
  /** Null: no monthly limit. */
  limitMsat: Msat | null;
  limitUsdCents: UsdCents | null;
  percentUsed: number | null;
  thresholdsPercent: readonly number[];
  periodLabel: string;
}

/**
 * This month's spending against the limit, with each alert threshold marked on the bar. An SVG (not
 * inline styles, which the Content-Security-Policy forbids); the bar is also a `meter` for screen readers.
 */
export function BudgetGauge(props: BudgetGaugeProps) {
  // Spent counts as a charge (rounded up); the limit as a holding (rounded down): the gauge never flatters.
  const used = formatCharge(props.usedMsat, props.rate);
  if (props.limitMsat === null || props.percentUsed === null || props.limitUsdCents === null) {
    return (
      <div className="gauge" data-testid="budget-gauge">
        <div className="gauge-figures">
          <span className="gauge-used">{used}</span>
          <span className="muted">spent in {props.periodLabel}</span>
        </div>
        <p className="gauge-note">No monthly limit is set, so there is nothing to measure against. Every spend still passes your approval tiers.</p>
      </div>
    );
  }
  const percent = props.percentUsed;
  const fill = Math.min(percent, 100);
  const level = percent >= 100 ? 'over' : percent >= (props.thresholdsPercent.at(-2) ?? 80) ? 'warn' : '';
  return (
    <div className="gauge" data-testid="budget-gauge">
      <div className="gauge-figures">
        <span className="gauge-used">
          {used} <span className="muted">of {formatUsd(props.limitUsdCents)} ({formatSatsWhole(props.limitMsat, 'holding')})</span>
        </span>
        <span className="muted" data-testid="gauge-percent">
          {percent}% used in {props.periodLabel}
        </span>
      </div>
      <svg
        role="meter"
        aria-label="Monthly budget used"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={fill}
        aria-valuetext={`${percent}% of your monthly budget used`}
      >
        {/* Percent units in the attributes scale the bar with the card without stretching the labels. */}
        <rect className="gauge-track" x="0" y="8" width="100%" height="14" rx="7" />
        {fill > 0 && <rect className={`gauge-fill ${level}`} x="0" y="8" width={`${fill}%`} height="14" rx="7" data-testid="gauge-fill" />}
        {props.thresholdsPercent.map((threshold) => (
          <g key={threshold} data-testid={`gauge-threshold-${threshold}`}>
            <line className="gauge-tick" x1={`${threshold}%`} x2={`${threshold}%`} y1="3" y2="27" />
            <text className="gauge-tick-label" x={`${threshold}%`} y="44" textAnchor={threshold >= 97 ? 'end' : threshold <= 3 ? 'start' : 'middle'}>
              {threshold}%
            </text>
          </g>
        ))}
      </svg>
      <p className="gauge-note">Marks show where you get an alert, once each month.</p>
    </div>
  );
}

/** "March 2026" for a period key "2026-03". */
function monthName(periodKey: string): string {
  const [year, month] = periodKey.split('-').map(Number);
  return new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, 15)).toLocaleDateString([], { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** What `budget.status` answers, as far as the gauge needs it. */
export interface BudgetStatusForGauge {
  summary: Pick<BudgetGaugeProps, 'usedMsat' | 'limitMsat' | 'limitUsdCents' | 'percentUsed'>;
  alertThresholdsPercent: readonly number[];
  periodKey: string;
  rate: BtcUsdRate;
}

/** The gauge for a `budget.status` answer (the Budget page and Home show the same one). */
export function BudgetStatusGauge(props: { status: BudgetStatusForGauge }) {
  const { summary, alertThresholdsPercent, periodKey, rate } = props.status;
  return (
    <BudgetGauge
      usedMsat={summary.usedMsat}
      rate={rate}
      limitMsat={summary.limitMsat}
      limitUsdCents={summary.limitUsdCents}
      percentUsed={summary.percentUsed}
      thresholdsPercent={alertThresholdsPercent}
      periodLabel={monthName(periodKey)}
    />
  );
}
