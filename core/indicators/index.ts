/**
 * Indicators shared by plugins: pure functions of the numbers in a window (Float64Array columns or plain arrays),
 * no I/O, no state. Each keeps the exact order of operations the plugins had, so moving a plugin onto them leaves
 * its signals identical to the last bit.
 */
export * from './moments.js';
export * from './returns.js';
export * from './volatility.js';
export * from './zscore.js';
export * from './pairs.js';
export * from './covariance.js';
export * from './sizing.js';
export * from './cot.js';
export * from './align.js';
