import { describeParam, ShError } from '../../core/index.js';
import type { HostConfig } from '../config/load-config.js';
import { loadPlugins, type LoadedPlugin } from '../plugins/loader.js';

async function load(config: HostConfig): Promise<LoadedPlugin[]> {
  return loadPlugins({ dirs: config.plugins.dirs, paths: config.plugins.paths, settings: config.plugins.settings, defaultMode: config.plugins.defaultMode });
}

/** `plugins list [--json]`: id, version, mode under the profile, summary. */
export async function listPlugins(config: HostConfig, json: boolean): Promise<string> {
  const plugins = await load(config);
  if (json) {
    return `${JSON.stringify(plugins.map((p) => ({ id: p.id, version: p.definition.version, api: p.definition.api, mode: p.mode, summary: p.definition.summary, modulePath: p.modulePath })), null, 2)}\n`;
  }
  const rows = plugins.map((p) => [p.id, p.definition.version, p.mode, p.definition.summary]);
  const widths = [0, 1, 2].map((i) => Math.max(['id', 'version', 'mode'][i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}  ${r[3]}`;
  return `${[line(['id', 'version', 'mode', 'summary']), ...rows.map(line)].join('\n')}\n${plugins.length} plugins (profile ${config.profile})\n`;
}

/** `plugins describe <id>`: summary, params with type, bounds, default and value in effect, data needs. */
export async function describePlugin(config: HostConfig, id: string): Promise<string> {
  const plugins = await load(config);
  const p = plugins.find((x) => x.id === id);
  if (!p) {
    throw new ShError('SH_ERR_PLUGIN_UNKNOWN', `no plugin with id ${id}`, { where: 'plugins describe', received: id, expected: `one of ${plugins.map((x) => x.id).join(', ')}` });
  }
  const d = p.definition;
  const lines = [`${d.id} ${d.version} (api ${d.api}), mode ${p.mode}`, d.summary, `module: ${p.modulePath}`, '', 'params:'];
  for (const [name, spec] of Object.entries(d.params)) {
    lines.push(`  ${name}: ${describeParam(spec)}; default ${JSON.stringify(spec.default)}; in effect ${JSON.stringify(p.params[name])}${spec.description ? ` - ${spec.description}` : ''}`);
  }
  const n = p.prepared.needs;
  lines.push('', 'needs:', `  bars: ${n.bars.join(', ')} (${n.history} rows)`);
  if (n.series?.length) lines.push(`  series: ${n.series.join(', ')} (${n.seriesHistory ?? n.history} rows)`);
  if (p.prepared.models.length > 0) lines.push(`  models: ${p.prepared.models.join(', ')} (from the registry named by inference.registry)`);
  lines.push(`  trades: ${[...p.prepared.universe].join(', ')}`, `  time budget: ${p.prepared.timeBudgetMs} ms per evaluation`);
  return `${lines.join('\n')}\n`;
}
