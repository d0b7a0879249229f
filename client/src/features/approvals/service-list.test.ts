import { describe, expect, it } from 'vitest';
import { serviceList } from './service-list';

describe('serviceList', () => {
  it('names a service bought twice once, with its count, in first-seen order', () => {
    expect(serviceList([{ serviceName: 'weather' }, { serviceName: 'btc-price' }, { serviceName: 'weather' }])).toBe('weather ×2, btc-price');
  });

  it('lists distinct services as they come, and nothing for no steps', () => {
    expect(serviceList([{ serviceName: 'joke' }, { serviceName: 'translate' }])).toBe('joke, translate');
    expect(serviceList([])).toBe('');
  });
});
