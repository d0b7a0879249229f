// Translates the SQL Steward's repositories write (drizzle's SQLite dialect and a few hand-written
// statements) into PostgreSQL's. The repositories keep one implementation over both databases; the
// differences are few and mechanical, and each is here:
// - placeholders: `?` (drizzle, positional statements) and `@name` / `:name` / `$name` (named) become $1..$n;
// - LIKE is case-insensitive for ASCII in SQLite: ILIKE;
// - `a IS b` / `a IS NOT b` compare values (NULL-safe) in SQLite: IS [NOT] DISTINCT FROM;
// - max(a, b) / min(a, b) with several arguments are SQLite's scalar forms: GREATEST / LEAST;
// - INSERT OR IGNORE: ON CONFLICT DO NOTHING;
// - ON CONFLICT ("table"."column"): drizzle qualifies the target's columns, PostgreSQL wants them bare;
// - a bare `null` in an INSERT's VALUES (drizzle's SQLite dialect writes it for a column given no
//   value, which SQLite turns into the next rowid for an integer primary key): DEFAULT, which is the
//   next identity value there and NULL for any other column without a default;
// - json_extract(column, '$.key'): (column::jsonb ->> 'key');
// - CAST(.. AS INTEGER): BIGINT (SQLite integers are 64-bit);
// - camelCase aliases (AS balanceMsat) are quoted: PostgreSQL folds unquoted names to lower case.
// Anything inside string literals, quoted identifiers and comments is left as written.

/** Where the value of one $n comes from: the n-th positional argument, or a named one. */
export type ParameterSource = { position: number } | { name: string };

export interface TranslatedSql {
  text: string;
  parameters: ParameterSource[];
}

const cache = new Map<string, TranslatedSql>();

export function translateSql(sqliteSql: string): TranslatedSql {
  let translated = cache.get(sqliteSql);
  if (translated === undefined) {
    translated = translate(sqliteSql);
    cache.set(sqliteSql, translated);
  }
  return translated;
}

/**
 * Splits SQL into code and string-literal/comment parts, so rewrites only ever touch code. Quoted
 * identifiers are code (a conflict target or an alias is rewritten with them); SQLite's backtick
 * quoting (drizzle-kit's DDL) becomes PostgreSQL's double quotes.
 */
function segments(sql: string): { code: boolean; text: string }[] {
  const parts: { code: boolean; text: string }[] = [];
  let code = '';
  let index = 0;
  while (index < sql.length) {
    const char = sql[index];
    const next = sql[index + 1];
    if (char === "'" || char === '"' || char === '`') {
      const end = closingQuote(sql, index);
      const quoted = sql.slice(index, end);
      if (char === "'") {
        parts.push({ code: true, text: code }, { code: false, text: quoted });
        code = '';
      } else {
        code += char === '`' ? `"${quoted.slice(1, -1).replaceAll('"', '""')}"` : quoted;
      }
      index = end;
    } else if ((char === '-' && next === '-') || (char === '/' && next === '*')) {
      const close = char === '-' ? sql.indexOf('\n', index) : sql.indexOf('*/', index + 2);
      const end = close === -1 ? sql.length : char === '-' ? close : close + 2;
      parts.push({ code: true, text: code }, { code: false, text: sql.slice(index, end) });
      code = '';
      index = end;
    } else {
      code += char;
      index += 1;
    }
  }
  parts.push({ code: true, text: code });
  return parts.filter((part) => part.text.length > 0);
}

/** The index just past the quote that closes the one at `start` (a doubled quote is an escaped one). */
function closingQuote(sql: string, start: number): number {
  const quote = sql[start] ?? '';
  let end = start + 1;
  for (;;) {
    end = sql.indexOf(quote, end);
    if (end === -1) return sql.length;
    if (sql[end + 1] !== quote) return end + 1;
    end += 2;
  }
}

