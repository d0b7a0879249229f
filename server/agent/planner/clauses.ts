/**
 * Splits an instruction into ordered clauses at "and", "then", "after that", semicolons and sentence
 * ends. Quotes and URLs are placeholders by now, so their contents never split.
 */

export interface Clause {
  text: string;
  /**
   * How the clause was joined to the one before: `then` marks a sequence, where "it" means the last
   * result; `comma` is a weak separator the planner undoes when the part after it names no service.
   */
  connector: 'start' | 'and' | 'then' | 'comma' | 'colon';
}

const SEPARATOR =
  /\s*,?\s*\b(and then|then|after that|afterwards|followed by|and also|as well as|also|plus|and)\b\s*|\s*;\s*|(?<=[.!?])\s+|\s*&\s*|\s*\+\s*|:\s+|\s*,(?!\d)\s*/gi;

export function splitClauses(instruction: string): Clause[] {
  const clauses: Clause[] = [];
  let connector: Clause['connector'] = 'start';
  let last = 0;
  for (const match of instruction.matchAll(SEPARATOR)) {
    push(instruction.slice(last, match.index), connector);
    connector = /then|after|followed/i.test(match[0]) ? 'then' : match[0].trim() === ',' ? 'comma' : match[0].trim() === ':' ? 'colon' : 'and';
    last = match.index + match[0].length;
  }
  push(instruction.slice(last), connector);
  return clauses;

  function push(text: string, joinedBy: Clause['connector']) {
    const trimmed = text.replace(/^[\s,.!?]+|[\s,.!?]+$/g, '');
    if (trimmed.length === 0) return;
    clauses.push({ text: trimmed, connector: clauses.length === 0 ? 'start' : joinedBy });
  }
}
