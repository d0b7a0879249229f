/**
 * A tolerant RFC 7235 `WWW-Authenticate` parser. Servers send several challenges, in one header
 * or several (which fetch joins with ", "), proxies fold lines, and schemes and parameter names are
 * case-insensitive. This parser never throws: anything it cannot read is skipped up to the next
 * comma, so one malformed challenge cannot hide a good one after it.
 *
 *   challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param = token BWS "=" BWS ( token / quoted-string )
 */

export interface AuthChallenge {
  /** As sent; compare case-insensitively. */
  scheme: string;
  /** Parameter names lower-cased; the first occurrence of a repeated name wins. */
  params: ReadonlyMap<string, string>;
  token68: string | null;
}

// tchar from RFC 9110 and the token68 alphabet from RFC 7235.
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

/** Joins obsolete line folding (CRLF followed by space or tab) into a single space. */
export function unfoldHeaderValue(value: string): string {
  return value.replace(/\r?\n[ \t]+/g, ' ');
}

export function parseWwwAuthenticate(headerValue: string): AuthChallenge[] {
  return new Scanner(unfoldHeaderValue(headerValue)).challenges();
}

class Scanner {
  private pos = 0;
  constructor(private readonly input: string) {}

  challenges(): AuthChallenge[] {
    const found: AuthChallenge[] = [];
    for (;;) {
      this.skip(/[ \t,\r\n]/);
      if (this.atEnd()) return found;
      const scheme = this.token();
      if (scheme === '') {
        this.skipPastComma(); // not a challenge: resynchronise at the next list element
        continue;
      }
      found.push(this.challengeBody(scheme));
    }
  }

  private challengeBody(scheme: string): AuthChallenge {
    const params = new Map<string, string>();
    const challenge = { scheme, params, token68: null as string | null };
    if (!this.skip(/[ \t]/) || this.atEnd() || this.peek() === ',') return challenge;

    const token68 = this.tryToken68();
    if (token68 !== null) return { ...challenge, token68 };

    for (;;) {
      const param = this.tryParam();
      if (param === null) {
        this.skipPastComma();
        return challenge;
      }
      if (!params.has(param.name)) params.set(param.name, param.value);
      this.skip(/[ \t]/);
      if (this.peek() !== ',') {
        this.skipPastComma(); // junk after a value: drop it, keep what was read
        return challenge;
      }
      // After a comma comes either another param of this challenge or the next challenge's scheme.
      const mark = this.pos;
      this.skip(/[ \t,\r\n]/);
      const next = this.lookaheadParamName();
      if (next === null) {
        this.pos = mark;
        return challenge;
      }
    }
  }

  /** token68 only when it is the whole credential: followed by end, a comma, or whitespace then end/comma. */
  private tryToken68(): string | null {
    const start = this.pos;
    while (!this.atEnd() && TOKEN68_CHAR.test(this.peek())) this.pos++;
    const body = this.pos;
    while (this.peek() === '=') this.pos++;
    if (this.pos === start) return null;
    const candidate = this.input.slice(start, this.pos);
    this.skip(/[ \t]/);
    // `name=value` does not end here, so it is read as a param, never as a token68.
    if (body > start && (this.atEnd() || this.peek() === ',')) return candidate;
    this.pos = start;
    return null;
  }

  /** The name when `name BWS = BWS value` follows (position unchanged); `==` is token68 padding, not a param. */
  private lookaheadParamName(): string | null {
    const saved = this.pos;
    const name = this.token();
    this.skip(/[ \t]/);
    const isParam = name !== '' && this.peek() === '=' && this.input[this.pos + 1] !== '=';
    let valueFollows = false;
    if (isParam) {
      this.pos++;
      this.skip(/[ \t]/);
      valueFollows = this.peek() === '"' || (!this.atEnd() && TCHAR.test(this.peek()));
    }
    this.pos = saved;
    return isParam && valueFollows ? name : null;
  }

  private tryParam(): { name: string; value: string } | null {
    if (this.lookaheadParamName() === null) return null;
    const name = this.token().toLowerCase();
    this.skip(/[ \t]/);
    this.pos++; // '='
    this.skip(/[ \t]/);
    const value = this.peek() === '"' ? this.quotedString() : this.token();
    return value === null ? null : { name, value };
  }

  /** Null when unterminated: a value cut off by a broken proxy is not trusted. */
  private quotedString(): string | null {
    this.pos++; // opening quote
    let value = '';
    while (!this.atEnd()) {
      const ch = this.input[this.pos++] ?? '';
      if (ch === '"') return value;
      if (ch === '\\' && !this.atEnd()) value += this.input[this.pos++] ?? '';
      else value += ch;
    }
    return null;
  }

  private token(): string {
    const start = this.pos;
    while (!this.atEnd() && TCHAR.test(this.peek())) this.pos++;
    return this.input.slice(start, this.pos);
  }

  private skipPastComma(): void {
    let quoted = false;
    while (!this.atEnd()) {
      const ch = this.input[this.pos++];
      if (ch === '\\' && quoted) this.pos++;
      else if (ch === '"') quoted = !quoted;
      else if (ch === ',' && !quoted) return;
    }
  }

  private skip(chars: RegExp): boolean {
    const start = this.pos;
    while (!this.atEnd() && chars.test(this.peek())) this.pos++;
    return this.pos > start;
  }

  private peek(): string {
    return this.input[this.pos] ?? '';
  }

  private atEnd(): boolean {
    return this.pos >= this.input.length;
  }
}
