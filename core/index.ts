/** The public surface of core. What this file does not export is internal. */
export * from './errors.js';
export * from './model/index.js';
export * from './plugin/index.js';
export * from './ports/index.js';
export * from './risk/index.js';
export * from './portfolio/index.js';
export * from './execution/index.js';
export * from './analytics/index.js';
export * from './indicators/index.js';
export * from './ml/index.js';
