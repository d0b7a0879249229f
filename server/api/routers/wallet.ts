import { msat } from '../../../shared/money';
import {
  connectOwnWalletSchema,
  createInvoiceSchema,
  disconnectOwnWalletSchema,
  receiveStatusSchema,
  withdrawSchema,
} from '../../../shared/wallet';
import type { ProviderNameOf } from '../../domain/reputation';
import type { WalletSummary } from '../../domain/wallet';
import { unwrap } from '../errors';
import { authedProcedure, proofAttemptsLimited, router, walletCallProcedure, walletConnectionProcedure } from '../trpc';

/**
 * The Wallet page. `summary` reads the ledger only (instant); `status` asks the person's wallet over
 * NWC and may take seconds or answer "unreachable", so the page loads them apart. Changing the
 * spending wallet and withdrawing need a fresh proof (`code` or `password`), counted against the
 * guessing limit; both also count against the person's limit on wallet connections. The calls that
 * reach the wallet each time (status, making and watching an invoice) count per person too.
 */
export const walletRouter = router({
  summary: authedProcedure.query(async ({ ctx }) => withProviderNames(await ctx.deps.wallet.summary(ctx.user.id), ctx.deps.providerNames.for(ctx.user.id))),
  status: walletCallProcedure('wallet_lookup').query(({ ctx }) => ctx.deps.wallet.status(ctx.user.id)),

  connectOwn: walletConnectionProcedure
    .input(connectOwnWalletSchema)
    .use(proofAttemptsLimited)
    .mutation(async ({ ctx, input }) => unwrap(await ctx.deps.wallet.connectOwn({ userId: ctx.user.id, ...input }, ctx.meta)).wallet),

  disconnectOwn: authedProcedure
    .input(disconnectOwnWalletSchema)
    .use(proofAttemptsLimited)
    .mutation(async ({ ctx, input }) => ({ balanceMsat: unwrap(await ctx.deps.wallet.disconnectOwn({ userId: ctx.user.id, ...input }, ctx.meta)).balanceMsat })),

  createInvoice: walletCallProcedure('wallet_invoice').input(createInvoiceSchema).mutation(async ({ ctx, input }) => {
    const description = input.description || 'Steward: receive';
    return unwrap(await ctx.deps.wallet.createInvoice(ctx.user.id, msat(input.amountSat * 1000), description)).receive;
  }),

  /** Asks the wallet whether the invoice was paid (and credits it when it was): the page polls this. */
  receiveStatus: walletCallProcedure('wallet_lookup').input(receiveStatusSchema).query(async ({ ctx, input }) => unwrap(await ctx.deps.wallet.checkReceive(ctx.user.id, input.id)).receive),

  withdraw: walletConnectionProcedure
    .input(withdrawSchema)
    .use(proofAttemptsLimited)
    .mutation(async ({ ctx, input }) => unwrap(await ctx.deps.wallet.withdraw({ userId: ctx.user.id, ...input }, ctx.meta)).outcome),

  /** Every movement as CSV (built on the server, so the escaping is in one tested place). */
  exportMovements: authedProcedure.query(({ ctx }) => ({
    filename: `steward-movements-${new Date().toISOString().slice(0, 10)}.csv`,
    csv: ctx.deps.wallet.exportCsv(ctx.user.id),
  })),
});

/** Each payment's provider by the name the chat card and Activity show (the ledger keeps only its id). */
function withProviderNames(summary: WalletSummary, nameOf: ProviderNameOf) {
  return { ...summary, movements: summary.movements.map((m) => ({ ...m, providerName: m.providerId === null ? null : nameOf(m.providerId) })) };
}
