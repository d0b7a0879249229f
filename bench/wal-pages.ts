// Which B-trees a workload's commits write, read back from the WAL itself. A commit writes every page
// it dirtied, whole, to the WAL (and the checkpointer copies it again into the database), so pages per
// decision, more than rows or bytes, is what a decision's writes cost on a file; naming each page's
// table or index shows which structure a decision pays for.
import Database from 'better-sqlite3';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;

/**
 * The page numbers of the WAL's current frames, in order (a frame of an older generation has other
 * salts). Only the headers are read: the WAL may hold hundreds of megabytes of pages.
 */
function walFramePages(walPath: string): number[] {
  const fd = openSync(walPath, 'r');
  try {
    const header = Buffer.alloc(WAL_HEADER_BYTES);
    if (readSync(fd, header, 0, WAL_HEADER_BYTES, 0) < WAL_HEADER_BYTES) return [];
    const frameBytes = FRAME_HEADER_BYTES + header.readUInt32BE(8);
    const salts = [header.readUInt32BE(16), header.readUInt32BE(20)];
    const walBytes = fstatSync(fd).size;
    const frame = Buffer.alloc(FRAME_HEADER_BYTES);
    const pages: number[] = [];
    for (let at = WAL_HEADER_BYTES; at + frameBytes <= walBytes; at += frameBytes) {
      readSync(fd, frame, 0, FRAME_HEADER_BYTES, at);
      if (frame.readUInt32BE(8) !== salts[0] || frame.readUInt32BE(12) !== salts[1]) break;
      pages.push(frame.readUInt32BE(0));
    }
    return pages;
  } finally {
    closeSync(fd);
  }
}

export interface WalPages {
  perDecision: number;
  /** Pages per decision by table or index name, most first. */
  byTree: [string, number][];
}

/**
 * Runs `work` (which makes `decisions` decisions on the SQLite file at `file`, through `writer`) and
 * counts the WAL pages it wrote. A reader holds a snapshot meanwhile, so no checkpoint can restart
 * the WAL under the count; that slows the work, which is why this is not timed.
 */
export async function walPagesOf(file: string, writer: Database.Database, decisions: number, work: () => Promise<unknown>): Promise<WalPages> {
  const reader = new Database(file, { readonly: true });
  try {
    reader.prepare('BEGIN').run();
    reader.prepare('SELECT count(*) FROM sqlite_schema').get();
    const before = walFramePages(`${file}-wal`).length;
    await work();
    const pages = walFramePages(`${file}-wal`).slice(before);
    reader.prepare('COMMIT').run();
    const treeOf = new Map<number, string>();
    for (const { name, pageno } of writer.prepare('SELECT name, pageno FROM dbstat').all() as { name: string; pageno: number }[]) treeOf.set(pageno, name);
    const counts = new Map<string, number>();
    for (const page of pages) {
      const tree = treeOf.get(page) ?? '(freed since)';
      counts.set(tree, (counts.get(tree) ?? 0) + 1);
    }
    const byTree = [...counts].map(([tree, n]): [string, number] => [tree, n / decisions]).sort((a, b) => b[1] - a[1]);
    return { perDecision: pages.length / decisions, byTree };
  } finally {
    reader.close();
  }
}
