import { describe, expect, it } from 'vitest';
import { afterSignIn, safeReturnPath } from './return-path';

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

describe('afterSignIn', () => {
  it('lands on Home when nobody was sent away from a page', () => {
    for (const from of [undefined, null, 42, '', '/', '/signin', '/signin?x=1', '/signup', '//evil.example']) {
      expect(afterSignIn(from)).toBe('/');
    }
  });
  it('goes back to the deeper page the person was sent from, query included', () => {
    expect(afterSignIn('/approvals?approval=a1')).toBe('/approvals?approval=a1');
    expect(afterSignIn('/chat')).toBe('/chat');
    expect(afterSignIn('/signing-key')).toBe('/signing-key');
  });
});
