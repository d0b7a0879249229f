// What the Wallet page sends: validated in the browser for the form and again on the server.
import { z } from 'zod';
import { passwordSchema, totpCodeSchema } from './accounts';

/** The most one receive invoice may ask for (0.1 BTC): far above play money, a guard against typos. */
export const MAX_RECEIVE_SATS = 10_000_000;

/** A fresh proof: the authenticator code when 2FA is on, the password when it is off. */
const proof = { code: totpCodeSchema.optional(), password: passwordSchema.optional() };

export const connectOwnWalletSchema = z.object({
  connectionString: z.string().trim().min(1, { message: 'Paste the connection string from your wallet.' }).max(2_048, { message: 'That is too long for a connection string.' }),
  ...proof,
});

export const disconnectOwnWalletSchema = z.object(proof);

export const createInvoiceSchema = z.object({
  amountSat: z
    .number({ message: 'Enter an amount in sats.' })
    .int({ message: 'Enter whole sats.' })
    .min(1, { message: 'Enter at least 1 sat.' })
    .max(MAX_RECEIVE_SATS, { message: `At most ${MAX_RECEIVE_SATS.toLocaleString('en-US')} sats per invoice.` }),
  description: z.string().trim().max(200).optional(),
});

export const withdrawSchema = z.object({
  invoice: z.string().trim().min(1, { message: 'Paste a Lightning invoice.' }).max(7_089, { message: 'That is too long for a Lightning invoice.' }),
  ...proof,
});

export const receiveStatusSchema = z.object({ id: z.string().uuid() });
