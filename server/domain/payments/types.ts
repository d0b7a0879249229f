// What the payments domain takes and returns. Every outcome of a purchase has a name, so the task
// runner, the Activity page and dispute handling can each branch on it without parsing messages.
import type { AgentKeyDenyReason } from '../../../shared/governance';
import type { BtcUsdRate, Msat } from '../../../shared/money';
import type { BudgetRefusalReason } from '../governance';
import type { ChallengeRefusal, L402HttpRequest, NotPayableReason } from '../ports/l402';
import type { WalletRefusalReason } from '../ports/wallet';
import type { DeliveryRefusal, OutputJsonSchema } from './delivery-judge';

declare const minted: unique symbol;

/**
 * The right to spend on one step: its approved invoice maximum (a larger invoice is price drift),
 * the overage the person authorized with a second factor, the quote's locked rate (fiat budgets are
 * checked at it) and the provider's published node key (the invoice must be payable to it). Only
 * domain/spending mints one, from the approval and quote it reads itself (lint forbids the cast
 * anywhere else), so no caller can hand payments limits of its own.
 */
export interface SpendAuthorization {
  readonly approvedMaxMsat: Msat;
  readonly authorizedOverageMsat: Msat;
  readonly rate: BtcUsdRate;
  readonly expectedPayeePubkeyHex: string | null;
  readonly [minted]: true;
}

/** One paid call of a step, as the agent planned and the person approved it. */
export interface PurchaseRequest {
  userId: string;
  /** The person's time zone: budget periods are their calendar months. */
  timeZone: string;
  /** Chosen by the caller and persisted before calling; a retry with the same key never pays again. */
  idempotencyKey: string;
  task: { id: string; startedAtMs: number } | null;
  /** The catalog id (`<providerId>/<service>`), for budgets and receipts. */
  serviceId: string;
  /** The provider's service name as its macaroons name it (`services=` caveat), for the vault. */
  service: string;
  providerId: string;
  request: L402HttpRequest;
  /** What the step may spend, read from storage by domain/spending; never numbers a caller chose. */
  authorization: SpendAuthorization;
  /**
   * The JSON Schema the service published for its paid answer (manifest `output_schema`): the answer
   * counts as delivered only when it parses against it. Absent: any non-empty 2xx body counts.
   */
  outputSchema?: OutputJsonSchema | null;
  /** Present when an agent key pays the step: its caps are checked and counted in the write-ahead. */
  keyHold?: KeyHold;
}

/**
 * An agent key's claim on a purchase, checked and recorded inside the write-ahead's transaction (the
 * one that writes the ledger's reservation), under the database's write lock: two spends of one key,
 * from any instance or process, can never both see the same headroom under its caps.
 */
export interface KeyHold {
  /** Why the key refuses a hold of `holdMsat` at `nowMs`; null when its limits allow it. */
  refusal(holdMsat: Msat, nowMs: number): AgentKeyDenyReason | null;
  /** Counts `holdMsat` against the key for `paymentId` until the purchase says what it really cost. */
  hold(paymentId: string, holdMsat: Msat, nowMs: number): void;
}

/** Why nothing was paid although the step wanted to pay. */
export type RefusedBeforePaymentReason =
  | Exclude<ChallengeRefusal, 'amount_above_approved'>
  | NotPayableReason
  /** The macaroon's `services=` caveat does not grant the service the step is buying. */
  | 'service_not_granted'
  /** This invoice's payment hash was already paid (or is being paid) by another payment. */
  | 'payment_hash_already_used'
  /** No HTTP answer from the provider (refused URL, DNS, connection, timeout). */
  | 'fetch_failed'
  /** The provider answered something that is neither content nor a challenge (e.g. 404, 500). */
  | 'unexpected_status'
  /** A token bought earlier was answered 2xx with something that is not the published output. */
  | 'cached_token_not_delivered'
  /** The user has no spending wallet, or it could not tell us its network. */
  | 'wallet_unavailable'
  /** The ledger's available funds do not cover the invoice and its fee allowance. */
  | 'insufficient_funds';

/** Why money moved but the step got nothing usable for it. Each is a dispute candidate. */
export type NotDeliveredReason =
  /** The provider answered the paid credential with a fresh 402 (Aperture's way to reject a token). */
  | 'challenged_again'
  /** 5xx on every bounded retry with the token. */
  | 'server_error'
  /** No HTTP answer on every retry. */
  | 'fetch_failed'
  /** The wallet said it paid but gave no proof, or a proof that does not match the payment hash. */
  | 'paid_unusable'
  /** An answer that is not content (e.g. 4xx other than 402). */
  | 'unexpected_status'
  /** A retried step paid earlier, but the token to redeem it is no longer held (evicted, or lost in a crash). */
  | 'token_unavailable'
  /** A 2xx whose body is empty, not JSON, or not what the service's output schema promised (delivery-judge.ts). */
  | DeliveryRefusal;

export interface DeliveredContent {
  status: number;
  bodyText: string;
  bodySha256Hex: string;
  contentType: string | null;
}

export type PurchaseOutcome =
  | {
      kind: 'delivered';
      content: DeliveredContent;
      /** null when nothing was paid: a cached token was reused, or the resource was free. */
      paymentId: string | null;
      via: 'paid' | 'cached_token' | 'free';
    }
  | { kind: 'refused_before_payment'; reason: RefusedBeforePaymentReason; detail?: string }
  | { kind: 'budget_refused'; reason: BudgetRefusalReason }
  /** The invoice asks more than the step was approved for; ask the person again. */
  | { kind: 'needs_approval'; reason: 'price_drift'; invoiceMsat: Msat; approvedMaxMsat: Msat }
  | { kind: 'payment_failed'; reason: WalletRefusalReason; paymentId: string }
  /** The wallet's answer never came: the reconciler will settle it; never pay this step again now. */
  | { kind: 'payment_unknown'; paymentId: string }
  /** `detail`: what was wrong with the answer, in a sentence, when it was judged (e.g. which schema fields failed). */
  | { kind: 'paid_not_delivered'; reason: NotDeliveredReason; paymentId: string; httpStatus: number | null; detail?: string };
