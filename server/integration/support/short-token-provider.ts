/**
 * An honest L402 provider whose tokens live five seconds, for the multi-instance tests: every call
 * must be paid anew. The app reuses a bought token only while more than its safety margin (5 s) is
 * left, so no purchase here reuses one and every spend reaches the budget check with a fresh invoice
 * of its own. (Under heavy load a payment may outlast its token: the paid call is then refused, and
 * the purchase ends paid_not_delivered, money moved and recorded.) A real server on loopback with its own node on the sandbox's Lightning network
 * (invoices really settle to it) and a manifest naming that node, as an operator's provider would.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LightningNetwork, LightningNode } from '../../sandbox/lightning';
import { createSeller } from '../../sandbox/market/seller';
import { parseAuthorization } from '../../sandbox/market/token';

export const SHORT_TOKEN_PROVIDER_ID = 'short-token';
const PROVIDER_NAME = 'Short Token Labs';
const TOKEN_VALIDITY_SEC = 5;
const OUTPUT_SCHEMA = { type: 'object', properties: { tick: { type: 'string', minLength: 1 } }, required: ['tick'] } as const;

export interface ShortTokenProvider {
  url: string;
  /** Its Lightning node: what it was paid, per payment hash. */
  node: LightningNode;
  /** Service names, each its own lane of the app's per-service purchase lock. */
  services: readonly string[];
  priceMsat: number;
  close(): Promise<void>;
}

export async function startShortTokenProvider(network: LightningNetwork, options: { services: number; priceMsat: number }): Promise<ShortTokenProvider> {
  const node = network.ensureNode(`provider:${SHORT_TOKEN_PROVIDER_ID}`);
  const seller = createSeller({ rootKeys: new Map([[SHORT_TOKEN_PROVIDER_ID, randomBytes(32)]]), invoicerFor: () => node, nowMs: Date.now });
  const services = Array.from({ length: options.services }, (_, i) => `tick-${i}`);
  const terms = (service: string) => ({
    providerId: SHORT_TOKEN_PROVIDER_ID,
    providerName: PROVIDER_NAME,
    service,
    description: `${service}: one answer per payment`,
    priceMsat: options.priceMsat,
    usage: {},
    validitySec: TOKEN_VALIDITY_SEC,
  });

  const server = createServer((req, res) => {
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const path = new URL(req.url ?? '/', 'http://provider').pathname;
    if (path === '/.well-known/l402.json') return json(200, manifest(node.pubkeyHex, services, options.priceMsat));
    const service = services.find((name) => path === `/v1/${name}`);
    if (!service) return json(404, { error: { code: 'not_found' } });
    const credential = parseAuthorization(req.headers.authorization);
    if (credential !== null && seller.check({ providerId: SHORT_TOKEN_PROVIDER_ID, service, credential, usage: {} }).ok) return json(200, { tick: service });
    const minted = seller.challenge(terms(service));
    res.setHeader('WWW-Authenticate', minted.wwwAuthenticate);
    return json(402, minted.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    node,
    services,
    priceMsat: options.priceMsat,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function manifest(nodePubkeyHex: string, services: readonly string[], priceMsat: number) {
  return {
    version: '1.0',
    provider: { name: PROVIDER_NAME, description: 'Every answer is paid for once.', node_pubkey: nodePubkeyHex },
    currencies: ['msat'],
    services: services.map((name) => ({
      name,
      provider: { id: SHORT_TOKEN_PROVIDER_ID, name: PROVIDER_NAME },
      description: `The ${name} service.`,
      examples: [name],
      token_validity_seconds: TOKEN_VALIDITY_SEC,
      resources: [
        {
          path: `/v1/${name}`,
          method: 'GET',
          pricing: { model: 'fixed', price_msat: priceMsat },
          input_in: 'query',
          input_schema: { type: 'object', properties: {}, additionalProperties: false },
          output_schema: OUTPUT_SCHEMA,
        },
      ],
    })),
  };
}
