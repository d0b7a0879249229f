/**
 * Receipts: each payment with its evidence, for the Activity page and disputes. Read-only. Fiat is
 * shown at the rate locked for the step, when one was recorded.
 */
import { z } from 'zod';
import type { ListActivityInput, ReceiptOutcome } from '../../../shared/activity';
import { btcUsdRateSchema, msat, msatToUsdCentsRoundHalfUp, type Msat, type UsdCents } from '../../../shared/money';
import type { Db } from '../../db/client';
import { createPaymentsRepository, type PaymentQuery } from '../../db/repositories/payments-repository';
import { periodForKey } from '../governance/period';
import type { PaymentRow } from '../../db/schema/payments';

export type { ReceiptOutcome };

export interface Receipt {
  id: string;
  createdAtMs: number;
  serviceId: string;
  service: string;
  providerId: string;
  origin: string;
  method: string;
  url: string;
  amountMsat: Msat;
  /** null until the payment is settled. */
  feeMsat: Msat | null;
  /** The amount plus any fee at the step's locked rate; null when no rate was recorded. */
  totalUsdCents: UsdCents | null;
  outcome: ReceiptOutcome;
  /** Named reason for failures and undelivered purchases. */
  reason: string | null;
  /** What was wrong with the paid answer, in a sentence (e.g. which output-schema fields failed). */
  reasonDetail: string | null;
  evidence: {
    challengeScheme: string;
    invoice: string;
    paymentHash: string;
    macaroonIdHex: string;
    preimageHex: string | null;
    httpStatus: number | null;
    responseSha256: string | null;
    /** Size of the paid answer's body in bytes. */
    responseBytes: number | null;
    paidAtMs: number | null;
    resolvedAtMs: number | null;
    /** When the paid request was sent. */
    deliveryRequestedAtMs: number | null;
    /** When the paid request was answered (or given up on). */
    deliveredAtMs: number | null;
  };
}

function outcomeOf(row: PaymentRow): ReceiptOutcome {
  if (row.status === 'reserved' || row.status === 'paying') return 'pending';
  if (row.status === 'failed' || row.status === 'paid_unusable') return row.status;
  if (row.delivery === 'delivered') return 'delivered';
  return row.delivery === 'paid_not_delivered' ? 'paid_not_delivered' : 'paid';
}

function toReceipt(row: PaymentRow): Receipt {
  const rate = row.rateJson === null ? null : btcUsdRateSchema.safeParse(JSON.parse(row.rateJson));
  const totalMsat = msat(row.amountMsat + (row.feeMsat ?? 0));
  return {
    id: row.id,
    createdAtMs: row.createdAtMs,
    serviceId: row.serviceId,
    service: row.service,
    providerId: row.providerId,
    origin: row.origin,
    method: row.method,
    url: row.url,
    amountMsat: msat(row.amountMsat),
    feeMsat: row.feeMsat === null ? null : msat(row.feeMsat),
    totalUsdCents: rate?.success ? msatToUsdCentsRoundHalfUp(totalMsat, rate.data) : null,
    outcome: outcomeOf(row),
    reason: row.reason,
    reasonDetail: row.deliveryDetail,
    evidence: {
      challengeScheme: row.challengeScheme,
      invoice: row.invoice,
      paymentHash: row.paymentHash,
      macaroonIdHex: row.macaroonIdHex,
      preimageHex: row.preimageHex,
      httpStatus: row.httpStatus,
      responseSha256: row.responseSha256,
      responseBytes: row.responseBytes,
      paidAtMs: row.paidAtMs,
      resolvedAtMs: row.resolvedAtMs,
      deliveryRequestedAtMs: row.deliveryRequestedAtMs,
      deliveredAtMs: row.deliveredAtMs,
    },
  };
}

export const listReceiptsInputSchema = z
  .object({
    limit: z.number().int().min(1).max(200).default(50),
    /** Receipts created before this time (ms), for paging back. */
    beforeMs: z.number().int().nonnegative().optional(),
  })
  .default({ limit: 50 });
export type ListReceiptsInput = z.output<typeof listReceiptsInputSchema>;

export type Receipts = ReturnType<typeof createReceipts>;

/** The filters as the repository's query: a month becomes its start and end instants in `timeZone`. */
export function paymentQueryOf(input: ListActivityInput, timeZone: string): PaymentQuery {
  const query: PaymentQuery = { limit: input.limit };
  if (input.serviceId) query.serviceId = input.serviceId;
  if (input.outcome) query.outcome = input.outcome;
  if (input.search) query.search = input.search;
  let beforeMs = input.beforeMs;
  if (input.month) {
    const period = periodForKey(input.month, timeZone);
    query.fromMs = period.startsAt.getTime();
    beforeMs = Math.min(beforeMs ?? Number.MAX_SAFE_INTEGER, period.endsAt.getTime());
  }
  if (beforeMs !== undefined) query.beforeMs = beforeMs;
  return query;
}

export function createReceipts(db: Db) {
  const repository = createPaymentsRepository(db);
  return {
    /** The user's receipts, newest first. */
    list(userId: string, input: ListReceiptsInput = { limit: 50 }): Receipt[] {
      return repository
        .listForUser(userId, { limit: input.limit, ...(input.beforeMs === undefined ? {} : { beforeMs: input.beforeMs }) })
        .map(toReceipt);
    },
    /**
     * The Activity page: the user's receipts matching the filters, newest first, each with the task
     * step that paid it (null when none did), so the page can open a dispute on it. A month is the
     * person's budget month, in their time zone.
     */
    search(userId: string, input: ListActivityInput, timeZone: string): (Receipt & { taskId: string | null; stepId: string | null })[] {
      return repository.searchForUser(userId, paymentQueryOf(input, timeZone)).map((row) => ({ ...toReceipt(row.payment), taskId: row.taskId, stepId: row.stepId }));
    },
    services: (userId: string) => repository.servicesForUser(userId),
    /** One of the user's receipts (a dispute's evidence), however old; null when it is not theirs. */
    get(userId: string, paymentId: string): Receipt | null {
      const row = repository.byId(paymentId);
      return row && row.userId === userId ? toReceipt(row) : null;
    },
  };
}
