import { instrument } from '../../../core/index.js';
import type { Instrument } from '../../../core/index.js';

/**
 * The instruments of the synthetic world. Tags feed the concentration guards: `metal` groups gold exposure across
 * GLD, IAU, GC and the miners; `sector` separates precious metals from miners, equity, rates and fx.
 */
export const SYNTHETIC_INSTRUMENTS: readonly Instrument[] = [
  instrument('GLD', { tags: { metal: 'gold', sector: 'precious-metals' } }),
  instrument('IAU', { tags: { metal: 'gold', sector: 'precious-metals' } }),
  instrument('SLV', { tags: { metal: 'silver', sector: 'precious-metals' } }),
  instrument('PPLT', { tags: { metal: 'platinum', sector: 'precious-metals' } }),
  instrument('GDX', { tags: { metal: 'gold', sector: 'gold-miners' } }),
  instrument('SPY', { tags: { sector: 'equity' } }),
  instrument('TLT', { tags: { sector: 'rates' } }),
  instrument('UUP', { tags: { sector: 'fx' } }),
  instrument('GC', { assetClass: 'future', multiplier: 100, tickSize: 0.1, lotSize: 1, tags: { metal: 'gold', sector: 'precious-metals' } }),
  instrument('SI', { assetClass: 'future', multiplier: 5000, tickSize: 0.005, lotSize: 1, tags: { metal: 'silver', sector: 'precious-metals' } }),
];
