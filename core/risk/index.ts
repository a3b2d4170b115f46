export * from './kill-switch.js';
export * from './guard.js';
export * from './chain.js';
export * from './guards/index.js';
export * from './breakers.js';
