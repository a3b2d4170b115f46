export * from './cost-model.js';
export * from './virtual-book.js';
export * from './allocator.js';
export * from './netting.js';
export * from './position-book.js';
