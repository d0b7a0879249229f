/**
 * A paid answer as a person reads it, composed from the output and the schema its provider
 * published: units from the field's name (`_pct` %, `_c` °C, `_mm` mm, `_kph` km/h), prices in the
 * currency the answer names, times in the person's time zone, sensible rounding, and labels in words
 * instead of field names. Nothing is invented: a field the schema does not explain is shown plainly.
 */
type JsonSchema = Record<string, unknown>;

export interface ReadableOptions {
  /** IANA zone for times (the person's preference); UTC when absent. */
  timeZone?: string;
}

export interface ReadableFact {
  label: string;
  value: string;
}

// Fields that say where an answer came from or how it was made, not what it says.
const PROVENANCE = /^(source|method|disclaimer|id|seed)$/;
const UNIT_SUFFIXES: ReadonlyArray<[RegExp, string]> = [
  [/_pct$/, '%'],
  [/_c$/, ' °C'],
  [/_mm$/, ' mm'],
  [/_kph$/, ' km/h'],
  [/_sat_per_vb$/, ' sat/vB'],
  [/_vmb$/, ' vMB'],
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const propertiesOf = (schema: unknown): Record<string, JsonSchema> =>
  isRecord(schema) && isRecord(schema['properties']) ? (schema['properties'] as Record<string, JsonSchema>) : {};

const descriptionOf = (schema: unknown): string => (isRecord(schema) && typeof schema['description'] === 'string' ? schema['description'] : '');

/** Text that reads as a sentence (a joke's line, a summary), not a label such as a city or a code. */
export function isSentence(text: string): boolean {
  const trimmed = text.trim();
  return /[.!?…]["')]?$/.test(trimmed) && /\s/.test(trimmed);
}

/** "change_24h_pct" -> "Change over 24 h"; a schema title wins. */
export function labelFor(name: string, schema?: unknown): string {
  if (isRecord(schema) && typeof schema['title'] === 'string') return schema['title'];
  let words = name;
  for (const [suffix] of UNIT_SUFFIXES) words = words.replace(suffix, '');
  words = words
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .replace(/\b(\d+)h\b/, 'over $1 h')
    .replace(/\bsats per unit\b/, 'sats per unit')
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function unitFor(name: string, context: Record<string, unknown>): string {
  for (const [suffix, unit] of UNIT_SUFFIXES) if (suffix.test(name)) return unit;
  return typeof context['unit'] === 'string' && typeof context[name] === 'number' ? ` ${context['unit']}` : '';
}

function round(value: number): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { maximumFractionDigits: Number.isInteger(value) ? 0 : digits });
}

/** The ISO currency an answer is priced in ("BTC/EUR" -> EUR), for its price fields. */
function currencyOf(context: Record<string, unknown>): string | undefined {
  const pair = context['pair'];
  const match = typeof pair === 'string' ? /\/([A-Z]{3})$/.exec(pair) : null;
  return match?.[1] ?? (typeof context['currency'] === 'string' && /^[A-Z]{3}$/.test(context['currency']) ? context['currency'] : undefined);
}

function formatTime(iso: string, options: ReadableOptions): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const timeZone = options.timeZone ?? 'UTC';
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(date);
  } catch {
    return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(date);
  }
}

function formatDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? day : new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long' }).format(date);
}

/** One value as a person reads it; undefined for lists and objects it cannot put in a line. */
export function formatValue(name: string, value: unknown, schema: unknown, context: Record<string, unknown>, options: ReadableOptions = {}): string | undefined {
  const description = descriptionOf(schema);
  if (typeof value === 'string') {
    if (/ISO 8601/i.test(description) || (isRecord(schema) && schema['format'] === 'date-time')) return formatTime(value, options);
    if (/^YYYY-MM-DD$/.test(description) || (isRecord(schema) && schema['format'] === 'date')) return formatDay(value);
    return value;
  }
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') {
    const currency = /price|open|high|low|close/.test(name) ? currencyOf(context) : undefined;
    if (currency) return new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: currency === 'JPY' ? 0 : 2 }).format(value);
    const unit = unitFor(name, context);
    const sign = /change/.test(name) && value > 0 ? '+' : '';
    return `${sign}${round(value)}${unit}`;
  }
  if (isRecord(value) && typeof value['min'] === 'number' && typeof value['max'] === 'number') {
    return `${round(value['min'])} to ${round(value['max'])}${unitFor(name, context)}`;
  }
  return undefined;
}

