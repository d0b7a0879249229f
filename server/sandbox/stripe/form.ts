/**
 * Parses Stripe's form encoding (`line_items[0][price_data][unit_amount]=500`) into nested objects,
 * the way Stripe's API reads it: bracketed keys nest, and objects whose keys are 0..n-1 become arrays.
 */
type FormValue = string | FormObject | FormValue[];
interface FormObject {
  [key: string]: FormValue;
}

export function parseStripeForm(body: string): Record<string, unknown> {
  const root: FormObject = Object.create(null) as FormObject;
  for (const [fullKey, value] of new URLSearchParams(body)) {
    const path = keyPath(fullKey);
    if (!path) continue;
    let node: FormObject = root;
    path.forEach((segment, i) => {
      // `key[]` appends, as qs does.
      const name = segment === '' ? String(Object.keys(node).length) : segment;
      if (i === path.length - 1) {
        node[name] = value;
        return;
      }
      const next = node[name];
      if (typeof next === 'object' && !Array.isArray(next)) {
        node = next;
      } else {
        const created = Object.create(null) as FormObject;
        node[name] = created;
        node = created;
      }
    });
  }
  return toArrays(root) as Record<string, unknown>;
}

/** `a[b][0]` -> ['a', 'b', '0']; null for keys that are not bracket-well-formed. */
function keyPath(key: string): string[] | null {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match?.[1]) return null;
  const rest = match[2] ?? '';
  const segments = [...rest.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? '');
  if (segments.some((s) => s === '__proto__' || s === 'constructor') || match[1] === '__proto__') return null;
  return [match[1], ...segments];
}

function toArrays(value: FormValue): unknown {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const entries = keys.map((k) => [k, toArrays(value[k] as FormValue)] as const);
  const isList = keys.length > 0 && keys.every((k, i) => k === String(i));
  return isList ? entries.map(([, v]) => v) : Object.fromEntries(entries);
}
