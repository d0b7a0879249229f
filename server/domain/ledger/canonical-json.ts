// Stable JSON: object keys sorted at every depth, so two requests with the same content compare
// equal as strings however their fields were ordered. Used to tell an idempotent retry from a reused key.

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

// Written with loops rather than entries/filter/sort/map chains: every ledger operation serialises its
// request once, inside its write transaction.
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new Error(`canonicalJson: non-finite number ${value}`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) {
      // `?? ''`: a hole, or an undefined smuggled past the types, serialises to nothing, as join() did.
      const item: string | undefined = canonicalJson(value[i] as JsonValue);
      out += `${i === 0 ? '' : ','}${item ?? ''}`;
    }
    return `${out}]`;
  }
  const record = value as { readonly [key: string]: JsonValue | undefined };
  // The default sort compares UTF-16 code units, the same order as `a < b` on strings.
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}
