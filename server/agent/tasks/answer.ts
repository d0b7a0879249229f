/**
 * Turns step outputs into something a person reads: each output becomes a block (text, facts or a
 * table), and the answer's summary is one sentence per step. Deterministic templates, no model:
 * the same outputs always give the same answer, and nothing is invented.
 */
export type AnswerBlock =
  | { kind: 'text'; text: string }
  | { kind: 'facts'; facts: { label: string; value: string }[] }
  | { kind: 'table'; columns: string[]; rows: string[][] };

export interface StepAnswer {
  stepId: string;
  title: string;
  blocks: AnswerBlock[];
}

export interface TaskAnswer {
  summary: string;
  steps: StepAnswer[];
}

/** The body a provider delivered: JSON when it parses, otherwise the text itself. */
export function parseOutput(bodyText: string, contentType: string | null): unknown {
  const looksJson = (contentType ?? '').includes('json') || /^\s*[[{]/.test(bodyText);
  if (!looksJson) return bodyText;
  try {
    return JSON.parse(bodyText) as unknown;
  } catch {
    return bodyText;
  }
}

const MAX_TABLE_ROWS = 50;
const MAX_TEXT_CHARS = 4_000;

function label(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function scalar(value: unknown): string | null {
  if (typeof value === 'string') return value.length > MAX_TEXT_CHARS ? `${value.slice(0, MAX_TEXT_CHARS)}…` : value;
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-US') : String(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (value === null) return '—';
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tableOf(items: unknown[]): AnswerBlock {
  if (items.every(isRecord)) {
    const columns = [...new Set(items.flatMap((item) => Object.keys(item).filter((k) => scalar(item[k]) !== null)))];
    const rows = items.slice(0, MAX_TABLE_ROWS).map((item) => columns.map((c) => scalar(item[c]) ?? ''));
    return { kind: 'table', columns: columns.map(label), rows };
  }
  return { kind: 'table', columns: ['Value'], rows: items.slice(0, MAX_TABLE_ROWS).map((item) => [scalar(item) ?? JSON.stringify(item)]) };
}

/** Blocks for one output: text for a string, facts for an object's scalars, a table per array. */
export function blocksFor(output: unknown): AnswerBlock[] {
  const text = scalar(output);
  if (text !== null) return [{ kind: 'text', text }];
  if (Array.isArray(output)) return [tableOf(output)];
  if (!isRecord(output)) return [{ kind: 'text', text: JSON.stringify(output) }];
  const facts: { label: string; value: string }[] = [];
  const blocks: AnswerBlock[] = [];
  for (const [key, value] of Object.entries(output)) {
    const shown = scalar(value);
    if (shown !== null) facts.push({ label: label(key), value: shown });
    else if (Array.isArray(value)) blocks.push(tableOf(value));
    else if (isRecord(value)) {
      for (const [inner, innerValue] of Object.entries(value)) {
        const innerShown = scalar(innerValue);
        if (innerShown !== null) facts.push({ label: `${label(key)}: ${label(inner)}`, value: innerShown });
      }
    }
  }
  return facts.length > 0 ? [{ kind: 'facts', facts }, ...blocks] : blocks;
}

/** Text that reads as a sentence (a joke's line, a summary), not a label such as a source's name. */
const isSentence = (text: string) => /[.!?…]["')]?$/.test(text.trim()) && /\s/.test(text.trim());

/** One line per step: its sentences, or its first few facts, or the table's size. */
function sentenceFor(title: string, blocks: AnswerBlock[]): string {
  const texts = blocks.flatMap((b) => (b.kind === 'text' ? [b.text] : b.kind === 'facts' ? b.facts.filter((f) => isSentence(f.value)).map((f) => f.value) : []));
  if (texts.length > 0) return `${title}: ${texts.join(' ')}`;
  const facts = blocks.flatMap((b) => (b.kind === 'facts' ? b.facts : []));
  if (facts.length > 0) return `${title}: ${facts.slice(0, 3).map((f) => `${f.label} ${f.value}`).join(', ')}.`;
  const table = blocks.find((b) => b.kind === 'table');
  return table && table.kind === 'table' ? `${title}: ${table.rows.length} rows.` : `${title}: no content.`;
}

export function composeAnswer(steps: { stepId: string; title: string; output: unknown }[]): TaskAnswer {
  const answered = steps.map((s) => ({ stepId: s.stepId, title: s.title, blocks: blocksFor(s.output) }));
  return { summary: answered.map((s) => sentenceFor(s.title, s.blocks)).join('\n'), steps: answered };
}
