// Budget governance as a service over the database: the pure rules (period, budget, policy, alerts)
// applied to what the repository reads. Everything is synchronous, like the ledger it sits beside.
import {
  DEFAULT_GOVERNANCE_SETTINGS,
  type GovernanceAlert,
  type GovernanceSettings,
  type PolicyDecision,
  type SpendQuote,
} from '../../../shared/governance';
import { msat, type BtcUsdRate, type Msat } from '../../../shared/money';
import type { DatabaseHandle } from '../../db/client';
import { createGovernanceRepository } from '../../db/repositories/governance-repository';
import { createTopUpsRepository } from '../../db/repositories/topups-repository';
import { thresholdsCrossed } from './alerts';
import { limitToMsat, summarizeBudget, usedMsat, type BudgetSummary } from './budget';
import { budgetPrecondition, debtRefusal, reservationAttribution, type BudgetCheck } from './budget-precondition';
import { periodFor, type BudgetPeriod } from './period';
import { decide } from './policy';
import { createUsageTotals, type UsageBreakdown } from './usage-totals';

export interface GovernanceOptions {
  /** Milliseconds since the epoch; injected so tests control the month. */
  now: () => number;
}

export type Governance = ReturnType<typeof createGovernance>;

function bounds(period: BudgetPeriod) {
  return { periodKey: period.periodKey, startsAtMs: period.startsAt.getTime(), endsAtMs: period.endsAt.getTime() };
}

export function createGovernance(handle: Pick<DatabaseHandle, 'db' | 'sqlite'>, options: GovernanceOptions) {
  const repository = createGovernanceRepository(handle);
  const totals = createUsageTotals(repository);
  // Debts are recorded by domain/topups (reversal.ts); the spend check only reads them.
  const debts = createTopUpsRepository(handle.db);

  function settingsFor(userId: string): GovernanceSettings {
    return repository.findSettings(userId) ?? DEFAULT_GOVERNANCE_SETTINGS;
  }

  function usageNow(userId: string, timeZone: string, serviceId: string, task: BudgetCheck['task']) {
    const period = periodFor(new Date(options.now()), timeZone);
    return { period, usage: totals.usage({ userId, period: bounds(period), serviceId, task }) };
  }

  return {
    repository,
    /** Pass to createLedger({ observer }) for every ledger on this database: it keeps budget usage. */
    usageObserver: totals.observer,
    /** Month, service and task usage for a query, as the budget check counts it. */
    usage: totals.usage,
    settingsFor,
    saveSettings: (userId: string, settings: GovernanceSettings): void =>
      repository.saveSettings(userId, settings, options.now()),

    /**
     * The policy decision for a quote, read outside any transaction: what to ask the person. The
     * reservation re-checks the hard limits under the write lock (precondition below).
     */
    decideSpend(input: { userId: string; timeZone: string; quote: SpendQuote; task: BudgetCheck['task'] }): {
      decision: PolicyDecision;
      usage: UsageBreakdown;
    } {
      const { usage } = usageNow(input.userId, input.timeZone, input.quote.serviceId, input.task);
      const decision = decide({
        quote: input.quote,
        settings: settingsFor(input.userId),
        usage: {
          monthUsedMsat: usedMsat(usage.month),
          serviceUsedMsat: usedMsat(usage.service),
          taskUsedMsat: usedMsat(usage.task),
        },
      });
      return { decision, usage };
    },

    /** `account_in_debt` while a reversed top-up is owed: asked before approving, re-checked when reserving. */
    debtRefusal: (userId: string) => debtRefusal(debts, userId),

    /** The `precondition` to pass to `ledger.reserve` for this spend. */
    precondition: (check: BudgetCheck) => budgetPrecondition(totals, debts, check),

    /**
     * Audits the usage totals the budget check reads against the reservations they summarise; throws
     * with the differing rows if any total drifted (a bug, never an expected outcome). Scans everything.
     */
    checkUsageTotals(): void {
      const drift = totals.drift();
      if (drift.length > 0) throw new Error(`usage totals differ from the reservations: ${JSON.stringify(drift)}`);
    },

    /** This month's budget in both units. */
    status(userId: string, timeZone: string, rate: BtcUsdRate): { period: BudgetPeriod; summary: BudgetSummary } {
      const { period, usage } = usageNow(userId, timeZone, '', null);
      return { period, summary: summarizeBudget(settingsFor(userId).monthlyLimit, usage.month, rate) };
    },

    /** Past and current periods the person spent in, newest first, each with the limit that applied. */
    history(userId: string, rate: BtcUsdRate): { periodKey: string; startsAtMs: number; endsAtMs: number; summary: BudgetSummary }[] {
      return repository.listPeriods(userId).map((record) => {
        const { month } = totals.usage({ userId, period: record, serviceId: '', task: null });
        return {
          periodKey: record.periodKey,
          startsAtMs: record.startsAtMs,
          endsAtMs: record.endsAtMs,
          summary: summarizeBudget(record.limit, month, rate),
        };
      });
    },

    /**
     * Attributes a refund credit (already moved by the ledger) to the period, service and task of the
     * reservation it refunds, so it frees budget where the spend used it. Idempotent per transfer.
     */
    recordRefundCredit(input: {
      ledgerTransferId: number;
      timeZone: string;
      reservation: { userId: string; createdAtMs: number; metadata: { [key: string]: unknown } | null };
      amountMsat: Msat;
    }): boolean {
      const { serviceId, taskId } = reservationAttribution(input.reservation.metadata, input.amountMsat);
      if (serviceId === null) throw new Error('the refunded reservation has no governance metadata');
      const record = () => totals.recordRefundCredit({
        ledgerTransferId: input.ledgerTransferId,
        userId: input.reservation.userId,
        periodKey: periodFor(new Date(input.reservation.createdAtMs), input.timeZone).periodKey,
        serviceId,
        taskId,
        amountMsat: input.amountMsat,
        reservedAtMs: input.reservation.createdAtMs,
        createdAtMs: options.now(),
      });
      // The credit row and the totals it adds to change together.
      return handle.sqlite.transaction(record).immediate();
    },

    /**
     * The budget threshold alerts due now, each claimed in the database first so it fires once per
     * period even when several spends finish at the same moment. Call after each reservation.
     */
    fireBudgetAlerts(userId: string, timeZone: string, rate: BtcUsdRate): GovernanceAlert[] {
      const settings = settingsFor(userId);
      if (settings.monthlyLimit === null) return [];
      const { period, usage } = usageNow(userId, timeZone, '', null);
      const used = usedMsat(usage.month);
      const limitMsat = limitToMsat(settings.monthlyLimit, rate);
      const due = thresholdsCrossed({
        usedMsat: used,
        limitMsat,
        thresholdsPercent: settings.alertThresholdsPercent,
        alreadyFired: repository.firedThresholds(userId, period.periodKey),
      });
      const nowMs = options.now();
      return due
        .filter((percent) => repository.claimThreshold(userId, period.periodKey, percent, nowMs))
        .map((thresholdPercent) => ({
          kind: 'budget_threshold' as const,
          periodKey: period.periodKey,
          thresholdPercent,
          usedMsat: used,
          limitMsat: msat(limitMsat),
        }));
    },
  };
}