/** The output's facts in words, in the schema's order; nested objects are flattened one level. */
export function readableFacts(output: unknown, schema: unknown, options: ReadableOptions = {}): ReadableFact[] {
  if (!isRecord(output)) return [];
  const properties = propertiesOf(schema);
  const facts: ReadableFact[] = [];
  for (const [name, value] of Object.entries(output)) {
    if (name === 'unit' && typeof value === 'string') continue;
    const shown = formatValue(name, value, properties[name], output, options);
    if (shown !== undefined) {
      facts.push({ label: labelFor(name, properties[name]), value: shown });
      continue;
    }
    if (isRecord(value)) {
      const inner = propertiesOf(properties[name]);
      const currencyContext = { ...value, ...(currencyOf(output) ? { currency: currencyOf(output) } : /_usd$/.test(name) ? { currency: 'USD' } : {}) };
      for (const [innerName, innerValue] of Object.entries(value)) {
        const innerShown = formatValue(/_usd$/.test(name) ? `price_${innerName}` : innerName, innerValue, inner[innerName], currencyContext, options);
        if (innerShown !== undefined) facts.push({ label: `${labelFor(name.replace(/_usd$/, ''))}: ${labelFor(innerName, inner[innerName]).toLowerCase()}`, value: innerShown });
      }
    }
  }
  return facts;
}

/**
 * The answer in a sentence or a few: its own sentences when it has them (a joke, a summary), its
 * list when it is one (headlines), else its facts in a line ("Paris, Monday 11 May: light rain;
 * temperature 8 to 12 °C; ..."). Where it came from (source, method) is left to the details.
 */
export function readableSentence(output: unknown, schema: unknown, options: ReadableOptions = {}): string {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) return output.map((item) => readableSentence(item, isRecord(schema) ? schema['items'] : undefined, options)).join(' ');
  if (!isRecord(output)) return output === null || output === undefined ? '' : String(output);
  const properties = propertiesOf(schema);
  const strings = Object.entries(output).filter((e): e is [string, string] => typeof e[1] === 'string' && !PROVENANCE.test(e[0]));
  const sentences = strings.filter(([, value]) => isSentence(value)).map(([, value]) => value.trim());
  if (sentences.length > 0) return sentences.join(' ');
  const lists = Object.entries(output).filter((e): e is [string, unknown[]] => Array.isArray(e[1]) && e[1].length > 0);
  const [list] = lists;
  if (lists.length === 1 && list && Object.values(output).every((v) => Array.isArray(v) || typeof v === 'string')) {
    return list[1].map((item) => listItem(item)).join(' ');
  }
  const facts = readableFacts(output, schema, options).filter((f) => !PROVENANCE.test(f.label.toLowerCase()));
  const lead = facts.filter((f) => strings.some(([name, value]) => labelFor(name, properties[name]) === f.label && value === f.value) || /^(Date|Period|Pair)$/.test(f.label));
  const rest = facts.filter((f) => !lead.includes(f));
  const head = lead.map((f) => f.value).join(', ');
  const body = rest.map((f) => `${f.label.toLowerCase()} ${f.value}`).join('; ');
  return `${head}${head && body ? ': ' : ''}${body}.`;
}

/** A list item as a sentence: its words first, then where it is from ("... (The Block Times)"). */
function listItem(item: unknown): string {
  if (typeof item === 'string') return /[.!?…]$/.test(item.trim()) ? item.trim() : `${item.trim()}.`;
  if (!isRecord(item)) return String(item);
  const texts = Object.entries(item).filter((e): e is [string, string] => typeof e[1] === 'string' && !/^(id|url)$/.test(e[0]));
  const [main, ...others] = texts;
  if (!main) return '';
  const text = main[1].trim().replace(/[.!?…]?$/, '.');
  return others.length > 0 ? `${text.slice(0, -1)} (${others.map(([, v]) => v).join(', ')}).` : text;
}
