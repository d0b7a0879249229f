/**
 * Parameters a person writes in plain language: places, languages, currencies, dates and numbers.
 * Each mention keeps the words it was made of, so the planner can count those words as understood
 * when a service takes the parameter, and only then.
 */
import { words } from './text/terms';

export interface Mention<T> {
  value: T;
  /** Lower-cased words of the mention, as `words()` splits them. */
  words: string[];
}

export interface NumberMention extends Mention<number> {
  /** Up to two words either side, lower-cased, for matching the number to an input by its name. */
  near: string[];
}

export interface Entities {
  places: Mention<string>[];
  /** ISO 639-1 codes. */
  languages: Mention<string>[];
  /** ISO 4217 codes. */
  currencies: Mention<string>[];
  /** YYYY-MM-DD. */
  dates: Mention<string>[];
  numbers: NumberMention[];
}

const LANGUAGES: Record<string, string> = {
  english: 'en', spanish: 'es', castilian: 'es', french: 'fr', german: 'de', portuguese: 'pt', italian: 'it',
  dutch: 'nl', japanese: 'ja', chinese: 'zh', mandarin: 'zh', russian: 'ru', arabic: 'ar', korean: 'ko',
  hindi: 'hi', polish: 'pl', swedish: 'sv', norwegian: 'no', danish: 'da', finnish: 'fi', turkish: 'tr',
  greek: 'el', catalan: 'ca', czech: 'cs', ukrainian: 'uk', hebrew: 'he', indonesian: 'id', vietnamese: 'vi',
  thai: 'th', romanian: 'ro', hungarian: 'hu',
};

const CURRENCIES: Record<string, string> = {
  usd: 'USD', dollar: 'USD', dollars: 'USD', eur: 'EUR', euro: 'EUR', euros: 'EUR', gbp: 'GBP', pound: 'GBP',
  pounds: 'GBP', sterling: 'GBP', jpy: 'JPY', yen: 'JPY', chf: 'CHF', franc: 'CHF', francs: 'CHF', cad: 'CAD',
  aud: 'AUD', cny: 'CNY', yuan: 'CNY', renminbi: 'CNY', inr: 'INR', rupee: 'INR', rupees: 'INR', mxn: 'MXN',
  brl: 'BRL', real: 'BRL', reais: 'BRL',
};

// Cities written in lower case are still recognised; capitalised names after "in/for/at" need no list.
const CITIES = [
  'london', 'paris', 'berlin', 'madrid', 'new york', 'san francisco', 'tokyo', 'sydney', 'buenos aires',
  'cape town', 'san salvador', 'reykjavik', 'nairobi', 'singapore', 'rome', 'lisbon', 'amsterdam', 'dublin',
  'vienna', 'prague', 'zurich', 'geneva', 'barcelona', 'moscow', 'beijing', 'shanghai', 'hong kong', 'seoul',
  'mumbai', 'delhi', 'bangkok', 'dubai', 'istanbul', 'cairo', 'lagos', 'toronto', 'vancouver', 'montreal',
  'chicago', 'los angeles', 'boston', 'seattle', 'miami', 'austin', 'denver', 'mexico city', 'sao paulo',
  'rio de janeiro', 'lima', 'bogota', 'santiago', 'melbourne', 'auckland', 'oslo', 'stockholm', 'copenhagen',
  'helsinki', 'warsaw', 'athens', 'budapest', 'brussels', 'munich', 'milan', 'kyiv', 'jakarta', 'manila',
];

const NOT_PLACES = new Set([
  ...Object.keys(LANGUAGES), ...Object.keys(CURRENCIES),
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november',
  'december', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday',
  'today', 'tomorrow', 'yesterday', 'i', 'the', 'a', 'an',
]);

const CAPITALISED_PLACE = /\b(?:in|for|at|of)\s+((?:[A-Z][\p{L}'’.-]*)(?:\s+(?:de|del|da|do)?\s*[A-Z][\p{L}'’.-]*){0,2})/gu;
const ISO_DATE = /\b(\d{4})-(\d{2})-(\d{2})\b/g;
const DAY_MS = 86_400_000;
const RELATIVE_DAYS: Record<string, number> = { yesterday: -1, today: 0, tonight: 0, tomorrow: 1 };

export function extractEntities(text: string, nowMs: number | undefined): Entities {
  const lower = words(text);
  return {
    places: extractPlaces(text, lower),
    languages: lower.filter((w) => LANGUAGES[w]).map((w) => ({ value: LANGUAGES[w] ?? '', words: [w] })),
    currencies: lower.filter((w) => CURRENCIES[w]).map((w) => ({ value: CURRENCIES[w] ?? '', words: [w] })),
    dates: extractDates(text, lower, nowMs),
    numbers: extractNumbers(text),
  };
}

export function isLanguageName(word: string): boolean {
  return LANGUAGES[word.toLowerCase()] !== undefined;
}

export function languageName(code: string): string | undefined {
  const entry = Object.entries(LANGUAGES).find(([, c]) => c === code);
  return entry ? entry[0].charAt(0).toUpperCase() + entry[0].slice(1) : undefined;
}

function extractPlaces(text: string, lower: string[]): Mention<string>[] {
  const found: Mention<string>[] = [];
  const seen = new Set<string>();
  const add = (name: string) => {
    const key = name.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    found.push({ value: name, words: words(name) });
  };
  for (const match of text.matchAll(CAPITALISED_PLACE)) {
    const name = (match[1] ?? '').replace(/[.’']+$/, '');
    const nameWords = words(name);
    // An all-capitals short word is a code (EUR, BTC), not a place.
    if (nameWords.length === 0 || nameWords.some((w) => NOT_PLACES.has(w)) || /^[A-Z]{2,4}$/.test(name)) continue;
    add(name);
  }
  const joined = ` ${lower.join(' ')} `;
  for (const city of CITIES) {
    if (joined.includes(` ${city} `)) add(city.replace(/\b\p{L}/gu, (c) => c.toUpperCase()));
  }
  // The same city found both ways ("in Paris" and "paris") is kept once, in the order it appears.
  return found.sort((a, b) => joined.indexOf(` ${a.words.join(' ')} `) - joined.indexOf(` ${b.words.join(' ')} `));
}

function extractDates(text: string, lower: string[], nowMs: number | undefined): Mention<string>[] {
  const dates: Mention<string>[] = [];
  for (const match of text.matchAll(ISO_DATE)) dates.push({ value: match[0], words: words(match[0]) });
  if (nowMs !== undefined) {
    for (const w of lower) {
      const offset = RELATIVE_DAYS[w];
      if (offset !== undefined) dates.push({ value: new Date(nowMs + offset * DAY_MS).toISOString().slice(0, 10), words: [w] });
    }
  }
  return dates;
}

function extractNumbers(text: string): NumberMention[] {
  const withoutDates = text.replace(ISO_DATE, ' ');
  const tokens = withoutDates.toLowerCase().match(/[\p{L}\p{N}.]+/gu) ?? [];
  const numbers: NumberMention[] = [];
  tokens.forEach((token, i) => {
    const cleaned = token.replace(/\.+$/, '');
    if (!/^\d+(\.\d+)?$/.test(cleaned)) return;
    const near = [...tokens.slice(Math.max(0, i - 2), i), ...tokens.slice(i + 1, i + 3)].flatMap(words);
    numbers.push({ value: Number(cleaned), words: [cleaned], near });
  });
  return numbers;
}
