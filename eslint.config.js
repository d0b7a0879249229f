// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Import directions from docs/architecture.md, enforced so nobody has to remember them:
 * shared imports nothing of ours; domain never imports rails, api, agent, sandbox or tRPC; rails import
 * shared and port types; agent and api go through domain; the sandbox is an outside world and imports no
 * app code; the client imports shared and only the router *type* from the server.
 */
const restrict = (patterns) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
});
const layer = (names, message) => ({ group: names, message });

/**
 * The right to spend has one owner: domain/spending reads an approval and its quote by id and mints
 * the authorization payments' purchase takes. Nothing else may call purchase (or lift it off the
 * service to call later) or cast a SpendAuthorization into being. Payments' own engine tests, the
 * crash worker, the multi-instance tests' instance process and the bench drive the engine directly
 * and are exempt by file below.
 */
const SPEND_MESSAGE = 'Only domain/spending pays: call spending.spendStep({ userId, approvalId, stepId }).';
const spendingOwnsPurchase = {
  'no-restricted-syntax': [
    'error',
    { selector: "MemberExpression[property.name='purchase']", message: SPEND_MESSAGE },
    { selector: "MemberExpression[computed=true][property.value='purchase']", message: SPEND_MESSAGE },
    { selector: "Property[key.name='purchase']", message: SPEND_MESSAGE },
    { selector: "TSAsExpression > TSTypeReference[typeName.name='SpendAuthorization']", message: 'Only domain/spending mints a SpendAuthorization, from storage.' },
    { selector: "TSTypeAssertion > TSTypeReference[typeName.name='SpendAuthorization']", message: 'Only domain/spending mints a SpendAuthorization, from storage.' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'test-results/**', 'playwright-report/**', 'server/db/migrations/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
      // Only server/env.ts reads the environment (see the override below).
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read settings through server/env.ts.' }],
    },
  },
  {
    files: ['server/env.ts', '*.config.ts', '*.config.js', 'vite.config.ts', 'e2e/**', 'scripts/**', 'bench/**', '.ci/**'],
    rules: { 'no-restricted-properties': 'off', 'no-console': 'off' },
  },
  {
    files: ['client/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/**', '!**/server/api/router'],
              message: 'The client may import only the router type from the server.',
            },
            { group: ['**/server/api/router'], allowTypeImports: true, message: 'Import the router as a type only.' },
            { group: ['node:*', 'better-sqlite3', 'fastify', 'drizzle-orm*', 'stripe'], message: 'Server-only module.' },
            // Its types (inferRouterOutputs) are free; a value import would ship server code to every browser.
            { group: ['@trpc/server', '@trpc/server/*'], allowTypeImports: true, message: 'Import @trpc/server as types only; the client runtime is @trpc/client.' },
          ],
        },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: restrict([layer(['**/server/**', '**/client/**', 'node:*'], 'shared/ imports nothing of ours and runs in the browser.')]),
  },
  {
    files: ['server/domain/**/*.ts'],
    rules: restrict([
      layer(['**/rails/**', '**/api/**', '**/agent/**', '**/sandbox/**', '**/http/**', '**/client/**'], 'The domain never imports rails, api, agent, http or sandbox; depend on a port in domain/ports.'),
      layer(['@trpc/*', 'fastify', '@fastify/*', 'stripe', '@getalby/*'], 'The domain is transport- and vendor-free.'),
    ]),
  },
  {
    files: ['server/rails/**/*.ts'],
    rules: restrict([
      layer(['**/domain/**', '!**/domain/ports', '!**/domain/ports/**'], 'Rails import shared and port types only.'),
      // '../../http' is the server's HTTP app; rails/http (the guarded fetch) is a rail like any other.
      layer(['**/api/**', '**/agent/**', '**/sandbox/**', '../../http/**', '**/db/**', '**/client/**'], 'Rails import shared and port types only.'),
    ]),
  },
  {
    files: ['server/agent/**/*.ts'],
    rules: restrict([layer(['**/rails/**', '**/api/**', '**/db/**', '**/http/**', '**/sandbox/**'], 'The agent spends only through the domain.')]),
  },
  {
    // The MCP server is an adapter beside api/: agents reach the app through domain services and the
    // task runner (which spends only through domain/spending), never storage, rails or payments' engine.
    files: ['server/mcp/**/*.ts'],
    rules: restrict([
      layer(['**/rails/**', '**/db/**', '**/api/**', '**/http/**', '**/sandbox/**', '**/client/src/**'], 'MCP tools go through the domain and the task runner.'),
      layer(['**/domain/payments/payment-service', '**/domain/payments/payment-records'], 'MCP never reaches the purchase engine: spending pays.'),
    ]),
  },
  {
    files: ['server/api/**/*.ts'],
    rules: restrict([layer(['**/rails/**', '**/db/**', '**/sandbox/**'], 'Routers stay thin: call a domain service from the context.')]),
  },
  {
    files: ['server/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'e2e/**/*.ts'],
    ignores: [
      'server/domain/spending/**',
      'server/domain/payments/**',
      'server/integration/payments-*.ts',
      'server/integration/instance.child.ts',
      'bench/payments.bench.ts',
    ],
    rules: spendingOwnsPurchase,
  },
  {
    files: ['server/sandbox/**/*.ts'],
    rules: restrict([layer(['**/domain/**', '**/api/**', '**/agent/**', '**/rails/**', '**/db/**', '**/http/**', '**/client/**'], 'The sandbox is an outside world: it imports no app code.')]),
  },
);
