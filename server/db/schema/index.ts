// Every table of the app database, re-exported so drizzle sees one schema.
// Each area keeps its tables in its own file beside this one.
export * from './ledger';
export * from './accounts';
export * from './governance';
export * from './payments';
export * from './tasks';
export * from './catalog';
export * from './quotes';
export * from './approvals';
export * from './alerts';
export * from './topups';
export * from './wallet';
export * from './agent-keys';
export * from './disputes';
export * from './onboarding';
export * from './standing';
export * from './rate-limits';
export * from './leases';
