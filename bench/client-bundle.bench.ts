/**
 * How much JavaScript a browser must fetch and parse before the first screen: the entry chunk plus
 * every chunk it imports statically (what index.html loads and modulepreloads), gzipped. Built fresh
 * with the project's own Vite config into a temporary folder (dist/ is left alone), read through
 * Vite's manifest so lazy chunks (pages, charts) are told apart from static ones. A figure against
 * the 100 KiB target; nothing is asserted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const TARGET_BYTES = 100 * 1024;

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}
type Manifest = Record<string, ManifestChunk>;

/** The entry and its static imports, transitively: dynamic imports (React.lazy) are not followed. */
export function initialChunks(manifest: Manifest): string[] {
  const entries = Object.keys(manifest).filter((key) => manifest[key]?.isEntry);
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const next of manifest[key]?.imports ?? []) visit(next);
  };
  entries.forEach(visit);
  return [...seen].map((key) => manifest[key]?.file ?? key);
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export async function runClientBundleBench(): Promise<{ name: string; lines: string[] }> {
  const outDir = mkdtempSync(join(tmpdir(), 'steward-client-bench-'));
  try {
    const vite = join(process.cwd(), 'node_modules', 'vite', 'bin', 'vite.js');
    execFileSync(process.execPath, [vite, 'build', '--manifest', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], { stdio: 'inherit' });
    const manifest = JSON.parse(readFileSync(join(outDir, '.vite', 'manifest.json'), 'utf8')) as Manifest;
    const sizeOf = (file: string) => {
      const bytes = readFileSync(join(outDir, file));
      return { file, raw: bytes.length, gzip: gzipSync(bytes).length };
    };
    const initial = initialChunks(manifest).map(sizeOf);
    const initialSet = new Set(initial.map((chunk) => chunk.file));
    const lazy = Object.values(manifest)
      .map((chunk) => chunk.file)
      .filter((file) => file.endsWith('.js') && !initialSet.has(file))
      .map(sizeOf);
    const total = initial.reduce((sum, chunk) => sum + chunk.gzip, 0);
    const largestLazy = [...lazy].sort((a, b) => b.gzip - a.gzip).slice(0, 3);
    return {
      name: 'Client: initial JavaScript',
      lines: [
        'The entry chunk and its static imports (what the first screen waits for), gzipped (Node zlib,',
        'default level), from a fresh `vite build`. Pages, the dashboard charts and the sign-in forms',
        'load later, each with its route (React.lazy); the live-stream code with the first stream.',
        '',
        '| chunk | raw | gzip |',
        '|---|---|---|',
        ...initial.map((chunk) => `| ${chunk.file} | ${kib(chunk.raw)} | ${kib(chunk.gzip)} |`),
        `| **initial total** | | **${kib(total)}** |`,
        '',
        `Target: at most ${kib(TARGET_BYTES)}; ratio ${(total / TARGET_BYTES).toFixed(3)} (<= 1 meets it).`,
        `Lazy chunks: ${lazy.length}; largest: ${largestLazy.map((chunk) => `${chunk.file} ${kib(chunk.gzip)}`).join(', ')}.`,
      ],
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const report = await runClientBundleBench();
  for (const line of [report.name, ...report.lines]) console.log(line);
}
