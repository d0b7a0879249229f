import { describe, expect, it } from 'vitest';
import { safeReturnPath } from './return-path';

describe('safeReturnPath', () => {
  it('keeps a path inside the app', () => {
    expect(safeReturnPath('/approvals?approval=a1')).toBe('/approvals?approval=a1');
    expect(safeReturnPath('/chat')).toBe('/chat');
  });
  it('refuses other sites and anything that is not a path', () => {
    for (const value of ['//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '', null]) {
      expect(safeReturnPath(value)).toBeNull();
    }
  });
});
