import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkImport, importsOf, scanRepository } from './boundaries.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('import boundaries (DESIGN.md §1)', () => {
  it('the repository has no forbidden import', () => {
    const { files, violations } = scanRepository(ROOT, ['core', 'plugins', 'plugin-template', 'adapters', 'host', 'config']);
    expect(files).toBeGreaterThan(20);
    expect(violations.map((v) => `${v.file}:${v.line} imports ${v.specifier}: ${v.rule}`)).toEqual([]);
  });

  it.each([
    ['core/model/x.ts', '../../host/engine/engine.js', true],
    ['core/model/x.ts', 'tsyringe', true],
    ['core/model/x.ts', 'node:fs', true],
    ['core/model/x.ts', '../errors.js', false],
    ['plugins/tsmom/index.ts', '../../core/index.js', false],
    ['plugins/tsmom/index.ts', '../../adapters/data/synthetic/index.js', true],
    ['plugins/tsmom/index.ts', '../gold-silver-ratio/index.js', true],
    ['plugins/tsmom/index.ts', '../../host/metrics.js', true],
    ['plugins/tsmom/index.ts', 'tsyringe', true],
    ['plugins/tsmom/tsmom.test.ts', 'vitest', false],
    ['plugin-template/index.ts', '../core/index.js', false],
    ['adapters/brokers/paper/paper-broker.ts', '../../../core/index.js', false],
    ['adapters/brokers/paper/paper-broker.ts', '../../../host/metrics.js', true],
    ['adapters/brokers/paper/paper-broker.ts', '../../data/csv/index.js', true],
    ['adapters/brokers/paper/paper-broker.ts', 'better-sqlite3', false],
    ['host/run-host.ts', '../adapters/brokers/paper/index.js', false],
    ['host/run-host.ts', '../plugins/tsmom/index.js', true],
  ])('%s importing %s is forbidden: %s', (file, specifier, forbidden) => {
    expect(checkImport(file, specifier) !== undefined).toBe(forbidden);
  });

  it('finds static, re-export, side-effect, dynamic and require imports with line numbers', () => {
    const text = ["import a from './a.js';", "export { b } from './b.js';", "import './c.js';", "const d = await import('./d.js');", "const e = require('./e.js');", "import type { F } from './f.js';"].join('\n');
    expect(importsOf(text)).toEqual([
      { specifier: './a.js', line: 1 },
      { specifier: './b.js', line: 2 },
      { specifier: './c.js', line: 3 },
      { specifier: './d.js', line: 4 },
      { specifier: './e.js', line: 5 },
      { specifier: './f.js', line: 6 },
    ]);
  });
});
