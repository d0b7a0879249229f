/**
 * A follow-up's words for the previous answer: "translate that" means the answer as the person read it
 * (its last step); "translate the summary" means the step that made the summary, even when a
 * translation of it came after.
 */
import type { PreviousAnswer } from './planner';
import { stem, terms } from './text/terms';

/** Words before a noun that point at something already there ("the summary", "that joke"). */
export const DETERMINERS = new Set(['the', 'that', 'this', 'its', 'your']);
/** Nouns a follow-up uses for the previous answer ("translate the summary", "is that joke positive"). */
const ANSWER_NOUNS = new Set(['summary', 'forecast', 'joke', 'headlines', 'headline', 'translation', 'report', 'text', 'answer', 'result', 'one', 'story', 'news']);

/** "translate the summary" after an answer: the noun after a determiner names that answer, not a service to buy. */
export function answerNounsIn(clauseWords: readonly string[]): Set<string> {
  const found = new Set<string>();
  clauseWords.forEach((w, i) => {
    if (i > 0 && DETERMINERS.has(clauseWords[i - 1] ?? '') && ANSWER_NOUNS.has(w)) found.add(stem(w));
  });
  return found;
}

/** The previous answer's text a clause refers to: the last step named by one of its answer nouns, else the answer itself. */
export function previousTextFor(previous: PreviousAnswer, clauseWords: readonly string[]): { text: string; named?: string } {
  const nouns = answerNounsIn(clauseWords);
  const parts = previous.parts ?? [];
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i];
    if (!part) continue;
    const named = part.names.flatMap(terms).find((t) => nouns.has(t));
    if (named !== undefined) return { text: part.text, named: clauseWords.find((w) => stem(w) === named) ?? named };
  }
  return { text: previous.text };
}
