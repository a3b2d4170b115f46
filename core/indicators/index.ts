/**
 * Indicators shared by plugins: pure functions of the numbers in a window (Float64Array columns or plain arrays),
 * no I/O, no state (a plugin keeps its own and passes it in). Besides the math, the pieces that twin plugins had word
 * for word: a fade's thresholds, params and param rules (fade), a ratio fade's evaluation step and params (ratio-fade),
 * the signals of a pair (pairs), and the per-market loop, gates and params of weekly COT plugins (cot-markets). Each
 * keeps the exact order of operations the plugins had, so moving a plugin onto them leaves its signals identical to
 * the last bit.
 */
export * from './moments.js';
export * from './returns.js';
export * from './volatility.js';
export * from './zscore.js';
export * from './pairs.js';
export * from './fade.js';
export * from './ratio-fade.js';
export * from './covariance.js';
export * from './sizing.js';
export * from './cot.js';
export * from './cot-markets.js';
export * from './align.js';
