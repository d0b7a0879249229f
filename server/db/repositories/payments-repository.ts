// SQL for payment rows (server/db/schema/payments.ts). Synchronous, so the payments domain can run
// these inside the same IMMEDIATE transaction as the ledger call they belong with. Every status
// change names the status it expects to find: an update that finds another status changes nothing
// and reports it, which is how "mark paying" refuses to hand the same payment to the wallet twice.
//
// The statements a purchase runs are prepared once per repository: building a drizzle query over
// this wide table costs more CPU than running it, and a purchase runs about ten of them.
import { and, desc, eq, getTableColumns, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { ReceiptOutcome } from '../../../shared/activity';
import type { Db } from '../client';
import { payments, type NewPaymentRow, type PaymentRow } from '../schema/payments';
import { selectList } from './select-list';
import { tasks, taskSteps } from '../schema/tasks';

type PaymentStatus = PaymentRow['status'];

export interface PaymentQuery {
  limit: number;
  /** Created before (paging back, or a month's end). */
  beforeMs?: number;
  /** Created at or after (a month's start). */
  fromMs?: number;
  serviceId?: string;
  outcome?: ReceiptOutcome;
  search?: string;
}

/** Each receipt outcome (domain/payments/receipts.ts, outcomeOf) as the SQL that selects it. */
const OUTCOME_CONDITIONS: Record<ReceiptOutcome, SQL> = {
  pending: inArray(payments.status, ['reserved', 'paying']),
  failed: eq(payments.status, 'failed'),
  paid_unusable: eq(payments.status, 'paid_unusable'),
  delivered: and(eq(payments.status, 'paid'), eq(payments.delivery, 'delivered')) as SQL,
  paid_not_delivered: and(eq(payments.status, 'paid'), eq(payments.delivery, 'paid_not_delivered')) as SQL,
  paid: and(eq(payments.status, 'paid'), eq(payments.delivery, 'pending')) as SQL,
};
type Delivery = PaymentRow['delivery'];

/** The fields a status change may set besides the status itself. */
export type TransitionFields = Partial<
  Pick<NewPaymentRow, 'reason' | 'feeMsat' | 'preimageHex' | 'paidAtMs' | 'resolvedAtMs'>
> & { updatedAtMs: number };

export interface DeliveryRecord {
  delivery: Delivery;
  reason: string | null;
  httpStatus: number | null;
  responseSha256: string | null;
  responseBytes: number | null;
  /** Why the answer did not count, in a sentence; null when delivered or when the reason says it all. */
  detail: string | null;
  /** When the paid request was sent; null when it never was (e.g. no proof of payment). */
  requestedAtMs: number | null;
  atMs: number;
}

export type PaymentsRepository = ReturnType<typeof createPaymentsRepository>;

export function createPaymentsRepository(db: Db) {
  // Every write-ahead asks the two duplicate checks, and settlement reads by id: plain SQL (select-list.ts).
  const PAYMENT = selectList(payments);
  const byIdQuery = db.$client.prepare<[string], PaymentRow>(`SELECT ${PAYMENT} FROM payments WHERE id = ?`);
  const byPaymentHashQuery = db.$client.prepare<[string], PaymentRow>(`SELECT ${PAYMENT} FROM payments WHERE payment_hash = ?`);
  const byIdempotencyKeyQuery = db.$client.prepare<[string, string], PaymentRow>(
    `SELECT ${PAYMENT} FROM payments WHERE user_id = ? AND idempotency_key = ?`,
  );
  const recordDeliveryQuery = db
    .update(payments)
    .set({
      delivery: sql`${sql.placeholder('delivery')}`,
      // A payment's own reason (e.g. missing_preimage) is kept; a delivery reason fills a blank.
      reason: sql`coalesce(${payments.reason}, ${sql.placeholder('reason')})`,
      httpStatus: sql`${sql.placeholder('httpStatus')}`,
      responseSha256: sql`${sql.placeholder('responseSha256')}`,
      responseBytes: sql`${sql.placeholder('responseBytes')}`,
      deliveryDetail: sql`${sql.placeholder('detail')}`,
      deliveryRequestedAtMs: sql`${sql.placeholder('requestedAtMs')}`,
      deliveredAtMs: sql`${sql.placeholder('atMs')}`,
      updatedAtMs: sql`${sql.placeholder('atMs')}`,
    })
    .where(eq(payments.id, sql.placeholder('id')))
    .prepare();
  // Every column a parameter; a column the row leaves out gets its schema default, or null. Plain SQL
  // on the connection: drizzle's per-call placeholder filling cost as much as the insert itself. No
  // RETURNING: every column is given, all plain text and integers, so the row written is the values
  // (reading the wide row back cost a sixth of a write-ahead).
  // Positional parameters: binding ~25 named ones looks each name up on the object, a few µs per row.
  const columns = Object.entries(getTableColumns(payments));
  const insertStatement = db.$client.prepare<unknown[]>(
    `INSERT INTO payments (${columns.map(([, column]) => `"${column.name}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
  );
  const fallbacks = columns.map(([name, column]) => [name as keyof NewPaymentRow, column.hasDefault ? (column.default as unknown) : null] as const);
  // One prepared update per shape of status change (from, to, fields set): a handful in all.
  const transitions = new Map<string, { get(values: Record<string, unknown>): PaymentRow | undefined }>();

  function transitionQuery(from: readonly PaymentStatus[], to: PaymentStatus, fieldNames: readonly string[]) {
    const shape = JSON.stringify([from, to, fieldNames]);
    let query = transitions.get(shape);
    if (!query) {
      const set = Object.fromEntries(fieldNames.map((name) => [name, sql`${sql.placeholder(name)}`]));
      query = db
        .update(payments)
        .set({ ...set, status: to })
        .where(and(eq(payments.id, sql.placeholder('id')), inArray(payments.status, [...from])))
        .returning()
        .prepare();
      transitions.set(shape, query);
    }
    return query;
  }

  /**
   * The user's payments, newest first, filtered in SQL, each with the task step that paid it (null
   * for a payment no step names, e.g. an agent key's). `search` is matched, case-insensitively and
   * literally (no wildcards), against the service, provider, address and what the person asked.
   */
  function searchForUser(userId: string, query: PaymentQuery): { payment: PaymentRow; taskId: string | null; stepId: string | null }[] {
    const conditions = [eq(payments.userId, userId)];
    if (query.beforeMs !== undefined) conditions.push(lt(payments.createdAtMs, query.beforeMs));
    if (query.fromMs !== undefined) conditions.push(gte(payments.createdAtMs, query.fromMs));
    if (query.serviceId !== undefined) conditions.push(eq(payments.serviceId, query.serviceId));
    if (query.outcome !== undefined) conditions.push(OUTCOME_CONDITIONS[query.outcome]);
    if (query.search) {
      const pattern = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      conditions.push(sql`(${payments.service} LIKE ${pattern} ESCAPE '\\' OR ${payments.providerId} LIKE ${pattern} ESCAPE '\\' OR ${payments.url} LIKE ${pattern} ESCAPE '\\' OR ${tasks.request} LIKE ${pattern} ESCAPE '\\')`);
    }
    return db
      .select({ payment: payments, taskId: taskSteps.taskId, stepId: taskSteps.stepId })
      .from(payments)
      .leftJoin(taskSteps, eq(taskSteps.paymentId, payments.id))
      .leftJoin(tasks, eq(tasks.id, taskSteps.taskId))
      .where(and(...conditions))
      .orderBy(desc(payments.createdAtMs), desc(payments.id))
      .limit(query.limit)
      .all();
  }

  return {
    insert(row: NewPaymentRow): PaymentRow {
      const values: Record<string, unknown> = {};
      const params: unknown[] = [];
      for (const [name, fallback] of fallbacks) params.push((values[name] = row[name] ?? fallback));
      insertStatement.run(...params);
      return values as PaymentRow;
    },

    byId(id: string): PaymentRow | undefined {
      return byIdQuery.get(id);
    },

    byPaymentHash(paymentHash: string): PaymentRow | undefined {
      return byPaymentHashQuery.get(paymentHash);
    },

    byIdempotencyKey(userId: string, idempotencyKey: string): PaymentRow | undefined {
      return byIdempotencyKeyQuery.get(userId, idempotencyKey);
    },

    /** Moves `id` from `from` to `to` with the given fields: the row as changed, or undefined when it was not in `from`. */
    transition(id: string, from: readonly PaymentStatus[], to: PaymentStatus, fields: TransitionFields): PaymentRow | undefined {
      const names = Object.keys(fields).sort();
      return transitionQuery(from, to, names).get({ ...fields, id });
    },

    /** What the paid request got: the outcome and its evidence (`atMs` is when it was answered, or given up on). */
    recordDelivery(id: string, fields: DeliveryRecord): void {
      recordDeliveryQuery.run({ id, ...fields });
    },

    /** Payments whose outcome is not settled yet: the reconciler's work list, oldest first. */
    unresolved(): PaymentRow[] {
      // Literal, not bound parameters, so SQLite can use the partial index on open payments.
      return db.select().from(payments).where(sql`${payments.status} IN ('reserved', 'paying')`).orderBy(payments.createdAtMs).all();
    },

    listForUser(userId: string, options: { limit: number; beforeMs?: number }): PaymentRow[] {
      return searchForUser(userId, options).map((row) => row.payment);
    },

    searchForUser,

    /** The services the user has paid (or tried to), by id with a name: the Activity filter's choices. */
    servicesForUser(userId: string): { serviceId: string; service: string }[] {
      return db
        .select({ serviceId: payments.serviceId, service: sql<string>`max(${payments.service})` })
        .from(payments)
        .where(eq(payments.userId, userId))
        .groupBy(payments.serviceId)
        .orderBy(payments.serviceId)
        .all();
    },
  };
}
