import { authedProcedure, router } from '../trpc';

/**
 * The Wallet page. `summary` reads the ledger only (instant); `status` asks the person's wallet over
 * NWC and may take seconds or answer "unreachable", so the page loads them apart.
 */
export const walletRouter = router({
  summary: authedProcedure.query(({ ctx }) => ctx.deps.wallet.summary(ctx.user.id)),
  status: authedProcedure.query(({ ctx }) => ctx.deps.wallet.status(ctx.user.id)),
});
