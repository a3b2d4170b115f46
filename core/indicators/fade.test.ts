import { describe, expect, it } from 'vitest';
import { fadeHysteresis, fadeRuleParams, fadeRuleProblems, type FadePosition } from './fade.js';

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

describe('fadeRuleProblems', () => {
  const rule = { entryZ: 2, exitZ: 0.5, stopLoss: true, stopZ: 4 };
  it.each([
    { name: 'a consistent rule', change: {}, problems: [] },
    { name: 'exitZ at entryZ', change: { exitZ: 2 }, problems: [{ name: 'exitZ', received: 2, expected: 'less than entryZ (2)' }] },
    { name: 'stopZ at entryZ', change: { stopZ: 2 }, problems: [{ name: 'stopZ', received: 2, expected: 'greater than entryZ (2)' }] },
    { name: 'stopZ below entryZ without a stop', change: { stopZ: 1, stopLoss: false }, problems: [] },
    {
      name: 'both',
      change: { entryZ: 3, exitZ: 3, stopZ: 2.5 },
      problems: [
        { name: 'exitZ', received: 3, expected: 'less than entryZ (3)' },
        { name: 'stopZ', received: 2.5, expected: 'greater than entryZ (3)' },
      ],
    },
  ])('$name', ({ change, problems }) => {
    expect(fadeRuleProblems({ ...rule, ...change })).toEqual(problems);
  });
});

describe('fadeRuleParams', () => {
  it('declares the four thresholds, with defaults that pass fadeRuleProblems', () => {
    const specs = fadeRuleParams('ratio');
    expect(Object.keys(specs)).toEqual(['entryZ', 'exitZ', 'stopLoss', 'stopZ']);
    expect(specs.stopLoss.description).toBe('Stop out when the ratio runs on to stopZ.');
    expect(fadeRuleParams('spread').stopLoss.description).toBe('Stop out when the spread runs on to stopZ.');
    const defaults = { entryZ: specs.entryZ.default, exitZ: specs.exitZ.default, stopLoss: specs.stopLoss.default, stopZ: specs.stopZ.default };
    expect(defaults).toEqual({ entryZ: 2, exitZ: 0.5, stopLoss: true, stopZ: 4 });
    expect(fadeRuleProblems(defaults)).toEqual([]);
  });
});
