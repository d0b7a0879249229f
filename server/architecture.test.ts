import { ESLint } from 'eslint';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The import directions of docs/architecture.md are lint rules; these cases prove the rules bite.
const eslint = new ESLint();

async function restrictedImports(filePath: string, code: string): Promise<number> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').length;
}

describe('import directions', () => {
  it.each([
    ['server/domain/x/a.ts', "import { a } from '../../rails/l402/a';\nexport const b = a;\n"],
    ['server/domain/x/a.ts', "import { initTRPC } from '@trpc/server';\nexport const b = initTRPC;\n"],
    ['server/domain/x/a.ts', "import { a } from '../../api/router';\nexport const b = a;\n"],
    ['server/rails/x/a.ts', "import { a } from '../../domain/ledger/ledger';\nexport const b = a;\n"],
    ['server/rails/x/a.ts', "import { a } from '../../http/app';\nexport const b = a;\n"],
    ['server/agent/a.ts', "import { a } from '../rails/nwc/a';\nexport const b = a;\n"],
    ['server/api/a.ts', "import { a } from '../db/client';\nexport const b = a;\n"],
    ['shared/a.ts', "import { a } from '../server/env';\nexport const b = a;\n"],
    ['server/sandbox/a.ts', "import { a } from '../domain/ledger/ledger';\nexport const b = a;\n"],
    ['client/src/a.ts', "import { appRouter } from '../../server/api/router';\nexport const b = appRouter;\n"],
    ['client/src/a.ts', "import { openDatabase } from '../../server/db/client';\nexport const b = openDatabase;\n"],
    ['client/src/a.ts', "import { initTRPC } from '@trpc/server';\nexport const b = initTRPC;\n"],
    ['client/src/a.ts', "import { tracked } from '@trpc/server/unstable-core-do-not-import';\nexport const b = tracked;\n"],
    ['server/mcp/a.ts', "import { createPaymentsRepository } from '../db/repositories/payments-repository';\nexport const b = createPaymentsRepository;\n"],
    ['server/mcp/a.ts', "import { createL402Http } from '../rails/l402/l402-http';\nexport const b = createL402Http;\n"],
    ['server/mcp/a.ts', "import { createPaymentService } from '../domain/payments/payment-service';\nexport const b = createPaymentService;\n"],
  ])('refuses %s importing across a boundary (%#)', async (filePath, code) => {
    expect(await restrictedImports(filePath, code)).toBeGreaterThan(0);
  });

  it.each([
    ['server/domain/x/a.ts', "import { a } from '../ports/wallet';\nimport { b } from '../../../shared/money';\nexport const c = [a, b];\n"],
    ['server/rails/x/a.ts', "import type { A } from '../../domain/ports/wallet';\nexport type B = A;\n"],
    ['client/src/a.ts', "import type { AppRouter } from '../../server/api/router';\nexport type R = AppRouter;\n"],
    ['client/src/a.ts', "import type { inferRouterOutputs } from '@trpc/server';\nexport type O = inferRouterOutputs<never>;\n"],
    ['server/rails/l402/a.ts', "import { a } from '../http/guarded-fetch';\nexport const b = a;\n"],
  ])('allows %s (%#)', async (filePath, code) => {
    expect(await restrictedImports(filePath, code)).toBe(0);
  });
});

// Only domain/spending pays for a step: nothing else calls payments' purchase or mints an authorization.
async function spendingViolations(filePath: string, code: string): Promise<number> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax').length;
}

describe('the right to spend has one owner', () => {
  it.each([
    ['server/agent/tasks/a.ts', 'export const pay = (payments: { purchase(r: unknown): unknown }) => payments.purchase({});\n'],
    ['server/agent/tasks/a.ts', "export const pay = (payments: Record<string, () => unknown>) => payments['purchase']?.();\n"],
    ['server/compose.ts', 'export const port = (payments: { purchase: unknown }) => ({ purchase: payments });\n'],
    ['server/api/routers/a.ts', 'export const take = ({ purchase }: { purchase: unknown }) => purchase;\n'],
    ['server/domain/approvals/a.ts', "import type { SpendAuthorization } from '../payments';\nexport const forged = { approvedMaxMsat: 1 } as unknown as SpendAuthorization;\n"],
    // The MCP module spends only through domain/spending (by way of the task runner).
    ['server/mcp/tools.ts', 'export const pay = (payments: { purchase(r: unknown): unknown }) => payments.purchase({});\n'],
    ['server/mcp/tools.ts', "import type { SpendAuthorization } from '../domain/payments';\nexport const forged = {} as SpendAuthorization;\n"],
  ])('refuses %s (%#)', async (filePath, code) => {
    expect(await spendingViolations(filePath, code)).toBeGreaterThan(0);
  });

  it.each([
    ['server/domain/spending/a.ts', 'export const pay = (payments: { purchase(r: unknown): unknown }) => payments.purchase({});\n'],
    ['server/domain/payments/a.test.ts', 'export const pay = (service: { purchase(r: unknown): unknown }) => service.purchase({});\n'],
    ['server/integration/payments-market.test.ts', 'export const pay = (service: { purchase(r: unknown): unknown }) => service.purchase({});\n'],
  ])('allows %s (%#)', async (filePath, code) => {
    expect(await spendingViolations(filePath, code)).toBe(0);
  });
});

describe('the MCP module spends only through domain/spending', () => {
  it('no file of server/mcp calls purchase, mints an authorization or imports storage, rails or the purchase engine', async () => {
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(new URL('./mcp', import.meta.url)).filter((name) => name.endsWith('.ts')).map((name) => `server/mcp/${name}`);
    expect(files).toContain('server/mcp/tools.ts');
    const results = await eslint.lintFiles(files);
    const violations = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'no-restricted-syntax' || m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => `${r.filePath}: ${m.message}`));
    expect(violations).toEqual([]);
  });
});

// The single writer's memory (db/writer-memory.ts) is exact only if every write of the rows it keeps
// goes through the repository that tells it the change. Nothing else in the server writes them.
describe('the rows the writer remembers have one writer each', () => {
  const remembered = ['governance_settings', 'governance_window_usage', 'governance_task_usage', 'governance_usage_changes', 'governance_budget_periods', 'ledger_accounts', 'ledger_entries', 'ledger_balances', 'ledger_pending_holds'];
  const tables = remembered.map((table) => table.replace(/_(\w)/g, (_, letter: string) => letter.toUpperCase()));
  const sqlWrite = new RegExp(`(INSERT INTO|UPDATE|DELETE FROM|REPLACE INTO)\\s+"?(${remembered.join('|')})\\b`, 'i');
  const drizzleWrite = new RegExp(`\\.(insert|update|delete)\\((${tables.join('|')})\\)`);
  // usage-changes.ts is the governance repository's, ledger-folds.ts the ledger repository's: their
  // appends and folds are the totals' writes. A fold changes no total a reader sees (ledger-folds.ts).
  const owners = new Set([
    'server/db/repositories/governance-repository.ts',
    'server/db/repositories/usage-changes.ts',
    'server/db/repositories/ledger-repository.ts',
    'server/db/repositories/ledger-folds.ts',
  ]);

  it('no server file but the governance and ledger repositories writes them', () => {
    const writers = readdirSync('server', { recursive: true, encoding: 'utf8' })
      .map((file) => join('server', file))
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .filter((file) => {
        const text = readFileSync(file, 'utf8');
        return sqlWrite.test(text) || drizzleWrite.test(text);
      });
    expect(writers.sort()).toEqual([...owners].sort());
  });
});
