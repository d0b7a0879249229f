/** Only a path inside the app may be returned to (never another site: "//evil.example" is refused). */
export function safeReturnPath(value: string | null): string | null {
  return value !== null && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : null;
}


/**
 * Where signing in leads: back to the page the person was sent away from (path and query), or Home.
 * The sign-in and sign-up pages themselves are never a destination.
 */
export function afterSignIn(from: unknown): string {
  const path = safeReturnPath(typeof from === 'string' ? from : null);
  if (path === null || /^\/(signin|signup)(?=$|[?#])/.test(path)) return '/';
  return path;
}
