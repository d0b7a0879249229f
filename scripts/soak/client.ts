/**
 * The soak's only view of Steward: its public HTTP API (tRPC over HTTP, a session cookie and the CSRF
 * header), typed by the router type as the browser client is. Every procedure the soak calls is here,
 * so a change of the API (a new field, a renamed procedure) is adapted in this one module.
 */
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { generateSync } from 'otplib';
import type { GovernanceSettings } from '../../shared/governance';
import { CSRF_HEADER, CSRF_HEADER_VALUE } from '../../shared/http';
import type { AppRouter } from '../../server/api/router';

export const SOAK_PASSWORD = 'soak-harbour-lantern-73';

/** One person as the soak knows them: their cookie, and their authenticator secret once 2FA is on. */
export interface SoakPerson {
  email: string;
  userId: string;
  cookie: string | null;
  totpSecret: string | null;
  /** The last TOTP time step whose code was sent: the server accepts each step's code once. */
  lastTotpStep: number;
}

/** How a call ended, as the soak counts it. */
export type CallFailure =
  /** No answer: the server is down or was killed mid-request (the call may or may not have applied). */
  | { kind: 'no_answer'; message: string }
  /** A named refusal or a validation error: an answer the API meant. */
  | { kind: 'refused'; code: string; reason: string | null; message: string }
  /** A 500: a bug worth reporting. */
  | { kind: 'internal'; message: string };

export type CallResult<T> = { ok: true; value: T } | { ok: false; failure: CallFailure };

export function classifyFailure(error: unknown): CallFailure {
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? {}) as { code?: string; reason?: string; httpStatus?: number };
    if (data.code === undefined) return { kind: 'no_answer', message: error.message };
    if (data.code === 'INTERNAL_SERVER_ERROR') return { kind: 'internal', message: error.message };
    return { kind: 'refused', code: data.code, reason: data.reason ?? null, message: error.message };
  }
  return { kind: 'no_answer', message: error instanceof Error ? error.message : String(error) };
}

/** A tRPC client that carries this person's session cookie and keeps the one the server sets. */
function clientFor(baseUrl: string, person: Pick<SoakPerson, 'cookie'>, timeoutMs: number) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${baseUrl}/api/trpc`,
        headers: () => ({ [CSRF_HEADER]: CSRF_HEADER_VALUE, ...(person.cookie ? { cookie: person.cookie } : {}) }),
        fetch: async (url, init) => {
          const response = await fetch(url, { ...(init as RequestInit), signal: AbortSignal.timeout(timeoutMs) });
          const setCookie = response.headers.get('set-cookie');
          if (setCookie) person.cookie = setCookie.split(';')[0] ?? null;
          return response;
        },
      }),
    ],
  });
}

type Client = ReturnType<typeof clientFor>;

export async function attempt<T>(call: () => Promise<T>): Promise<CallResult<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, failure: classifyFailure(error) };
  }
}

/** The authenticator code of the first time step after the last one used (waits for it if needed). */
export async function freshTotpCode(person: SoakPerson): Promise<string> {
  if (!person.totpSecret) throw new Error(`${person.email} has no authenticator`);
  let step = Math.floor(Date.now() / 30_000);
  while (step <= person.lastTotpStep) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    step = Math.floor(Date.now() / 30_000);
  }
  person.lastTotpStep = step;
  return generateSync({ secret: person.totpSecret, epoch: step * 30 });
}

/** Proof of presence for a change that loosens the guard: a code with 2FA, the password without. */
export type StepUp = { code: string } | { password: string };

/**
 * Where calls go. `home`: the server that hosts the sandbox's wallets, so sign-ups go there (a new
 * account's wallet is made in its process). `any()`: a server picked per call, as a load balancer without
 * sticky sessions would; with one server both are it.
 */
export interface Routes {
  home: string;
  any(): string;
}

export function createSoakApi(routes: Routes, timeoutMs = 20_000) {
  const client = (person: Pick<SoakPerson, 'cookie'>): Client => clientFor(routes.any(), person, timeoutMs);
  return {
    async signUp(email: string): Promise<CallResult<SoakPerson>> {
      const person: SoakPerson = { email, userId: '', cookie: null, totpSecret: null, lastTotpStep: 0 };
      const result = await attempt(() => clientFor(routes.home, person, timeoutMs).auth.signUp.mutate({ email, password: SOAK_PASSWORD, timeZone: 'UTC', displayCurrency: 'SAT' }));
      if (!result.ok) return result;
      person.userId = result.value.user.id;
      return { ok: true, value: person };
    },
    /** Turns on 2FA: begin enrolment, then confirm with a code computed from the secret. */
    async enrollTotp(person: SoakPerson): Promise<CallResult<{ recoveryCodes: string[] }>> {
      const begun = await attempt(() => client(person).security.beginTotpEnrollment.mutate());
      if (!begun.ok) return begun;
      person.totpSecret = begun.value.secret;
      const code = await freshTotpCode(person);
      const confirmed = await attempt(() => client(person).security.confirmTotpEnrollment.mutate({ code, password: SOAK_PASSWORD }));
      if (!confirmed.ok) person.totpSecret = null;
      return confirmed;
    },
    settings: (person: SoakPerson) => attempt(() => client(person).budget.settings.query()),
    /** Saves budget settings; `stepUp` is the proof a loosening change needs (a code, or the password without 2FA). */
    saveSettings(person: SoakPerson, settings: GovernanceSettings, stepUp: StepUp | null) {
      const input = { settings, ...stepUp };
      return attempt(() => client(person).budget.saveSettings.mutate(input));
    },
    submitTask: (person: SoakPerson, text: string) => attempt(() => client(person).tasks.submit.mutate({ text })),
    task: (person: SoakPerson, taskId: string) => attempt(() => client(person).tasks.get.query({ taskId })),
    tasks: (person: SoakPerson) => attempt(() => client(person).tasks.list.query({ limit: 100 })),
    cancelTask: (person: SoakPerson, taskId: string) => attempt(() => client(person).tasks.cancel.mutate({ taskId })),
    approval: (person: SoakPerson, approvalId: string) => attempt(() => client(person).approvals.get.query({ approvalId })),
    /** An empty `code` sends none (the approval then needs one it was not given). */
    approve(person: SoakPerson, approvalId: string, secondFactor: { code: string; overageReason?: string } | null) {
      const { code, overageReason } = secondFactor ?? { code: '' };
      return attempt(() => client(person).approvals.approve.mutate({ approvalId, ...(code ? { code } : {}), ...(overageReason ? { overageReason } : {}) }));
    },
    deny: (person: SoakPerson, approvalId: string) => attempt(() => client(person).approvals.deny.mutate({ approvalId })),
  };
}

export type SoakApi = ReturnType<typeof createSoakApi>;
