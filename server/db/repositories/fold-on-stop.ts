// What SQLite's single writer leaves to fold later, folded as Steward stops: a stopped file is then
// complete by itself, and scripts/copy-sqlite-to-postgres.ts copies only such a file. No-op on PostgreSQL.
import type Database from 'better-sqlite3';
import { foldReservationsByUser } from './reservations-by-user';
import { foldUsageChanges } from './usage-changes';

/** Usage changes into the totals (usage-changes.ts), reservations into ledger_reservations_by_user (reservations-by-user.ts). */
export function foldOnStop(sqlite: Database.Database): void {
  foldUsageChanges(sqlite);
  foldReservationsByUser(sqlite);
}
