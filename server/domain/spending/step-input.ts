/**
 * The input a step is paid for: the quoted one, or for a chained step the quoted one with the chained
 * field filled from an earlier step's output. That text exists only at run time, so it is the one
 * thing a caller supplies; it must be a string within the characters and words the quote priced,
 * and every other field must be exactly as quoted. Pure.
 */
import { measureText } from '../../../shared/text-measure';
import { canonicalJson, type JsonValue } from '../ledger/canonical-json';
import type { QuotedCall } from '../quotes';
import type { SpendRefusal } from './types';

export type StepInputCheck = { ok: true; input: Record<string, unknown> } | { ok: false; reason: Extract<SpendRefusal, 'input_not_quoted' | 'input_beyond_quote'> };

export function stepInput(call: QuotedCall, resolved: Record<string, unknown> | undefined): StepInputCheck {
  if (resolved === undefined) return call.chained === null ? { ok: true, input: call.input } : { ok: false, reason: 'input_not_quoted' };
  if (call.chained === null) return sameInput(resolved, call.input) ? { ok: true, input: call.input } : { ok: false, reason: 'input_not_quoted' };
  const { field, maxChars, maxWords } = call.chained;
  const text = resolved[field];
  const { [field]: _quoted, ...quotedRest } = call.input;
  const { [field]: _resolved, ...resolvedRest } = resolved;
  if (typeof text !== 'string' || !sameInput(resolvedRest, quotedRest)) return { ok: false, reason: 'input_not_quoted' };
  const measured = measureText(text);
  if ((maxChars !== null && measured.chars > maxChars) || (maxWords !== null && measured.words > maxWords)) return { ok: false, reason: 'input_beyond_quote' };
  return { ok: true, input: resolved };
}

/** Inputs are JSON (parsed from the plan and the stored quote), so they compare as canonical JSON. */
function sameInput(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return canonicalJson(a as JsonValue) === canonicalJson(b as JsonValue);
}
