import { describe, expect, it } from 'vitest';
import { isShError, type ShError } from '../errors.js';
import { throwIfParamProblems } from './params.js';

function thrown(run: () => void): ShError {
  try {
    run();
  } catch (error) {
    if (isShError(error)) return error;
    throw error;
  }
  throw new Error('expected a throw');
}

describe('throwIfParamProblems', () => {
  it('does nothing without problems', () => {
    expect(throwIfParamProblems('gold-silver-ratio', [])).toBeUndefined();
  });

  it('throws one error listing each problem at its config path', () => {
    const error = thrown(() =>
      throwIfParamProblems('gold-silver-ratio', [
        { name: 'silverSymbol', received: 'GLD', expected: 'a symbol other than goldSymbol (GLD)' },
        { name: 'exitZ', received: 3, expected: 'less than entryZ (2)' },
      ]),
    );
    expect(error.code).toBe('SH_ERR_PLUGIN_PARAM_INVALID');
    expect(error.message).toBe('2 inconsistent parameter(s) for gold-silver-ratio');
    expect(error.details).toEqual({ where: 'plugins.settings.gold-silver-ratio.params' });
    expect(error.problems.map((p) => [p.code, p.message, p.details])).toEqual([
      ['SH_ERR_PLUGIN_PARAM_INVALID', 'parameter silverSymbol is invalid', { where: 'plugins.settings.gold-silver-ratio.params.silverSymbol', received: 'GLD', expected: 'a symbol other than goldSymbol (GLD)' }],
      ['SH_ERR_PLUGIN_PARAM_INVALID', 'parameter exitZ is invalid', { where: 'plugins.settings.gold-silver-ratio.params.exitZ', received: 3, expected: 'less than entryZ (2)' }],
    ]);
  });
});
