import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../core/index.js';
import { SyntheticDataAdapter } from '../../adapters/data/synthetic/index.js';
import { main } from '../cli/main.js';
import { loadConfig } from '../config/load-config.js';
import { createRunContainer, TOKENS } from '../container.js';
import { syntheticWorldOf } from './models-command.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, (t) => (out += t), (t) => (err += t));
  return { code, out, err };
}

describe('strategy-host models', () => {
  it('list shows each registered model with version, training window, sha256 (checked) and features', async () => {
    const { code, out } = await cli('models', 'list');
    expect(code).toBe(0);
    for (const id of ['regime-gmm', 'meta-label-logit', 'ensemble-gbt', 'forecast-quantiles']) expect(out).toMatch(new RegExp(`^${id} +1\\.0\\.0\\+synthetic\\.2016-12-31 +\\d{4}-\\d\\d-\\d\\d\\.\\.2016-12-30 +[0-9a-f]{12} ok +\\d+: `, 'm'));
    expect(out).toContain('4 models (config/models/registry.json)');
    const json = JSON.parse((await cli('models', 'list', '--json')).out) as { id: string; hash: string }[];
    expect(json.map((m) => m.hash)).toEqual(['ok', 'ok', 'ok', 'ok']);
  });

  it('describe prints the card; an unknown id is an error listing the known ones', async () => {
    const { code, out } = await cli('models', 'describe', 'regime-gmm');
    expect(code).toBe(0);
    expect(out).toMatch(/^file: config\/models\/regime-gmm\.onnx \(sha256 ok\)\n\{/);
    expect(JSON.parse(out.slice(out.indexOf('{'))).outputs[0].labels).toEqual(['calm', 'normal', 'stressed']);
    const unknown = await cli('models', 'describe', 'nope');
    expect(unknown.code).toBe(ERROR_CODES.SH_ERR_INFERENCE_MODEL_UNKNOWN.exit);
    expect(unknown.err).toContain('SH_ERR_INFERENCE_MODEL_UNKNOWN');
    expect(unknown.err).toContain('ensemble-gbt');
  });

  it.each([
    { argv: ['models', 'fit', 'regime-gmm'], text: '--until <YYYY-MM-DD>' },
    { argv: ['models', 'fit', 'regime-gmm', '--until', '31/12/2016'], text: 'received: "31/12/2016"' },
    { argv: ['models', 'fit', 'nope', '--until', '2016-12-31'], text: 'expected: one of regime-gmm, meta-label-logit, ensemble-gbt, forecast-quantiles' },
    { argv: ['models', 'fit', 'regime-gmm', '--until', '2016-12-31', '--data', 'yahoo'], text: '--data must be synthetic or real' },
    { argv: ['models', 'frobnicate'], text: 'unknown models subcommand' },
  ])('$argv.1 $argv.2 $argv.3 $argv.4: usage error', async ({ argv, text }) => {
    const { code, err } = await cli(...argv);
    expect(code).toBe(2);
    expect(err).toContain('SH_ERR_CLI_USAGE');
    expect(err).toContain(text);
  });

  it('fit writes ONNX + card beside the configured registry and registers it, reproducing the committed model', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'models-cli-'));
    try {
      const registry = path.join(dir, 'registry.json');
      const { code, out } = await cli('models', 'fit', 'regime-gmm', '--until', '2016-12-31', '--as', 'regime-gmm-copy', '--set', `inference.registry=${registry}`);
      expect(code).toBe(0);
      expect(out).toMatch(/^regime-gmm-copy 1\.0\.0\+synthetic\.2016-12-31: \d+ rows, training window 2014-11-14\.\.2016-12-30/);
      const card = JSON.parse(await fs.readFile(path.join(dir, 'regime-gmm-copy.card.json'), 'utf8')) as { id: string; sha256: string };
      const committed = JSON.parse(await fs.readFile('config/models/regime-gmm.card.json', 'utf8')) as { sha256: string };
      expect(card.id).toBe('regime-gmm-copy');
      // Same world, same cutoff: the same weights. Only the graph name (the id) differs, so only the hash does.
      expect(card.sha256).not.toBe(committed.sha256);
      expect(JSON.parse(await fs.readFile(registry, 'utf8'))).toEqual({ models: { 'regime-gmm-copy': { file: 'regime-gmm-copy.onnx' } } });
      const again = await cli('models', 'fit', 'regime-gmm', '--until', '2016-12-31', '--set', `inference.registry=${registry}`);
      expect(again.code).toBe(0);
      const refit = JSON.parse(await fs.readFile(path.join(dir, 'regime-gmm.card.json'), 'utf8')) as { sha256: string };
      expect(refit.sha256).toBe(committed.sha256);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('fits on the very synthetic world the host generates for the profile', async () => {
    const config = loadConfig({ profile: 'demo' });
    const adapter = createRunContainer(config, os.tmpdir()).resolve<SyntheticDataAdapter>(TOKENS.MarketData);
    const world = syntheticWorldOf(config);
    expect(adapter).toBeInstanceOf(SyntheticDataAdapter);
    expect({ seed: adapter.seed, start: adapter.start, end: adapter.end }).toEqual({ seed: world.seed, start: Date.parse(`${world.start}T00:00:00Z`), end: Date.parse(`${world.end}T00:00:00Z`) });
    expect(world).toEqual({ seed: 42, start: '2014-10-17', end: '2019-12-31' });
  });
});
