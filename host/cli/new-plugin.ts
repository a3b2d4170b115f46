import fs from 'node:fs';
import path from 'node:path';
import { PLUGIN_ID_PATTERN, ShError } from '../../core/index.js';
import type { HostConfig } from '../config/load-config.js';
import { loadPlugins } from '../plugins/loader.js';
import { REPO_ROOT } from '../paths.js';

const TEMPLATE_ID = 'template-strategy';

/**
 * Copy plugin-template/ to plugins/<id>: the template id is replaced everywhere (contents and file names) and the
 * core import prefix deepened by one folder. The new plugin is then loaded to prove it works.
 */
export async function newPlugin(id: string, config: HostConfig, root = REPO_ROOT): Promise<string> {
  if (!PLUGIN_ID_PATTERN.test(id)) {
    throw new ShError('SH_ERR_PLUGIN_MANIFEST_INVALID', `plugin id ${JSON.stringify(id)} is not kebab-case`, { where: 'new-plugin <id>', received: id, expected: 'lower-case words joined by dashes, e.g. copper-trend' });
  }
  const source = path.join(root, 'plugin-template');
  const target = path.join(root, 'plugins', id);
  if (fs.existsSync(target)) {
    throw new ShError('SH_ERR_PLUGIN_EXISTS', `plugins/${id} already exists`, { where: `plugins/${id}`, received: id, expected: 'an id without a folder in plugins/' });
  }
  fs.mkdirSync(target, { recursive: true });
  const written: string[] = [];
  for (const entry of fs.readdirSync(source, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const text = fs
      .readFileSync(path.join(source, entry.name), 'utf8')
      .replaceAll(TEMPLATE_ID, id)
      .replaceAll("'../core/", "'../../core/");
    const name = entry.name.replaceAll(TEMPLATE_ID, id);
    fs.writeFileSync(path.join(target, name), text);
    written.push(`plugins/${id}/${name}`);
  }
  const loaded = await loadPlugins({ dirs: [], paths: [path.join(target, 'index.ts')], settings: {}, defaultMode: config.plugins.defaultMode });
  return `created ${written.join(', ')}\nloaded ${loaded[0]!.id} ${loaded[0]!.definition.version}: ${loaded[0]!.definition.summary}\nnext: edit plugins/${id}/index.ts, run npx vitest run plugins/${id}\n`;
}
