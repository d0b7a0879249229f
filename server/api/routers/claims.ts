import { z } from 'zod';
import { disputeViewSchema } from '../../../shared/disputes';
import { providerClaimViewSchema, settleClaimInputSchema } from '../../../shared/provider-refunds';
import { unwrap } from '../errors';
import { operatorProcedure, router } from '../trpc';

/** Claims against providers that did not refund (the treasury paid in their place): operators only. */
export const claimsRouter = router({
  /** Newest first, open and settled, with the dispute each came from. */
  list: operatorProcedure.output(z.array(z.object({ claim: providerClaimViewSchema, dispute: disputeViewSchema.nullable() }))).query(({ ctx }) => ctx.deps.disputes.claims()),

  /** Records that the provider paid the operator back; of two operators, one settles it. */
  settle: operatorProcedure.input(settleClaimInputSchema).mutation(({ ctx, input }) => unwrap(ctx.deps.disputes.settleClaim(ctx.user.id, input.claimId, input.note)).claim),
});
