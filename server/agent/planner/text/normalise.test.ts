import { describe, expect, it } from 'vitest';
import { createCorrector, editDistance, expandAbbreviations } from './normalise';

describe('normalising what people type', () => {
  it('spells out chat abbreviations and currency symbols, keeping the rest as typed', () => {
    expect(expandAbbreviations('wether in London tmrw pls')).toBe('wether in London tomorrow please');
    expect(expandAbbreviations("tmrw's weather")).toBe("tomorrow's weather");
    expect(expandAbbreviations('tl;dr: text')).toBe('summarise: text');
    expect(expandAbbreviations('bitcoin price in €')).toBe('bitcoin price in  euros ');
    expect(expandAbbreviations('the exchange rate between euros and dollars')).toBe('the exchange rate between euros to dollars');
    // Inside a word nothing changes: "pleasure" is not "pls".
    expect(expandAbbreviations('a pleasure, rnd')).toBe('a pleasure, rnd');
  });

  it('counts a transposition as one edit', () => {
    expect(editDistance('transalte', 'translate')).toBe(1);
    expect(editDistance('wether', 'weather')).toBe(1);
    expect(editDistance('abc', 'xyz', 1)).toBe(2);
  });

  it('corrects an unknown word to the one vocabulary word within reach, and nothing else', () => {
    const correct = createCorrector(['weather', 'translate', 'headlines', 'send', 'seed', 'price', 'prize']);
    expect(['wether', 'transalte', 'headlnes'].map(correct)).toEqual(['weather', 'translate', 'headlines']);
    // Known words, short words, and words with two equally close candidates stay as typed.
    expect(correct('send')).toBe('send');
    expect(correct('tea')).toBe('tea');
    expect(correct('prise')).toBe('prise');
    // A different first letter is not a typo the corrector assumes.
    expect(correct('feather')).toBe('feather');
  });
});
