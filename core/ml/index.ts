/** Shared machine-learning features and sizing: used identically by the model fitting tool and the model plugins. */
export * from './features.js';
export * from './feature-sets.js';
export * from './sizing.js';
