import { describe, expect, it } from 'vitest';
import { intentOf, spellCounts, timeFrameOf } from './intent';

describe('what a clause is for', () => {
  it.each([
    ['hi there', 'filler'],
    ['Thank you so much, that was great', 'filler'],
    ["yo what's up", 'filler'],
    ["I'm sending some coins later", 'context'],
    ['My mom loves puns', 'context'],
    ["I'd like the latest science headlines", 'ask'],
    ['I need a laugh', 'ask'],
    ['What do you think about bitcoin', 'opinion'],
    ['is bitcoin a good investment', 'opinion'],
    ['how much should I pay in fees to confirm soon', 'ask'],
  ])('%s -> %s', (clause, intent) => {
    expect(intentOf(clause)).toBe(intent);
  });

  it('tells a time a present-only service cannot serve', () => {
    expect(timeFrameOf('what will the bitcoin price be next week')).toBe('future');
    expect(timeFrameOf('predict the BTC price for 2027')).toBe('future');
    expect(timeFrameOf('what was the bitcoin price on 2020-01-01')).toBe('past');
    expect(timeFrameOf("what's the bitcoin price")).toBe('present');
  });

  it('writes count words as numbers', () => {
    expect(spellCounts('two jokes, a couple of headlines and a few stories')).toBe('2 jokes, 2 headlines and 3 stories');
    expect(spellCounts('a dozen headlines')).toBe('12 headlines');
  });
});
