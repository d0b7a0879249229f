/**
 * What a clause is for, before any service is matched: a greeting or thanks asks for nothing; a
 * statement about the person ("I'm sending some coins later") is context, whose places and dates may
 * complete another clause; an opinion question ("is bitcoin a good investment?") asks for something
 * no service does. Also when a clause asks about: a time the present-only services cannot serve
 * ("next week", "predict"), and how many ("two jokes", "a couple of").
 */
import { words } from './text/terms';

export type ClauseIntent = 'filler' | 'context' | 'opinion' | 'ask';

// Greetings, thanks and small talk: a clause made only of these asks for nothing.
export const FILLER: ReadonlySet<string> = new Set(
  `hi hello hey hiya heya yo howdy greetings morning evening afternoon good day there steward thanks thank thx cheers
  you so much very great cool ok okay awesome nice perfect lovely sorry to bother quick question just curious help helped
  earlier how are doing what what's whats up sup that's thats all was it is that the for your again please i a me and now well
  wonderful brilliant fine alright right sure yes yeah yep no nope hmm oh wow haha lol appreciate appreciated s t d ll ve re m
  plus also then after afterwards followed well first second finally too either`.split(/\s+/),
);

// A statement about the person, not a request: "I'm travelling", "My mom loves puns", "We're planning".
const STATEMENT = /^(i\s*'?m|i am|i've|i have|i was|i will|i'll|i think|i believe|i run|i live|i work|i just|i've been|my|we\s*'?re|we are|we have|we've|we will|our)\b/i;
// ...unless it asks for something after all.
const REQUEST_VERB = /\b(i\s*'?d like|i would like|i want|i need|i'd love|i would love|i wonder|i'm looking for|i am looking for|give|tell|show|get|find|translate|summari[sz]e|what|how|will|is it|are there|any)\b/i;
const OPINION = /\b(what do you think|your opinion|do you think|should i (buy|sell|invest|hold|trust)|is it a good|a good investment|worth (buying|it)|would you|do you like|whether i should|is .* a good)\b/i;

export function intentOf(clause: string): ClauseIntent {
  const lower = clause.toLowerCase().replace(/[’]/g, "'");
  const clauseWords = words(lower);
  if (clauseWords.length > 0 && clauseWords.every((w) => FILLER.has(w))) return 'filler';
  if (OPINION.test(lower)) return 'opinion';
  if (STATEMENT.test(lower.trim()) && !REQUEST_VERB.test(lower)) return 'context';
  return 'ask';
}

/** A time no present-only service can serve: the future, or a past day. */
const FUTURE = /\b(will (it|the|bitcoin|btc|its|be)\b.*\bbe\b|going to be|gonna be|predict(ion)?|forecast for (bitcoin|btc|the price)|next (week|month|year)|in \d{4}|for \d{4}|\b20[3-9]\d\b|\b202[7-9]\b)/i;
const PAST = /\b(was|were|last (week|month|year|night)|ago|\b(19|20)[0-2]\d-\d\d-\d\d\b|historical|history)\b/i;

export function timeFrameOf(clause: string): 'future' | 'past' | 'present' {
  if (FUTURE.test(clause)) return 'future';
  if (PAST.test(clause)) return 'past';
  return 'present';
}

const COUNT_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  twenty: 20, dozen: 12, couple: 2, pair: 2, few: 3, several: 3,
};

/** Count words written as numbers, so "two jokes" reads like "2 jokes" ("a couple of" is 2, "a few" 3). */
export function spellCounts(text: string): string {
  return text
    .replace(/\b(a\s+)?(couple|pair)(\s+of)?\b/gi, '2')
    .replace(/\ba\s+few\b/gi, '3')
    .replace(/\ba\s+dozen\b/gi, '12')
    .replace(/\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|dozen|several)\b/gi, (w) => String(COUNT_WORDS[w.toLowerCase()] ?? w));
}
