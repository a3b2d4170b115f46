import { describe, expect, it } from 'vitest';
import { bandedWeight, inverseVolatilityWeights, volatilityTargetSize } from './sizing.js';

describe('volatilityTargetSize', () => {
  it.each([
    { target: 0.1, vol: 0.2, cap: undefined, size: 0.5 },
    { target: 0.1, vol: 0.05, cap: undefined, size: 1 },
    { target: 0.1, vol: 0.05, cap: 1.5, size: 1.5 },
    { target: 0.1, vol: 0.4, cap: 0.2, size: 0.2 },
    { target: 0.1, vol: 0, cap: undefined, size: 0 },
    { target: 0.1, vol: Number.NaN, cap: undefined, size: 0 },
  ])('target $target at vol $vol, cap $cap: $size', ({ target, vol, cap, size }) => {
    expect(volatilityTargetSize(target, vol, cap)).toBe(size);
  });
});

describe('inverseVolatilityWeights', () => {
  it.each([
    { vols: [0.1, 0.2, 0.4], weights: [4 / 7, 2 / 7, 1 / 7] },
    { vols: [0.2, 0.2], weights: [0.5, 0.5] },
    { vols: [0.1, 0, 0.1], weights: [0.5, 0, 0.5] },
  ])('$vols: $weights', ({ vols, weights }) => {
    const out = inverseVolatilityWeights(vols) as number[];
    expect(out).toHaveLength(weights.length);
    out.forEach((w, i) => expect(w).toBeCloseTo(weights[i] as number, 15));
  });

  it('is undefined when no volatility is positive', () => {
    expect(inverseVolatilityWeights([0, 0])).toBeUndefined();
    expect(inverseVolatilityWeights([])).toBeUndefined();
  });
});

describe('bandedWeight', () => {
  it.each([
    { target: 0.55, previous: 0.5, band: 0.1, weight: 0.5 },
    { target: 0.7, previous: 0.5, band: 0.1, weight: 0.7 },
    { target: 0.46, previous: 0.5, band: 0.1, weight: 0.5 },
    { target: -0.1, previous: 0.5, band: 0.1, weight: -0.1 },
    { target: 0, previous: 0.5, band: 0.9, weight: 0 },
    { target: 0.3, previous: 0, band: 0.9, weight: 0.3 },
    { target: 0.51, previous: 0.5, band: 0, weight: 0.51 },
  ])('target $target from $previous, band $band: $weight', ({ target, previous, band, weight }) => {
    expect(bandedWeight(target, previous, band)).toBe(weight);
  });
});
