import { describe, expect, it } from 'vitest';
import { NOT_PERSONAL, personalCondition, REDACTED_COLUMNS, schemaTables } from './data-export-repository';

// "Export all my data" reads the table list from the schema. These fail when a table or a secret
// column is added without deciding how the export treats it.

/** Columns whose names look secret but are not: public hashes and times. */
const NOT_SECRET = new Set(['payment_hash', 'refund_payment_hash', 'provider_payment_hash', 'response_sha256', 'token_expires_at_ms', 'key_prefix']);

describe('the data export covers the schema', () => {
  it('ties every table to its person, or says why it holds nobody\'s data', () => {
    const tables = schemaTables();
    expect(tables.length).toBeGreaterThan(20);
    const untied = tables.filter((table) => personalCondition(table) === null).map((table) => table.name);
    expect(untied.sort()).toEqual(Object.keys(NOT_PERSONAL).sort());
  });

  it('redacts every column that holds a secret or its hash', () => {
    const looksSecret = schemaTables()
      .flatMap((table) => table.columns)
      .filter((column) => /hash|secret|cipher|sealed|token|key/.test(column) && !NOT_SECRET.has(column));
    const unredacted = [...new Set(looksSecret)].filter((column) => !REDACTED_COLUMNS.has(column) && !/(_id|idempotency_key|dedupe_key|period_key)$/.test(column));
    expect(unredacted).toEqual([]);
  });
});
