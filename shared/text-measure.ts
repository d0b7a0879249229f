/**
 * How long a text is, as usage-priced L402 services count it: characters (UTF-16 code units, as
 * JSON Schema's maxLength and JavaScript count them) and words. Providers split words differently
 * (on whitespace, on runs of letters and digits), so `words` is the larger of the two counts: a quote
 * made with it covers what an honest provider counts, and a chained input checked with it cannot
 * exceed what its quote bounded.
 */
export interface TextMeasure {
  chars: number;
  words: number;
}

export function measureText(text: string): TextMeasure {
  const spaced = text.split(/\s+/).filter(Boolean).length;
  const runs = text.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
  return { chars: text.length, words: Math.max(spaced, runs) };
}
