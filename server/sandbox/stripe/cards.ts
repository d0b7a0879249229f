/**
 * Stripe's documented test cards, by outcome. Any other number that passes the Luhn check is
 * declined the way Stripe's test mode declines a real card.
 */
export type CardOutcome =
  | { ok: true; brand: string }
  | { ok: false; code: string; message: string };

const SUCCEEDS: Record<string, string> = {
  '4242424242424242': 'visa',
  '4000056655665556': 'visa',
  '5555555555554444': 'mastercard',
  '378282246310005': 'amex',
};

const DECLINES: Record<string, { code: string; message: string }> = {
  '4000000000000002': { code: 'card_declined', message: 'Your card was declined.' },
  '4000000000009995': { code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  '4000000000000069': { code: 'expired_card', message: 'Your card has expired.' },
  '4000000000000127': { code: 'incorrect_cvc', message: "Your card's security code is incorrect." },
};

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length >= 12 && sum % 10 === 0;
}

export function chargeTestCard(digits: string): CardOutcome {
  const brand = SUCCEEDS[digits];
  if (brand) return { ok: true, brand };
  const decline = DECLINES[digits];
  if (decline) return { ok: false, ...decline };
  return {
    ok: false,
    code: 'card_declined',
    message: 'Your card was declined. This is the Stripe sandbox: use a test card such as 4242 4242 4242 4242.',
  };
}
