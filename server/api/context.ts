import type { AccountCare } from '../domain/account-care';
import type { Activity } from '../domain/activity';
import type { AccountsModule, PublicUser, RequestMeta } from '../domain/accounts';
import type { AgentKeys, IssueKeyInput, IssueKeyResult } from '../domain/agent-keys';
import type { AlertService } from '../domain/alerts';
import type { ApprovalService } from '../domain/approvals';
import type { Disputes } from '../domain/disputes';
import type { Home } from '../domain/home';
import type { LimitName, RateLimits } from '../domain/rate-limits';
import type { ProviderNames, Reputation, Standing } from '../domain/reputation';
import type { Governance, SettingsChanges } from '../domain/governance';
import type { ExchangeRatePort } from '../domain/ports/exchange-rate';
import type { ReadinessCheck } from '../domain/ports/readiness';
import type { QuoteService } from '../domain/quotes';
import type { Receipts } from '../domain/payments';
import type { TopUps } from '../domain/topups';
import type { WalletDomain } from '../domain/wallet';
import type { CatalogServiceApi } from '../agent/catalog/catalog-service';
import type { TaskEvents } from '../agent/tasks/task-events';
import type { TaskRunner } from '../agent/tasks/task-runner';
import type { Logger } from '../logger';

/** What the composition root hands to every request. Later areas add their domain services here. */
export interface ApiDeps {
  mode: 'sandbox' | 'live';
  version: string;
  logger: Logger;
  accounts: AccountsModule;
  accountCare: AccountCare;
  activity: Activity;
  receipts: Receipts;
  tasks: TaskRunner;
  taskEvents: TaskEvents;
  catalog: CatalogServiceApi;
  governance: Governance;
  settingsChanges: SettingsChanges;
  rates: ExchangeRatePort;
  quotes: QuoteService;
  approvals: ApprovalService;
  agentKeys: AgentKeys;
  /** A new agent key with the fresh proof it needs (domain/agent-keys/issue-key.ts). */
  issueAgentKey: (userId: string, input: IssueKeyInput, meta: RequestMeta) => Promise<IssueKeyResult>;
  alerts: AlertService;
  wallet: WalletDomain;
  topUps: TopUps;
  disputes: Disputes;
  reputation: Reputation;
  /** Providers by name in views (domain/reputation/provider-names.ts). */
  providerNames: ProviderNames;
  home: Home;
  /** Provider blocklists and paused services (domain/reputation/standing.ts). */
  standing: Standing;
  /** Whether the database answers and is migrated: `GET /readyz` (server/http/health.ts). */
  readiness: ReadinessCheck;
  /** Attempts counted in the database, shared by every instance (server/http/rate-limits.ts uses it). */
  rateLimits: RateLimits;
}

/** Sets or clears the session cookie on the response; the HTTP layer owns the cookie's attributes. */
export interface SessionCookieJar {
  set(token: string, expiresAt: Date): void;
  clear(): void;
}

/** Named buckets of attempts limited per client address or person (see server/http/rate-limits.ts). */
export type RateLimitBucket = Exclude<LimitName, 'mcp_call'>;
/** Whom an attempt counts against instead of the client's address: a person (user id) or an account (the email a sign-in names). */
export type RateLimitWho = { person: string } | { account: string };
/** Counts one attempt in `bucket`, per client address, or per `who` when given. */
export type RateLimitCheck = (bucket: RateLimitBucket, who?: RateLimitWho) => Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }>;

export interface RequestFacts {
  sessionToken: string | null;
  meta: RequestMeta;
  cookies: SessionCookieJar;
  checkRateLimit: RateLimitCheck;
}

export interface ApiContext {
  deps: ApiDeps;
  /** The signed-in caller, resolved once per request from the session cookie; null when signed out. */
  session: { sessionId: string; userId: string } | null;
  user: PublicUser | null;
  meta: RequestMeta;
  cookies: SessionCookieJar;
  checkRateLimit: RateLimitCheck;
}

export function createApiContext(deps: ApiDeps, request: RequestFacts): ApiContext {
  const resolved = request.sessionToken ? deps.accounts.sessions.resolve(request.sessionToken) : null;
  const user = resolved ? deps.accounts.accounts.getUser(resolved.userId) : null;
  // A cookie for a session that has ended is removed, so the browser stops sending it.
  if (request.sessionToken && !user) request.cookies.clear();
  return {
    deps,
    session: resolved && user ? { sessionId: resolved.sessionId, userId: resolved.userId } : null,
    user,
    meta: request.meta,
    cookies: request.cookies,
    checkRateLimit: request.checkRateLimit,
  };
}
