export * from './statistics.js';
export * from './normal.js';
export * from './performance.js';
export * from './deflated-sharpe.js';
export * from './pbo.js';
