/**
 * Turns text into ranking terms: lower-cased words, minus stop words, with a light stemmer so that
 * "summarise", "summarize", "summary" and "summaries" meet, as do "translate" and "translation".
 * Requests and catalog entries go through the same function, so the stems only need to agree with
 * each other, not be real words.
 */

/** Letters and digits; hyphens and apostrophes split words ("btc-price" -> btc, price). */
export function words(text: string): string[] {
  return text.toLowerCase().replace(/['’]s\b/g, '').match(/[\p{L}\p{N}]+/gu) ?? [];
}

// Function words plus the filler of a request to an assistant ("can you please get me ..."), which
// says nothing about which service is meant. Time words are here too: dates are extracted separately.
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a an the and or but if then than so of to in on at by for with from into onto about as is are was were be been
  being am do does did done have has had having i me my mine we us our you your he she it its they them their this
  that these those there here what whats which who whom whose when where why how will would can could should may
  might must shall please pls kindly get give gimme show tell find fetch bring let lets want wanted need needed like
  know see look check also just now right currently current latest today tomorrow yesterday tonight some any all
  each every other more most very really much many few one up out over under again another same new use using make
  per e g eg ie via its it s t ok okay thanks thank hi hello hey got something anything stuff thing things she he d ll
  ve re m overall looking expected expect going gonna love wonder curious able`.split(/\s+/),
);

// Abbreviations and spelling variants that name the same thing; applied before stemming.
const SAME_AS: Record<string, string> = {
  btc: 'bitcoin',
  xbt: 'bitcoin',
  sats: 'sat',
  satoshi: 'sat',
  satoshis: 'sat',
};

/** Ranking terms of a text: words, minus stop words and bare numbers, normalised and stemmed. */
export function terms(text: string): string[] {
  return words(text)
    .filter((w) => !STOP_WORDS.has(w) && !/^\d+$/.test(w))
    .map((w) => stem(SAME_AS[w] ?? w));
}

/**
 * A light suffix stripper (inflection first, then a few derivational endings). Stems shorter than
 * three letters are never produced, so short words ("fee", "sun") survive intact.
 */
export function stem(word: string): string {
  let w = word.toLowerCase();
  if (w.length <= 3) return w;
  // American -> British spelling, so -ize/-yze words meet their -ise/-yse twins.
  w = w.replace(/iz(e|es|ed|ing|ation|ations|er|ers)$/, 'is$1').replace(/yz(e|es|ed|ing)$/, 'ys$1');
  w = inflection(w);
  return derivation(w);
}

function strip(w: string, suffix: string, replacement = '', minStem = 3): string | undefined {
  if (!w.endsWith(suffix)) return undefined;
  const base = w.slice(0, w.length - suffix.length);
  return base.length >= minStem ? base + replacement : undefined;
}

function inflection(w: string): string {
  if (w.endsWith('ss') || w.endsWith('us') || w.endsWith('is')) return w;
  const plural = strip(w, 'ies', 'y') ?? strip(w, 'sses', 'ss') ?? strip(w, 's');
  if (plural !== undefined) w = plural;
  return strip(w, 'ied', 'y') ?? strip(w, 'ing') ?? strip(w, 'ed') ?? w;
}

function derivation(w: string): string {
  return (
    strip(w, 'isation') ??
    strip(w, 'ation', 'at') ??
    strip(w, 'ise', '', 4) ??
    strip(w, 'is', '', 5) ??
    strip(w, 'ary', 'ar') ??
    strip(w, 'ily', 'y', 2) ??
    strip(w, 'ly') ??
    strip(w, 'e') ??
    w
  );
}
