export * from './broker.js';
export * from './market-data.js';
export * from './journal.js';
export * from './inference.js';
