/**
 * Regenerates the reference pages that mirror code: docs/configuration.md (the convict schema),
 * docs/errors.md (the error table) and docs/metrics.md (the metrics registry). Run: npm run docs.
 * test/docs/reference-docs.test.ts fails when a page is out of date.
 */
import fs from 'node:fs';
import path from 'node:path';
import { renderConfigurationDoc, renderErrorsDoc, renderMetricsDoc } from '../test/docs/render-docs.js';
import { REPO_ROOT } from '../host/paths.js';

const pages: [string, string][] = [
  ['docs/configuration.md', renderConfigurationDoc()],
  ['docs/errors.md', renderErrorsDoc()],
  ['docs/metrics.md', await renderMetricsDoc()],
];
for (const [file, text] of pages) {
  fs.mkdirSync(path.dirname(path.join(REPO_ROOT, file)), { recursive: true });
  fs.writeFileSync(path.join(REPO_ROOT, file), text);
  console.log(`wrote ${file}`);
}
