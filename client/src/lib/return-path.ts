/** Only a path inside the app may be returned to (never another site: "//evil.example" is refused). */
export function safeReturnPath(value: string | null): string | null {
  return value !== null && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : null;
}

