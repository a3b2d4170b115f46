import { describe, expect, it } from 'vitest';
import { commonLogRatios, commonCloses, describeLegs, pairSignals, volatilityNeutralShares } from './pairs.js';

const a = { time: [1, 2, 3, 4, 6], close: [10, 11, 12, 13, 15] };
const b = { time: [1, 3, 4, 5, 6], close: [20, 22, 23, 24, 25] };
const c = { time: [2, 3, 6], close: [31, 32, 33] };

describe('commonCloses', () => {
  it.each([
    { windows: [a, b], rows: 2, expected: [[13, 15], [23, 25]] },
    { windows: [a, b], rows: 10, expected: [[10, 12, 13, 15], [20, 22, 23, 25]] },
    { windows: [a, b, c], rows: 10, expected: [[12, 15], [22, 25], [32, 33]] },
    { windows: [a, c], rows: 1, expected: [[15], [33]] },
    { windows: [a], rows: 3, expected: [[12, 13, 15]] },
    { windows: [a, { time: [], close: [] }], rows: 3, expected: [[], []] },
    { windows: [], rows: 3, expected: [] },
  ])('$rows rows of $windows.length windows', ({ windows, rows, expected }) => {
    expect(commonCloses(windows, rows)).toEqual(expected);
  });

  it('reads typed-array windows', () => {
    const typed = { time: Float64Array.from(a.time), close: Float64Array.from(a.close) };
    expect(commonCloses([typed, b], 1)).toEqual([[15], [25]]);
  });
});

describe('commonLogRatios', () => {
  it('is log(a / b) on common dates, oldest first', () => {
    const ratios = commonLogRatios(a, b, 2);
    expect(ratios).toHaveLength(2);
    expect(ratios[0]).toBeCloseTo(Math.log(13 / 23), 15);
    expect(ratios[1]).toBeCloseTo(Math.log(15 / 25), 15);
    expect(commonLogRatios(a, b, 10)).toHaveLength(4);
  });
});

describe('volatilityNeutralShares', () => {
  it.each([
    { volA: 0.15, volB: 0.3, shares: [2 / 3, 1 / 3] },
    { volA: 0.2, volB: 0.2, shares: [0.5, 0.5] },
    { volA: 0, volB: 0.2, shares: [0.5, 0.5] },
    { volA: Number.NaN, volB: 0.2, shares: [0.5, 0.5] },
  ])('vols $volA / $volB: shares $shares', ({ volA, volB, shares }) => {
    const [x, y] = volatilityNeutralShares(volA, volB);
    expect(x).toBeCloseTo(shares[0] as number, 15);
    expect(y).toBeCloseTo(shares[1] as number, 15);
    // Both legs carry the same volatility.
    if (volA > 0 && volB > 0) expect(x * volA).toBeCloseTo(y * volB, 15);
  });
});

describe('pairSignals', () => {
  it('gives each leg its weight, both the same confidence and reason', () => {
    expect(pairSignals(['GLD', 'SLV'], [-0.65, 0.35], 0.9, 'gsr z +3.49')).toEqual([
      { symbol: 'GLD', weight: -0.65, confidence: 0.9, reason: 'gsr z +3.49' },
      { symbol: 'SLV', weight: 0.35, confidence: 0.9, reason: 'gsr z +3.49' },
    ]);
  });

  it('cuts the reason to 200 characters', () => {
    const [first, second] = pairSignals(['GLD', 'SLV'], [0, 0], 0, 'x'.repeat(250));
    expect(first?.reason).toBe('x'.repeat(200));
    expect(second?.reason).toBe('x'.repeat(200));
  });
});

describe('describeLegs', () => {
  it.each([
    { symbols: ['SLV', 'GLD'], weights: [0.354, -0.646], text: 'long SLV 0.35 / short GLD 0.65' },
    { symbols: ['GDX', 'GLD'], weights: [-0.36, 0.558], text: 'short GDX 0.36 / long GLD 0.56' },
  ] as const)('$text', ({ symbols, weights, text }) => {
    expect(describeLegs(symbols, weights)).toBe(text);
  });
});
