export * from './order-state.js';
export * from './client-order-id.js';
export * from './router.js';
export * from './reconcile.js';
export * from './reconcile-actions.js';
