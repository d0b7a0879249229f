/** Stripe's webhook signature: `t=<unix s>,v1=hex(HMAC-SHA256(secret, "<t>.<payload>"))`. */
import { createHmac } from 'node:crypto';

export function stripeSignatureHeader(payload: string, secret: string, timestampSec: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestampSec}.${payload}`, 'utf8').digest('hex');
  return `t=${timestampSec},v1=${v1}`;
}
