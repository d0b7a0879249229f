/**
 * What the MCP server needs from the app, as the services compose.ts builds. The MCP layer never
 * holds a limit and never pays: a `fetch` or an `ask` is a task, its spend decided by approvals (the
 * person's rules narrowed by the key) and paid by domain/spending, the key's caps checked in the payment's write-ahead.
 */
import type { CatalogServiceApi } from '../agent/catalog/catalog-service';
import type { TaskEvents } from '../agent/tasks/task-events';
import type { TaskRunner } from '../agent/tasks/task-runner';
import type { AgentKeys } from '../domain/agent-keys';
import type { ApprovalService } from '../domain/approvals';
import type { Governance } from '../domain/governance';
import type { Receipts } from '../domain/payments';
import type { ExchangeRatePort } from '../domain/ports/exchange-rate';
import type { QuoteService } from '../domain/quotes';
import type { RateLimits } from '../domain/rate-limits';
import type { Reputation } from '../domain/reputation';
import type { WalletOverview } from '../domain/wallet';

export interface McpDeps {
  agentKeys: Pick<AgentKeys, 'get' | 'authenticate' | 'keyOf' | 'paymentIds' | 'sessions'>;
  catalog: Pick<CatalogServiceApi, 'servicesFor' | 'serviceFor'>;
  quotes: Pick<QuoteService, 'quotePlan'>;
  approvals: Pick<ApprovalService, 'get' | 'approve' | 'deny' | 'preview' | 'waitForResolution'>;
  tasks: Pick<TaskRunner, 'submit' | 'submitPlanned' | 'get' | 'judgeStep'>;
  taskEvents: TaskEvents;
  governance: Pick<Governance, 'status' | 'settingsFor'>;
  receipts: Pick<Receipts, 'get'>;
  wallet: Pick<WalletOverview, 'summary'>;
  rates: ExchangeRatePort;
  reputation: Reputation;
  /** Counts each key's tool calls (rate-limit.ts), in the database every instance shares. */
  rateLimits: Pick<RateLimits, 'take'>;
  timeZoneOf: (userId: string) => string;
  /** Where the person approves: links in pending answers and URL elicitations point here. */
  publicOrigin: string;
}

export interface McpOptions {
  /** How long a tool call waits for a person's answer (URL elicitation) before answering "pending". */
  approvalWaitMs: number;
  /** How long a tool call waits for a task to finish once it may run. */
  taskWaitMs: number;
}

/**
 * Within the minute MCP clients wait for a tool call by default (the SDK's request timeout): a call
 * that needs longer answers "pending" or "running" with the ids approval_status takes.
 */
export const DEFAULT_MCP_OPTIONS: McpOptions = { approvalWaitMs: 40_000, taskWaitMs: 15_000 };
