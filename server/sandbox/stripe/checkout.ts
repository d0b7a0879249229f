/** The hosted checkout form's submission: validate the card fields, then charge a test card. */
import { z } from 'zod';
import { chargeTestCard, luhnValid } from './cards';
import type { CardPayment } from './api';

const CardForm = z.object({
  card_number: z.string().transform((s) => s.replace(/[\s-]/g, '')),
  expiry: z.string().trim(),
  cvc: z.string().trim(),
  name: z.string().trim().min(1, 'Enter the name on the card.').max(200),
  email: z.string().trim().max(200).optional(),
});

export type CardFormOutcome =
  | { ok: true; card: CardPayment }
  | { ok: false; message: string; values: { name?: string; email?: string; expiry?: string } };

export function payWithCardForm(form: unknown, nowMs: number): CardFormOutcome {
  const parsed = CardForm.safeParse(form);
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? 'Complete the form.', values: {} };
  const { card_number: digits, expiry, cvc, name, email } = parsed.data;
  const values = { name, expiry, ...(email ? { email } : {}) };
  if (!/^\d{12,19}$/.test(digits) || !luhnValid(digits)) return { ok: false, message: 'Your card number is invalid.', values };
  const exp = /^(\d{1,2})\s*\/\s*(\d{2}|\d{4})$/.exec(expiry);
  const month = Number(exp?.[1]);
  const year = exp?.[2]?.length === 2 ? 2000 + Number(exp[2]) : Number(exp?.[2]);
  if (!exp || month < 1 || month > 12) return { ok: false, message: "Your card's expiration date is incomplete.", values };
  // A card is valid through the last moment of its expiry month.
  if (Date.UTC(year, month, 1) <= nowMs) return { ok: false, message: "Your card's expiration year is in the past.", values };
  if (!/^\d{3,4}$/.test(cvc)) return { ok: false, message: "Your card's security code is incomplete.", values };
  const outcome = chargeTestCard(digits);
  if (!outcome.ok) return { ok: false, message: outcome.message, values };
  return { ok: true, card: { brand: outcome.brand, last4: digits.slice(-4), name, email: email || null } };
}
