import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository (package) root: every relative path in config is resolved against it. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Resolve a path from config: absolute stays, relative is taken from the repository root. */
export function fromRoot(p: string): string {
  return path.isAbsolute(p) ? p : path.resolve(REPO_ROOT, p);
}
