// What SQLite's single writer leaves to fold later, folded as Steward stops: a stopped file is then
// complete by itself, and scripts/copy-sqlite-to-postgres.ts copies only such a file. No-op on PostgreSQL.
import type Database from 'better-sqlite3';
import { foldLedger } from './ledger-folds';
import { foldUsageChanges } from './usage-changes';

/** Usage changes into the totals (usage-changes.ts), transfers into a person's reservations and pending holds (ledger-folds.ts). */
export function foldOnStop(sqlite: Database.Database): void {
  foldUsageChanges(sqlite);
  foldLedger(sqlite);
}
