// Agent keys as the settings page and the server share them: what a person fills in to make one, and
// what the list shows. Amounts are whole sats on the form (msat in storage); a key's limits only ever
// narrow the person's own rules, so there is nothing here that could loosen them.
import { z } from 'zod';
import { passwordSchema, totpCodeSchema } from './accounts';

export const AGENT_KEY_NAME_MAX = 60;
/** The most one key may list as allowed (service ids or origins). */
export const AGENT_KEY_ALLOWED_MAX = 50;
/** A key's caps are small by design; a larger budget belongs in the person's own settings. */
export const AGENT_KEY_CAP_MAX_SATS = 10_000_000;

const capSats = z
  .number({ message: 'Enter a whole number of sats.' })
  .int({ message: 'Enter a whole number of sats.' })
  .min(0, { message: 'A cap cannot be negative.' })
  .max(AGENT_KEY_CAP_MAX_SATS, { message: `At most ${AGENT_KEY_CAP_MAX_SATS.toLocaleString('en-US')} sats.` });

/** A catalog service id ("provider/service") or an origin ("https://host[:port]"). */
const allowedEntry = z
  .string()
  .trim()
  .min(1)
  .max(300)
  .refine((value) => /^[\w.-]+\/[\w.-]+$/.test(value) || /^https?:\/\/[^/\s]+$/.test(value), {
    message: 'Name a service id (provider/service) or an origin (https://host).',
  });

export const createAgentKeyInputSchema = z.object({
  name: z.string().trim().min(1, { message: 'Give the key a name.' }).max(AGENT_KEY_NAME_MAX),
  monthlyCapSats: capSats,
  perCallCapSats: capSats,
  /** Empty: every service in the person's catalog (still under all their own rules). */
  allowed: z.array(allowedEntry).max(AGENT_KEY_ALLOWED_MAX).default([]),
  /** false: every spend asks the person, even one their auto tier would allow. */
  mayAutoSpend: z.boolean().default(false),
  /** Days until the key stops working; null: until revoked. */
  expiresInDays: z.number().int().min(1).max(366).nullable().default(90),
  /**
   * The fresh proof a new key needs (`code` with 2FA on, `password` with it off): a key outlives the
   * session that made it, so an open session alone must not be enough to make one.
   */
  code: totpCodeSchema.optional(),
  password: passwordSchema.optional(),
});
export type CreateAgentKeyInput = z.input<typeof createAgentKeyInputSchema>;

export const agentKeyIdSchema = z.object({ keyId: z.string().min(1).max(100) });

/** A key as the person's list shows it: never the key itself, only its first characters. */
export interface AgentKeyView {
  id: string;
  name: string;
  keyPrefix: string;
  monthlyCapMsat: number;
  perCallCapMsat: number;
  allowed: string[];
  mayAutoSpend: boolean;
  expiresAtMs: number | null;
  revokedAtMs: number | null;
  lastUsedAtMs: number | null;
  createdAtMs: number;
  /** Spent through this key in the person's current budget month, fees included. */
  spentThisMonthMsat: number;
  status: 'active' | 'revoked' | 'expired';
}
