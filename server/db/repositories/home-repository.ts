// SQL for the Home page (server/domain/home): the first-run checklist's facts and marks, and the
// month's paid purchases for the dashboard's charts.
import { and, eq, sql } from 'drizzle-orm';
import type { OnboardingStep } from '../../../shared/onboarding';
import type { Db } from '../client';
import { onboardingMarks } from '../schema';

export interface OnboardingFactRow {
  ownWallet: number;
  provisionedWallet: number;
  fundedTopUps: number;
  budgetChanged: number;
  twoFactorOn: number;
  tasks: number;
}

export interface PaidPurchaseRow {
  serviceId: string;
  service: string;
  providerId: string;
  amountMsat: number;
  feeMsat: number;
  paidAtMs: number;
}

/** Payments are written ahead and paid within seconds; a day's margin keeps one paid just after midnight. */
const CREATED_BEFORE_PAID_MARGIN_MS = 24 * 60 * 60_000;

export type HomeRepository = ReturnType<typeof createHomeRepository>;

export function createHomeRepository(db: Db) {
  return {
    /** One statement; each sub-select reads by the person's key (primary key or user index). */
    facts(userId: string): OnboardingFactRow {
      const row = db.get<OnboardingFactRow>(sql`
        SELECT
          EXISTS (SELECT 1 FROM own_wallets WHERE user_id = ${userId}) AS ownWallet,
          EXISTS (SELECT 1 FROM user_wallets WHERE user_id = ${userId}) AS provisionedWallet,
          (SELECT count(*) FROM top_ups WHERE user_id = ${userId} AND status = 'funded') AS fundedTopUps,
          EXISTS (SELECT 1 FROM audit_events WHERE user_id = ${userId} AND kind = 'guard_settings_changed') AS budgetChanged,
          EXISTS (SELECT 1 FROM totp_credentials WHERE user_id = ${userId} AND enabled_at_ms IS NOT NULL) AS twoFactorOn,
          EXISTS (SELECT 1 FROM tasks WHERE user_id = ${userId}) AS tasks
      `);
      if (!row) throw new Error('the facts query returns one row');
      return row;
    },

    marks(userId: string): Map<OnboardingStep, 'done' | 'skipped'> {
      const rows = db.select().from(onboardingMarks).where(eq(onboardingMarks.userId, userId)).all();
      return new Map(rows.map((row) => [row.step as OnboardingStep, row.state]));
    },

    setMark(userId: string, step: OnboardingStep, state: 'done' | 'skipped' | null, nowMs: number): void {
      if (state === null) {
        db.delete(onboardingMarks).where(and(eq(onboardingMarks.userId, userId), eq(onboardingMarks.step, step))).run();
        return;
      }
      db.insert(onboardingMarks)
        .values({ userId, step, state, updatedAtMs: nowMs })
        .onConflictDoUpdate({ target: [onboardingMarks.userId, onboardingMarks.step], set: { state, updatedAtMs: nowMs } })
        .run();
    },

    /** The person's paid purchases (price + posted fee) paid in [startMs, endMs), on payments_user_created_idx. */
    paidBetween(userId: string, startMs: number, endMs: number): PaidPurchaseRow[] {
      return db.all<PaidPurchaseRow>(sql`
        SELECT service_id AS serviceId, service, provider_id AS providerId, amount_msat AS amountMsat,
               coalesce(fee_msat, 0) AS feeMsat, paid_at_ms AS paidAtMs
        FROM payments
        WHERE user_id = ${userId} AND created_at_ms >= ${startMs - CREATED_BEFORE_PAID_MARGIN_MS} AND created_at_ms < ${endMs}
          AND status IN ('paid', 'paid_unusable') AND paid_at_ms >= ${startMs} AND paid_at_ms < ${endMs}
      `);
    },
  };
}
