/**
 * `npm run sandbox`: the sandbox stack alone (relay, Lightning wallets over NWC, L402 market,
 * Stripe sandbox) for poking at it with any NIP-47 or L402 client. Connection strings carry
 * secrets, so they go to `<data-dir>/connections.json` (0600), not to the terminal.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startSandbox } from './stack';

const port = z.coerce.number().int().min(0).max(65_535).optional();
const argsSchema = z.object({
  'data-dir': z.string().min(1).default('data/sandbox'),
  host: z.string().min(1).default('127.0.0.1'),
  'relay-port': port,
  'market-port': port,
  'stripe-port': port,
  'webhook-url': z.url().optional(),
});

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    host: { type: 'string' },
    'relay-port': { type: 'string' },
    'market-port': { type: 'string' },
    'stripe-port': { type: 'string' },
    'webhook-url': { type: 'string' },
  },
});
const args = argsSchema.parse(values);

const sandbox = await startSandbox({
  dataDir: args['data-dir'],
  host: args.host,
  ports: { relay: args['relay-port'], market: args['market-port'], stripe: args['stripe-port'] },
  stripeWebhookUrl: args['webhook-url'],
});
// Printing the URLs is this command's whole output, so it writes to stdout directly.
process.stdout.write(
  [
    `relay   ${sandbox.relayUrl}`,
    `market  ${sandbox.marketUrl}  (${sandbox.marketUrl}/.well-known/l402.json)`,
    `stripe  ${sandbox.stripeUrl}`,
    `price   ${sandbox.rateUrl}  (BTC/USD spot, Coinbase's shape; RATE_URLS can point at it)`,
    `wallets ${Object.keys(sandbox.wallets).join(', ')}`,
    `NWC connection strings: ${join(args['data-dir'], 'connections.json')}`,
    '',
  ].join('\n'),
);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void sandbox.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
