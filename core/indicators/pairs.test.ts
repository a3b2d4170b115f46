import { describe, expect, it } from 'vitest';
import { commonLogRatios, commonCloses, fadeHysteresis, volatilityNeutralShares, type FadePosition } from './pairs.js';

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

describe('fadeHysteresis', () => {
  const rule = { entryZ: 2, exitZ: 0.5, stopLoss: true, stopZ: 4 };
  const at = (side: number, blockedSide = 0): FadePosition => ({ side, blockedSide });
  it.each([
    { name: 'calm: stays flat', position: at(0), z: 1.5, next: { side: 0, blockedSide: 0, event: '' } },
    { name: 'high z: short the spread', position: at(0), z: 2.5, next: { side: -1, blockedSide: 0, event: ', enter beyond 2' } },
    { name: 'low z: long the spread', position: at(0), z: -2.5, next: { side: 1, blockedSide: 0, event: ', enter beyond 2' } },
    { name: 'beyond the stop: no entry', position: at(0), z: 4.5, next: { side: 0, blockedSide: 0, event: '' } },
    { name: 'still stretched: holds', position: at(-1), z: 1, next: { side: -1, blockedSide: 0, event: '' } },
    { name: 'back inside exitZ: exits', position: at(-1), z: 0.4, next: { side: 0, blockedSide: 0, event: ', exit inside 0.5' } },
    { name: 'overshoot to the other extreme: exits and reverses', position: at(-1), z: -2.5, next: { side: 1, blockedSide: 0, event: ', exit inside 0.5, enter beyond 2' } },
    { name: 'runs on beyond stopZ: stopped, side blocked', position: at(-1), z: 4.5, next: { side: 0, blockedSide: -1, event: ', stopped beyond 4' } },
    { name: 'blocked side stays blocked above entryZ', position: at(0, -1), z: 3, next: { side: 0, blockedSide: -1, event: '' } },
    { name: 'block lifts below entryZ', position: at(0, -1), z: 1.9, next: { side: 0, blockedSide: 0, event: '' } },
    { name: 'long block lifts above -entryZ', position: at(0, 1), z: -1.9, next: { side: 0, blockedSide: 0, event: '' } },
  ])('$name', ({ position, z, next }) => {
    expect(fadeHysteresis(rule, position, z)).toEqual(next);
  });

  it('without a stop loss holds however far z runs', () => {
    const noStop = { ...rule, stopLoss: false };
    expect(fadeHysteresis(noStop, at(-1), 9)).toEqual({ side: -1, blockedSide: 0, event: '' });
    expect(fadeHysteresis(noStop, at(0), 9)).toEqual({ side: -1, blockedSide: 0, event: ', enter beyond 2' });
  });
});
