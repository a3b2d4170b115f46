import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../host/paths.js';
import { renderConfigurationDoc, renderErrorsDoc, renderMetricsDoc } from './render-docs.js';

const read = (file: string): string => fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');

describe('reference docs mirror the code (regenerate with npm run docs)', () => {
  it('docs/configuration.md lists every setting of the schema', () => {
    expect(read('docs/configuration.md')).toBe(renderConfigurationDoc());
  });
  it('docs/errors.md lists every error code', () => {
    expect(read('docs/errors.md')).toBe(renderErrorsDoc());
  });
  it('docs/metrics.md lists every metric', async () => {
    expect(read('docs/metrics.md')).toBe(await renderMetricsDoc());
  });
});
