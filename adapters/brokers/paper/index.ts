export { PaperBroker, type PaperBrokerOptions } from './paper-broker.js';
export { PaperBook } from './paper-book.js';
export {
  adversePrice,
  executionOn,
  fillPrice,
  impactBps,
  orderCommission,
  participationCapacity,
  takerCostBps,
  updateVolatility,
  type BarPrices,
  type CostModel,
  type Execution,
} from './cost-model.js';
