export * from './kill-switch.js';
export * from './guard.js';
