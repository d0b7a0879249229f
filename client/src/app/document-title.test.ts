import { describe, expect, it } from 'vitest';
import { documentTitle } from './document-title';

describe('documentTitle', () => {
  it('names the area open, and leads with the spends waiting', () => {
    expect(documentTitle('/', 0)).toBe('Steward');
    expect(documentTitle('/wallet/top-ups/abc', 0)).toBe('Wallet · Steward');
    expect(documentTitle('/chat', 2)).toBe('(2) Chat · Steward');
    expect(documentTitle('/agent-keys', 0)).toBe('Agent keys · Steward');
    expect(documentTitle('/nowhere', 1)).toBe('(1) Steward');
  });
});
