/**
 * Validates an NWC connection string (`nostr+walletconnect://<wallet pubkey>?relay=...&secret=...`)
 * when it enters the app, so a bad paste is refused with a reason instead of failing at first payment.
 * Storing it encrypted is the caller's job: the secret is a spending key.
 */
import './websocket-global';
import { NWCClient } from '@getalby/sdk/nwc';
import { z } from 'zod';
import type { ConnectionStringRefusal } from '../../domain/ports/wallet';

export interface NwcConnection {
  walletPubkeyHex: string;
  relayUrls: string[];
  secretHex: string;
  lud16: string | null;
}

export type ConnectionStringFailure = ConnectionStringRefusal;

export type ConnectionStringResult = { ok: true; connection: NwcConnection } | { ok: false; reason: ConnectionStringFailure };

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const relayUrl = z.url({ protocol: /^wss?$/ });
const MAX_LENGTH = 2048;

export function parseConnectionString(input: string): ConnectionStringResult {
  const trimmed = input.trim();
  if (trimmed.length > MAX_LENGTH || !/^nostr\+walletconnect:\/\//i.test(trimmed)) {
    return { ok: false, reason: 'not_a_connection_string' };
  }
  let parsed: ReturnType<typeof NWCClient.parseWalletConnectUrl>;
  try {
    parsed = NWCClient.parseWalletConnectUrl(trimmed, true);
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (/pubkey/i.test(message)) return { ok: false, reason: 'invalid_wallet_pubkey' };
    if (/relay/i.test(message)) return { ok: false, reason: 'invalid_relay_url' };
    if (/secret/i.test(message)) return { ok: false, reason: 'invalid_secret' };
    return { ok: false, reason: 'not_a_connection_string' };
  }
  // The sdk accepts npub/nsec forms and any relay scheme; we hold the wire format to hex and ws(s).
  if (!hex64.safeParse(parsed.walletPubkey).success) return { ok: false, reason: 'invalid_wallet_pubkey' };
  if (parsed.relayUrls.length === 0 || !parsed.relayUrls.every((url) => relayUrl.safeParse(url).success)) {
    return { ok: false, reason: 'invalid_relay_url' };
  }
  if (!parsed.secret || !hex64.safeParse(parsed.secret).success) return { ok: false, reason: 'invalid_secret' };
  return {
    ok: true,
    connection: {
      walletPubkeyHex: parsed.walletPubkey,
      relayUrls: parsed.relayUrls,
      secretHex: parsed.secret,
      lud16: parsed.lud16 ?? null,
    },
  };
}
