import type { FastifyInstance } from 'fastify';
import type { TopUps } from '../domain/topups';

/**
 * `POST /api/stripe/webhook`: Stripe's deliveries, verified over the exact bytes received (so the body
 * is never parsed before the signature is checked). A bad, missing or stale signature gets a 400 and
 * changes nothing; a verified event of a type we do not handle gets a 200 so Stripe stops sending it.
 * Cookie-less and cross-site by nature, so outside the CSRF guard of /api/trpc; the signature is the guard.
 */
export async function registerStripeWebhook(app: FastifyInstance, topUps: Pick<TopUps, 'receiveWebhook'>): Promise<void> {
  await app.register(async (scope) => {
    // Only in this scope: every other route keeps Fastify's JSON parser.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post('/api/stripe/webhook', async (request, reply) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const signature = request.headers['stripe-signature'];
      const answer = topUps.receiveWebhook(raw, typeof signature === 'string' ? signature : undefined);
      if (answer.status === 400) {
        request.log.warn({ reason: answer.reason }, 'stripe webhook refused');
        return reply.status(400).send({ error: answer.reason });
      }
      return reply.status(200).send({ received: true, outcome: answer.outcome });
    });
  });
}
