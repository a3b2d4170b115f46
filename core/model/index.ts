export * from './time.js';
export * from './instrument.js';
export * from './series.js';
export * from './series-store.js';
export * from './signal.js';
export * from './order.js';
export * from './position.js';
