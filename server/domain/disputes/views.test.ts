import { describe, expect, it } from 'vitest';
import { purchaseName } from './views';

describe('purchaseName', () => {
  const nameOf = (providerId: string) => (providerId === 'satoshi-jokes' ? 'Satoshi Jokes' : providerId);

  it('names the purchase as the chat card does: the service, then its provider by name', () => {
    expect(purchaseName({ serviceId: 'satoshi-jokes/joke', providerId: 'satoshi-jokes' }, nameOf)).toBe('joke (Satoshi Jokes)');
  });

  it('keeps a service id that does not start with its provider, and a provider without a name by its id', () => {
    expect(purchaseName({ serviceId: 'joke', providerId: 'elsewhere' }, nameOf)).toBe('joke (elsewhere)');
  });
});
