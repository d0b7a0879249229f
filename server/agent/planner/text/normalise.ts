/**
 * What people type before the planner reads it: chat abbreviations ("tmrw", "pls", "abt") spelled out,
 * and words a letter away from the catalog's own vocabulary ("wether", "transalte") corrected to it.
 * Only words the catalog does not know are corrected, and only towards words it does, so a correct
 * word never turns into another.
 */
const ABBREVIATIONS: Record<string, string> = {
  tmrw: 'tomorrow', tmr: 'tomorrow', tmrow: 'tomorrow', tmw: 'tomorrow', '2moro': 'tomorrow', '2morrow': 'tomorrow', tomoz: 'tomorrow',
  tdy: 'today', rn: 'right now', pls: 'please', plz: 'please', thx: 'thanks', ty: 'thanks', abt: 'about', bout: 'about',
  u: 'you', ur: 'your', r: 'are', gimme: 'give me', wanna: 'want to', whats: "what's", wats: "what's", hows: "how's",
  nyc: 'New York', sf: 'San Francisco', tldr: 'summarise', 'tl;dr': 'summarise', 'tl:dr': 'summarise', info: 'information',
  temp: 'temperature', temps: 'temperatures', tech: 'technology', convo: 'conversation', msg: 'message', '&': 'and', '+': 'and',
};

/**
 * Everyday words a typo must not be corrected away from ("send" is not "seed", "year" not "yeah"),
 * added to the catalog's vocabulary by the planner.
 */
export const COMMON_WORDS = `send sent buy sell pay paid book order set play open post write read call email mail year years hour
  hours minute minutes second time date week month day night swiss mars moon earth people person live lives capital city
  country music song movie film game stock stocks share shares gold silver oil tea coffee pizza hotel flight taxi car train
  bank account balance wallet invoice transfer money cash card alarm remind reminder reset password poem story image photo
  picture video draw paint cook recipe make made meaning life history future past wife husband son daughter sister brother
  mom dad friend boss team work job school home house dog cat cats dogs sport sports football match won win lost score
  subscription cancel hack wifi channel node`.split(/\s+/);

/** Spells out chat abbreviations, keeping the rest of the text (and its capitals) as typed. */
export function expandAbbreviations(text: string): string {
  return text
    .replace(/[€$£¥]/g, (symbol) => ` ${CURRENCY_SYMBOLS[symbol] ?? ''} `)
    .replace(/(^|[\s(,])(tl[;:]?dr|[\p{L}\p{N}&+]+)(?=$|[\s?!.,:)'’])/giu, (whole, lead: string, word: string) => {
      const expanded = ABBREVIATIONS[word.toLowerCase()];
      return expanded === undefined ? whole : `${lead}${expanded}`;
    })
    // "between euros and dollars" is one thing (a conversion), not two asks joined by "and".
    .replace(/\bbetween\s+(\S+)\s+and\s+/gi, 'between $1 to ');
}

const CURRENCY_SYMBOLS: Record<string, string> = { '€': 'euros', $: 'dollars', '£': 'pounds', '¥': 'yen' };

/** Damerau-Levenshtein distance (adjacent transpositions count as one edit), stopping early past `max`. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    let best = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = rows[i] as number[];
      const above = rows[i - 1] as number[];
      let value = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row[j] = value;
      best = Math.min(best, value);
    }
    if (best > max) return max + 1;
  }
  return rows[a.length]?.[b.length] ?? max + 1;
}

/** Edits allowed for a word of this length: none below 4 letters, one up to 7, two beyond. */
function allowedEdits(word: string): number {
  return word.length < 4 ? 0 : word.length < 8 ? 1 : 2;
}

/**
 * A corrector over a vocabulary: `correct(word)` is the vocabulary word it was meant to be, or the
 * word itself when it is known, too short, or no single closest word stands out.
 */
export function createCorrector(vocabulary: Iterable<string>): (word: string) => string {
  const known = new Set([...vocabulary].map((w) => w.toLowerCase()).filter((w) => /^\p{L}+$/u.test(w)));
  const byLength = new Map<number, string[]>();
  for (const w of known) byLength.set(w.length, [...(byLength.get(w.length) ?? []), w]);
  const cache = new Map<string, string>();
  return (word) => {
    const lower = word.toLowerCase();
    if (known.has(lower) || !/^\p{L}+$/u.test(lower)) return word;
    const cached = cache.get(lower);
    if (cached !== undefined) return cached;
    const max = allowedEdits(lower);
    let best: string | undefined;
    let bestDistance = max + 1;
    let tie = false;
    for (let length = lower.length - max; length <= lower.length + max; length++) {
      for (const candidate of byLength.get(length) ?? []) {
        // A typo keeps the first letter almost always; requiring it keeps corrections conservative.
        if (candidate[0] !== lower[0]) continue;
        const distance = editDistance(lower, candidate, max);
        if (distance < bestDistance) [best, bestDistance, tie] = [candidate, distance, false];
        else if (distance === bestDistance && candidate !== best) tie = true;
      }
    }
    const corrected = best !== undefined && !tie ? best : word;
    cache.set(lower, corrected);
    return corrected;
  };
}
