import { describe, expect, it } from 'vitest';
import { fadeHysteresis } from './fade.js';
import { ALIGNMENT_SLACK_DAYS, commonLogRatios, volatilityNeutralShares } from './pairs.js';
import { ratioFadeHistory, ratioFadeParams, ratioFadeStep, type RatioFadeSettings } from './ratio-fade.js';
import { sampleVolatility } from './volatility.js';
import { twoSidedConfidence, zScore } from './zscore.js';

const settings: RatioFadeSettings = { entryZ: 2, exitZ: 0.5, stopLoss: true, stopZ: 4, windowDays: 60, volDays: 20, grossExposure: 1 };
const FLAT = { side: 0, blockedSide: 0 };

/** A deterministic wiggle in [-1, 1]. */
const wiggle = (i: number): number => Math.sin(i * 1.7) * Math.cos(i * 0.31);

/**
 * Leg b a gentle wiggle around 100, leg a = b x exp(ratio): the log ratio wiggles around 0.5 (standard deviation about
 * 0.01) and its last value is set to `lastRatio`. The ratio's wiggle makes a the riskier leg.
 */
function legs(days: number, lastRatio?: number): { a: { time: number[]; close: number[] }; b: { time: number[]; close: number[] } } {
  const time = Array.from({ length: days }, (_, i) => i + 1);
  const b = time.map((_, i) => 100 * Math.exp(0.01 * wiggle(i)));
  const ratio = time.map((_, i) => (i === days - 1 && lastRatio !== undefined ? lastRatio : 0.5 + 0.01 * wiggle(i + 100) + 0.01 * wiggle(i)));
  return { a: { time, close: b.map((x, i) => x * Math.exp(ratio[i] as number)) }, b: { time, close: b } };
}

describe('ratioFadeParams', () => {
  it('declares what ratioFadeStep reads, in the order a plugin lists them, windowDays naming the ratio', () => {
    const specs = ratioFadeParams('gold/silver');
    expect(Object.keys(specs)).toEqual(['windowDays', 'entryZ', 'exitZ', 'stopLoss', 'stopZ', 'volDays', 'grossExposure']);
    expect(specs.windowDays).toEqual({ type: 'int', min: 250, max: 756, default: 504, description: 'Days of log(gold/silver) in the z-score (1 to 3 years).' });
    expect(specs.stopLoss.description).toBe('Stop out when the ratio runs on to stopZ.');
    expect([specs.volDays.default, specs.grossExposure.default]).toEqual([60, 1]);
  });
});

describe('ratioFadeHistory', () => {
  it('is windowDays plus the alignment slack, or volDays + 1 closes when that is more', () => {
    expect(ratioFadeHistory({ windowDays: 504, volDays: 60 })).toBe(504 + ALIGNMENT_SLACK_DAYS);
    expect(ratioFadeHistory({ windowDays: 20, volDays: 60 })).toBe(61);
  });
});

describe('ratioFadeStep', () => {
  it('waits, with the aligned days found, until windowDays of them exist', () => {
    const { a, b } = legs(40);
    expect(ratioFadeStep(a, b, settings, FLAT)).toEqual({ ready: false, alignedDays: 40 });
  });

  it('waits while a leg has fewer than volDays + 1 closes', () => {
    const { a, b } = legs(60);
    expect(ratioFadeStep(a, b, { ...settings, volDays: 60 }, FLAT)).toEqual({ ready: false, alignedDays: 60 });
  });

  it('stays flat, weights and confidence 0, while the ratio is calm', () => {
    const { a, b } = legs(80);
    const step = ratioFadeStep(a, b, settings, FLAT);
    expect(step.ready && Math.abs(step.z) < settings.entryZ).toBe(true);
    expect(step).toMatchObject({ ready: true, side: 0, blockedSide: 0, event: '', weights: [0, 0], confidence: 0 });
  });

  it('at a high ratio shorts a and buys b, volatility-neutral, the absolute weights summing to grossExposure', () => {
    const { a, b } = legs(80, 0.53);
    const step = ratioFadeStep(a, b, { ...settings, grossExposure: 0.8 }, FLAT);
    if (!step.ready) throw new Error('expected a step');
    expect(step.z).toBeGreaterThan(settings.entryZ);
    expect(step).toMatchObject({ side: -1, blockedSide: 0, event: ', enter beyond 2' });
    const [weightA, weightB] = step.weights;
    const [volA, volB] = step.vols;
    expect(weightA).toBeLessThan(0);
    expect(weightB).toBeGreaterThan(0);
    expect(Math.abs(weightA) + Math.abs(weightB)).toBeCloseTo(0.8, 15);
    expect(Math.abs(weightA) * volA).toBeCloseTo(weightB * volB, 15);
    // The riskier leg gets the smaller weight.
    expect(volA).toBeGreaterThan(volB);
    expect(Math.abs(weightA)).toBeLessThan(weightB);
    expect(step.confidence).toBe(twoSidedConfidence(step.z));
  });

  it('at a low ratio buys a and shorts b; holds a trade between exitZ and entryZ', () => {
    const low = legs(80, 0.47);
    const entered = ratioFadeStep(low.a, low.b, settings, FLAT);
    expect(entered).toMatchObject({ ready: true, side: 1 });
    if (!entered.ready) throw new Error('expected a step');
    expect(entered.weights[0]).toBeGreaterThan(0);
    expect(entered.weights[1]).toBeLessThan(0);
    const calm = legs(80, 0.49);
    const held = ratioFadeStep(calm.a, calm.b, settings, { side: 1, blockedSide: 0 });
    if (!held.ready) throw new Error('expected a step');
    expect(held.z).toBeLessThan(-settings.exitZ);
    expect(held.z).toBeGreaterThan(-settings.entryZ);
    expect(held).toMatchObject({ side: 1, event: '' });
  });

  it('is the composition of the primitives, to the last bit', () => {
    const { a, b } = legs(90, 0.53);
    const position = { side: 0, blockedSide: 1 };
    const ratios = commonLogRatios(a, b, settings.windowDays);
    const { z, last, mean } = zScore(ratios);
    const next = fadeHysteresis(settings, position, z);
    const volA = sampleVolatility(a.close, settings.volDays);
    const volB = sampleVolatility(b.close, settings.volDays);
    const [shareA, shareB] = volatilityNeutralShares(volA, volB);
    expect(ratioFadeStep(a, b, settings, position)).toEqual({
      ready: true,
      ...next,
      z,
      last,
      mean,
      vols: [volA, volB],
      weights: [next.side * shareA, -next.side * shareB],
      confidence: twoSidedConfidence(z),
    });
  });

  it('reads only the dates both legs have', () => {
    const { a, b } = legs(80, 0.53);
    // b misses every tenth day: 72 common dates remain, more than windowDays.
    const gappy = { time: b.time.filter((_, i) => i % 10 !== 5), close: b.close.filter((_, i) => i % 10 !== 5) };
    const step = ratioFadeStep(a, gappy, settings, FLAT);
    expect(step.ready).toBe(true);
    if (step.ready) expect(step.last).toBeCloseTo(0.53, 12);
    expect(ratioFadeStep(a, gappy, { ...settings, windowDays: 75 }, FLAT)).toEqual({ ready: false, alignedDays: 72 });
  });
});