function translate(sqliteSql: string): TranslatedSql {
  const parameters: ParameterSource[] = [];
  const named = new Map<string, number>();
  let anonymous = 0;
  const placeholder = (source: ParameterSource, key: string | null): string => {
    if (key !== null) {
      const known = named.get(key);
      if (known !== undefined) return `$${known}`;
    }
    parameters.push(source);
    if (key !== null) named.set(key, parameters.length);
    return `$${parameters.length}`;
  };
  const withJson = sqliteSql.replace(/json_extract\(\s*([\w."]+)\s*,\s*'\$\.(\w+)'\s*\)/g, "($1::jsonb ->> '$2')");
  const parts = segments(withJson);
  let insertOrIgnore = false;
  const text = parts
    .map((part, partIndex) => {
      if (!part.code) return part.text;
      let code = part.text.replace(/\?(\d+)?|(?<![:\w])[@:$]([A-Za-z_]\w*)/g, (match, number: string | undefined, name: string | undefined) => {
        if (name !== undefined) return placeholder({ name }, `name:${name}`);
        if (number !== undefined) return placeholder({ position: Number(number) - 1 }, `position:${number}`);
        return placeholder({ position: anonymous++ }, null);
      });
      code = code.replace(/\bon\s+conflict\s*\(([^)]*)\)/gi, (target: string) => target.replace(/"[^"]+"\./g, ''));
      code = code.replace(/\bINSERT\s+OR\s+IGNORE\s+INTO\b/gi, () => {
        insertOrIgnore = true;
        return 'INSERT INTO';
      });
      code = code.replace(/\bLIKE\b/gi, 'ILIKE');
      code = code.replace(/\bIS\s+NOT\b(?!\s+(?:NULL|TRUE|FALSE|DISTINCT)\b)/gi, 'IS DISTINCT FROM');
      code = code.replace(/\bIS\b(?!\s+(?:NOT|NULL|TRUE|FALSE|DISTINCT)\b)(?!\s+DISTINCT)/gi, 'IS NOT DISTINCT FROM');
      code = code.replace(/\bAS\s+INTEGER\b/gi, 'AS BIGINT').replace(/\bAS\s+REAL\b/gi, 'AS DOUBLE PRECISION');
      code = code.replace(/\bAS\s+([a-z_][a-z0-9_]*[A-Z]\w*)\b/g, 'AS "$1"');
      return scalarMinMax(code, parts.slice(partIndex + 1));
    })
    .join('');
  const inserted = /^\s*insert\s+into\b/i.test(text) ? valuesNullAsDefault(text) : text;
  return { text: insertOrIgnore ? appendOnConflictDoNothing(inserted) : inserted, parameters };
}

/**
 * SQLite's max(a, b) and min(a, b) (two or more arguments) are scalar functions; PostgreSQL spells
 * them GREATEST and LEAST. An aggregate max(x) has one argument and stays. Arguments may span quoted
 * segments that follow, so the scan looks ahead through them.
 */
function scalarMinMax(code: string, following: readonly { code: boolean; text: string }[]): string {
  const rest = code + following.map((part) => (part.code ? part.text : ' '.repeat(part.text.length))).join('');
  return code.replace(/\b(max|min)\s*\(/gi, (match: string, name: string, offset: number) => {
    let depth = 0;
    for (let index = offset + match.length - 1; index < rest.length; index += 1) {
      const char = rest[index];
      if (char === '(') depth += 1;
      else if (char === ')') {
        depth -= 1;
        if (depth === 0) return match;
      } else if (char === ',' && depth === 1) return `${name.toLowerCase() === 'max' ? 'GREATEST' : 'LEAST'}(`;
    }
    return match;
  });
}

/** Between VALUES and ON CONFLICT / RETURNING, a tuple element that is just `null` becomes DEFAULT. */
function valuesNullAsDefault(text: string): string {
  const values = text.search(/\bvalues\b/i);
  if (values === -1) return text;
  const tail = text.slice(values);
  const end = tail.search(/\bon\s+conflict\b|\breturning\b/i);
  const list = end === -1 ? tail : tail.slice(0, end);
  let depth = 0;
  let out = '';
  for (let index = 0; index < list.length; index += 1) {
    const char = list[index] ?? '';
    if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    const element = /^null(?=\s*[,)])/i.exec(list.slice(index));
    if (depth === 1 && element !== null && /[(,]\s*$/.test(out)) {
      out += 'DEFAULT';
      index += 3;
      continue;
    }
    out += char;
  }
  return text.slice(0, values) + out + (end === -1 ? '' : tail.slice(end));
}

function appendOnConflictDoNothing(text: string): string {
  const returning = text.search(/\bRETURNING\b/i);
  return returning === -1 ? `${text.trimEnd().replace(/;$/, '')} ON CONFLICT DO NOTHING` : `${text.slice(0, returning)}ON CONFLICT DO NOTHING ${text.slice(returning)}`;
}
