import fs from 'node:fs';
import path from 'node:path';

/** One forbidden import found. */
export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  readonly rule: string;
}

const TEST_PACKAGES = new Set(['vitest', 'fast-check']);
const IMPORT_PATTERN = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;(])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[\s;])import\s*['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Top-level area of a repo-relative path: core, plugins/<id>, adapters/<kind>/<name>, host, ... */
function areaOf(rel: string): { top: string; unit: string } {
  const parts = rel.split('/');
  const top = parts[0] ?? '';
  if (top === 'plugins') return { top, unit: parts.slice(0, 2).join('/') };
  if (top === 'adapters') return { top, unit: parts.slice(0, 3).join('/') };
  return { top, unit: top };
}

/**
 * The rules of DESIGN.md §1, as a function of (importing file, imported specifier). Returns the broken rule or
 * undefined. Relative specifiers are resolved against the importing file.
 */
export function checkImport(file: string, specifier: string): string | undefined {
  const from = areaOf(file);
  const isTest = /\.test\.ts$/.test(file);
  if (!specifier.startsWith('.')) {
    if (isTest && (TEST_PACKAGES.has(specifier) || specifier.startsWith('node:'))) return undefined;
    if (from.top === 'core') return 'core imports no package: it is pure (no I/O, no tsyringe, piscina, onnxruntime or prom-client)';
    if (from.top === 'plugins' || from.top === 'plugin-template') return 'plugins import core only: no packages (no decorators or container under plugins/)';
    return undefined;
  }
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  if (target.startsWith('..')) return 'imports reach outside the repository';
  const to = areaOf(target);
  switch (from.top) {
    case 'core':
      return to.top === 'core' ? undefined : 'core imports nothing of ours outside core';
    case 'plugins':
    case 'plugin-template':
      return to.top === 'core' || to.unit === from.unit ? undefined : 'plugins import core only: never host, adapters or another plugin';
    case 'adapters':
      return to.top === 'core' || to.unit === from.unit ? undefined : 'adapters import core only (and their own folder)';
    case 'config':
      return to.top === 'config' || to.top === 'core' ? undefined : 'config imports only config and core';
    case 'host':
      return to.top === 'plugins' || to.top === 'plugin-template' ? 'host loads plugins by module path, never by import' : undefined;
    default:
      return undefined;
  }
}

/** Every import/export/dynamic-import/require specifier of a source text with its line number. */
export function importsOf(text: string): { specifier: string; line: number }[] {
  const out: { specifier: string; line: number }[] = [];
  for (const m of text.matchAll(IMPORT_PATTERN)) {
    const specifier = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (!specifier) continue;
    out.push({ specifier, line: text.slice(0, (m.index ?? 0) + m[0].indexOf(specifier)).split('\n').length });
  }
  return out;
}

/** Check every .ts file under the given top-level folders of `root`. */
export function scanRepository(root: string, folders: readonly string[]): { files: number; violations: Violation[] } {
  const violations: Violation[] = [];
  let files = 0;
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|mts|js|mjs)$/.test(entry.name)) {
        files += 1;
        const rel = path.relative(root, full).split(path.sep).join('/');
        for (const { specifier, line } of importsOf(fs.readFileSync(full, 'utf8'))) {
          const rule = checkImport(rel, specifier);
          if (rule) violations.push({ file: rel, line, specifier, rule });
        }
      }
    }
  };
  for (const folder of folders) if (fs.existsSync(path.join(root, folder))) walk(path.join(root, folder));
  return { files, violations };
}
