import { ERROR_CODES } from '../../core/errors.js';
import { schema } from '../../config/schema.js';
import { HostMetrics } from '../../host/metrics.js';

interface Leaf {
  doc: string;
  format: unknown;
  default: unknown;
  env?: string;
}

function leaves(node: Record<string, unknown>, prefix = ''): [string, Leaf][] {
  const out: [string, Leaf][] = [];
  for (const [key, value] of Object.entries(node)) {
    const p = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object' && 'doc' in value && 'default' in value) out.push([p, value as Leaf]);
    else if (value && typeof value === 'object') out.push(...leaves(value as Record<string, unknown>, p));
  }
  return out;
}

function formatOf(format: unknown): string {
  if (Array.isArray(format)) return format.map((f) => `\`${f}\``).join(' \\| ');
  if (typeof format === 'function') return format.name.toLowerCase();
  return String(format);
}

/** docs/configuration.md from the convict schema. */
export function renderConfigurationDoc(): string {
  const rows = leaves(schema as unknown as Record<string, unknown>).map(
    ([p, l]) => `| \`${p}\` | ${l.doc.replace(/\|/g, '\\|')} | ${formatOf(l.format)} | \`${JSON.stringify(l.default)}\` | ${l.env ? `\`${l.env}\`` : ''} |`,
  );
  return `# Configuration reference

Generated from \`config/schema.ts\` by \`npm run docs\`; do not edit by hand.

Precedence, lowest first: schema defaults < profile (\`config/profiles/<name>.json\`, chosen with \`--profile\`) <
the file given by \`--config\` < environment variables < command-line flags (\`--http-port\`, \`--executor\`,
\`--set <path>=<value>\`). Validation is strict: an unknown key is an error, and every problem is listed at once with
its path and the value received (exit code 2, \`SH_ERR_CONFIG_INVALID\`).

| setting | meaning | format | default | env |
|---|---|---|---|---|
${rows.join('\n')}
| \`plugins.settings\` | Per plugin id: \`{ "mode": "disabled"\\|"shadow"\\|"canary"\\|"live", "params": { ... } }\`. Unknown ids, modes and params are errors, each with its path. | object | \`{}\` | |

Example \`--config\` file:

\`\`\`json
{
  "run": { "start": "2018-01-01", "end": "2019-06-30" },
  "plugins": { "settings": { "tsmom": { "mode": "canary", "params": { "lookbackDays": 126 } } } },
  "risk": { "guards": [ { "name": "kill-switch" }, { "name": "max-order-size", "maxNotional": 100000 } ] }
}
\`\`\`
`;
}

/** docs/errors.md from the error table. */
export function renderErrorsDoc(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, e]) => `| \`${code}\` | ${e.exit} | ${e.meaning} | ${e.fix} |`);
  return `# Error codes

Generated from \`core/errors.ts\` by \`npm run docs\`; do not edit by hand. Every error the host raises on purpose
carries one of these codes; the CLI prints the code, where (config path, file and line, plugin and hook), the value
received, what was expected and how to fix it, and exits with the code shown (2: bad input; 1: runtime failure).
Codes are never reused. Match on the code, never on the message.

| code | exit | meaning | how to fix |
|---|---|---|---|
${rows.join('\n')}
`;
}

/** docs/metrics.md from the metrics registry. */
export async function renderMetricsDoc(): Promise<string> {
  const metrics = new HostMetrics({ processMetrics: false });
  const fields = Object.values(metrics) as { name?: string; help?: string; labelNames?: string[] }[];
  const list = await metrics.registry.getMetricsAsJSON();
  const rows = list.map((m) => {
    const labels = fields.find((f) => f?.name === m.name)?.labelNames ?? [];
    return `| \`${m.name}\` | ${m.type} | ${labels.map((l) => `\`${l}\``).join(', ')} | ${m.help} |`;
  });
  return `# Metrics

Generated from \`host/metrics.ts\` by \`npm run docs\`; do not edit by hand. Served in the Prometheus text format at
\`/metrics\` when the host runs with \`--http-port <n>\` (or \`http.port\`). Process metrics of prom-client
(\`strategy_host_process_*\`, \`strategy_host_nodejs_*\`) are exported too.

| metric | type | labels | meaning |
|---|---|---|---|
${rows.join('\n')}
`;
}
