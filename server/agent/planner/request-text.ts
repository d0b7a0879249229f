/**
 * Separates what a request says to do from the material it says to do it to. Quoted passages and
 * URLs are lifted out and replaced by placeholders, so a word like "and" inside a quote never splits
 * the request; a long passage after a colon or a line break ("summarise this: <text>") is the payload.
 */

export interface PreparedRequest {
  /** The request with quotes and URLs replaced by placeholders and the payload cut off. */
  instruction: string;
  quotes: string[];
  urls: string[];
  payload?: string;
}

export const QUOTE_PLACEHOLDER = /⟦q(\d+)⟧/g;
export const URL_PLACEHOLDER = /⟦u(\d+)⟧/g;

// Opening quote at the start or after a space/bracket/colon; closing quote before a boundary. The
// lazy body lets an apostrophe sit inside ('it's fine'), while "today's" never opens a quote.
const QUOTED = /(^|[\s(:[])(?:"([^"]+)"|“([^”]+)”|‘(.+?)’(?=[\s.,!?;:)\]]|$)|'(.+?)'(?=[\s.,!?;:)\]]|$))/g;
const URL = /\bhttps?:\/\/[^\s"'<>⟦⟧]+/g;
/** A payload must be at least this many words, so "weather: London" stays an instruction. */
const MIN_PAYLOAD_WORDS = 4;

export function prepareRequest(text: string, options: { payload?: boolean } = {}): PreparedRequest {
  const quotes: string[] = [];
  const urls: string[] = [];
  let instruction = text.replace(QUOTED, (_match, lead: string, ...bodies: Array<string | undefined>) => {
    const body = bodies.slice(0, 4).find((b) => b !== undefined) ?? '';
    quotes.push(body.trim());
    return `${lead}⟦q${quotes.length - 1}⟧`;
  });
  instruction = instruction.replace(URL, (url) => {
    const trimmed = url.replace(/[.,!?;:)\]]+$/, '');
    urls.push(trimmed);
    return `⟦u${urls.length - 1}⟧${url.slice(trimmed.length)}`;
  });

  const payloadCut = options.payload === false ? undefined : findPayload(instruction);
  if (!payloadCut) return { instruction: instruction.trim(), quotes, urls };
  // Quotes and URLs inside the payload are part of its text.
  const payload = payloadCut.payload
    .replace(QUOTE_PLACEHOLDER, (_m, i: string) => `"${quotes[Number(i)] ?? ''}"`)
    .replace(URL_PLACEHOLDER, (_m, i: string) => urls[Number(i)] ?? '');
  return { instruction: payloadCut.instruction, quotes, urls, payload };
}

function findPayload(instruction: string): { instruction: string; payload: string } | undefined {
  // A colon followed by a space (not 10:30), or the first line break, ends the instruction.
  const colon = /:(?=\s)|\r?\n/.exec(instruction);
  if (!colon) return undefined;
  const head = instruction.slice(0, colon.index).trim();
  const tail = instruction.slice(colon.index + colon[0].length).trim();
  // A payload made only of placeholders is already a quote or URL: leave it in the instruction.
  if (tail.replace(/⟦[qu]\d+⟧/g, '').trim().length === 0) return undefined;
  if (head.length === 0 || tail.split(/\s+/).length < MIN_PAYLOAD_WORDS) return undefined;
  return { instruction: head, payload: tail };
}

/** Indices of the quote placeholders in a piece of instruction text, in order. */
export function placeholders(text: string, kind: 'q' | 'u'): number[] {
  const pattern = kind === 'q' ? QUOTE_PLACEHOLDER : URL_PLACEHOLDER;
  return [...text.matchAll(pattern)].map((m) => Number(m[1]));
}

export function withoutPlaceholders(text: string): string {
  return text.replace(/⟦[qu]\d+⟧/g, ' ');
}
