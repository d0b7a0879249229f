import { describe, expect, it } from 'vitest';
import { refusalMessages } from './errors';

// Issue 14 item 5, "no dead ends": every refusal tells the person what they can do next, not only
// what went wrong. A message passes when it names an action (try, enter, choose, reload, wait, ...).
const NEXT_STEP = /\b(try|enter|choose|check|copy|wait|turn|use|sign in|reload|follow|ask|connect|give|add|contact|type|say|find|see|make|withdraw|receive)\b/i;

describe('refusal messages', () => {
  it('each says what to do next', () => {
    const deadEnds = refusalMessages().filter(([, message]) => !NEXT_STEP.test(message) && !message.includes('Nothing was charged'));
    expect(deadEnds).toEqual([]);
  });
});
