export * from './params.js';
export * from './context.js';
export * from './define-strategy.js';
export * from './manifest.js';
export * from './evaluate.js';
export * from './scored-output.js';

export * from './test-kit.js';
