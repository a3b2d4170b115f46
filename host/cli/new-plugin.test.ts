import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShError } from '../../core/index.js';
import { loadConfig, type HostConfig } from '../config/load-config.js';
import { REPO_ROOT } from '../paths.js';
import { newPlugin } from './new-plugin.js';

const TEMPLATE_ID = 'template-strategy';
const tempRoots: string[] = [];
let config: HostConfig;

/**
 * A scratch repository root: a copy of plugin-template/, an empty plugins/ and a link to the real core, so that the
 * generated plugins/<id>/index.ts resolves '../../core/index.js' exactly as it would in the repository.
 */
function scratchRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-new-plugin-'));
  tempRoots.push(root);
  fs.cpSync(path.join(REPO_ROOT, 'plugin-template'), path.join(root, 'plugin-template'), { recursive: true });
  fs.mkdirSync(path.join(root, 'plugins'));
  fs.symlinkSync(path.join(REPO_ROOT, 'core'), path.join(root, 'core'), 'dir');
  return root;
}

async function newPluginError(id: string, root: string): Promise<ShError> {
  try {
    await newPlugin(id, config, root);
  } catch (error) {
    if (error instanceof ShError) return error;
    throw error;
  }
  throw new Error(`expected newPlugin(${JSON.stringify(id)}) to throw an ShError`);
}

beforeAll(() => {
  config = loadConfig({ profile: 'demo', env: {} });
});
afterAll(() => {
  for (const root of tempRoots) fs.rmSync(root, { recursive: true, force: true });
});

describe('newPlugin', () => {
  it('copies the template to plugins/<id>, renaming the id, the test file and the core import prefix, then loads it', async () => {
    const root = scratchRoot();
    const text = await newPlugin('copper-trend', config, root);
    const target = path.join(root, 'plugins', 'copper-trend');

    const templateFiles = fs.readdirSync(path.join(root, 'plugin-template')).sort();
    const files = fs.readdirSync(target).sort();
    expect(files).toEqual(expect.arrayContaining(['README.md', 'copper-trend.test.ts', 'index.ts']));
    expect(files).toEqual(templateFiles.map((name) => name.replaceAll(TEMPLATE_ID, 'copper-trend')).sort());

    for (const name of files) {
      const content = fs.readFileSync(path.join(target, name), 'utf8');
      expect(content, name).not.toContain(TEMPLATE_ID);
      // Every core import went one folder deeper; none still points at the template's level.
      expect(content, name).not.toMatch(/['"]\.\.\/core\//);
    }
    const index = fs.readFileSync(path.join(target, 'index.ts'), 'utf8');
    expect(index).toContain("from '../../core/index.js'");
    expect(index).toContain("id: 'copper-trend'");
    const testFile = fs.readFileSync(path.join(target, 'copper-trend.test.ts'), 'utf8');
    expect(testFile).toContain("from '../../core/index.js'");
    expect(testFile).toContain("from './index.js'");

    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(`created ${templateFiles.map((name) => `plugins/copper-trend/${name.replaceAll(TEMPLATE_ID, 'copper-trend')}`).join(', ')}`);
    expect(lines[1]).toMatch(/^loaded copper-trend \d+\.\d+\.\d+: \S/);
    expect(lines[2]).toBe('next: edit plugins/copper-trend/index.ts, run npx vitest run plugins/copper-trend');
  });

  it('leaves the template itself unchanged', async () => {
    const root = scratchRoot();
    const before = fs.readFileSync(path.join(root, 'plugin-template', 'index.ts'), 'utf8');
    await newPlugin('silver-carry', config, root);
    expect(fs.readFileSync(path.join(root, 'plugin-template', 'index.ts'), 'utf8')).toBe(before);
    expect(fs.readdirSync(path.join(root, 'plugins'))).toEqual(['silver-carry']);
  });

  it('refuses an id whose folder exists (SH_ERR_PLUGIN_EXISTS) and leaves the folder alone', async () => {
    const root = scratchRoot();
    const existing = path.join(root, 'plugins', 'gold-drift');
    fs.mkdirSync(existing);
    fs.writeFileSync(path.join(existing, 'index.ts'), '// mine\n');
    const error = await newPluginError('gold-drift', root);
    expect(error.code).toBe('SH_ERR_PLUGIN_EXISTS');
    expect(error.exitCode).toBe(2);
    expect(error.details.where).toBe('plugins/gold-drift');
    expect(error.details.received).toBe('gold-drift');
    expect(fs.readdirSync(existing)).toEqual(['index.ts']);
    expect(fs.readFileSync(path.join(existing, 'index.ts'), 'utf8')).toBe('// mine\n');
  });

  it('refuses the same id the second time', async () => {
    const root = scratchRoot();
    await newPlugin('platinum-spread', config, root);
    expect((await newPluginError('platinum-spread', root)).code).toBe('SH_ERR_PLUGIN_EXISTS');
  });

  it.each(['CopperTrend', 'copper_trend', 'copper trend', '1copper', 'copper-', '-copper', 'copper--trend', '../escape', ''])(
    'refuses the non-kebab id %j (SH_ERR_PLUGIN_MANIFEST_INVALID) and creates nothing',
    async (id) => {
      const root = scratchRoot();
      const error = await newPluginError(id, root);
      expect(error.code).toBe('SH_ERR_PLUGIN_MANIFEST_INVALID');
      expect(error.details.where).toBe('new-plugin <id>');
      expect(error.details.received).toBe(id);
      expect(fs.readdirSync(path.join(root, 'plugins'))).toEqual([]);
      expect(fs.readdirSync(root).sort()).toEqual(['core', 'plugin-template', 'plugins']);
    },
  );
});
