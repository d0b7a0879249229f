import { describe, expect, it } from 'vitest';
import { parseStripeForm } from './form';

describe('parseStripeForm', () => {
  it('nests bracketed keys and turns indexed objects into arrays, as Stripe reads them', () => {
    const body =
      'mode=payment&line_items[0][price_data][currency]=usd&line_items[0][price_data][unit_amount]=500' +
      '&line_items[0][quantity]=2&line_items[1][quantity]=1&metadata[userId]=u%201&payment_method_types[]=card' +
      '&success_url=http%3A%2F%2Fx%2Fok%3Fid%3D%7BCHECKOUT_SESSION_ID%7D';
    expect(parseStripeForm(body)).toEqual({
      mode: 'payment',
      line_items: [{ price_data: { currency: 'usd', unit_amount: '500' }, quantity: '2' }, { quantity: '1' }],
      metadata: { userId: 'u 1' },
      payment_method_types: ['card'],
      success_url: 'http://x/ok?id={CHECKOUT_SESSION_ID}',
    });
  });

  it('accepts percent-encoded brackets and ignores prototype keys', () => {
    const parsed = parseStripeForm('metadata%5Ba%5D=1&__proto__[polluted]=1&metadata[__proto__][x]=2');
    expect(parsed).toEqual({ metadata: { a: '1' } });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
