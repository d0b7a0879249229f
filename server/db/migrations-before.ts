// For migration tests: a copy of SQLite's migrations folder as it was before one migration, so a
// database can be built on the old schema, written the old way, then migrated by the real files.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sqliteMigrationsFolder } from './client';

/** The folder under `dir` holding every migration whose tag sorts before `tag` (e.g. '0027_ledger_holds'). */
export function sqliteMigrationsBefore(dir: string, tag: string): string {
  const folder = join(dir, 'migrations');
  cpSync(sqliteMigrationsFolder, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.filter((entry) => entry.tag < tag) }));
  return folder;
}
