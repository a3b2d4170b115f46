import type {
  CycleRecord,
  Fill,
  OperatorAction,
  Order,
  OrderIntent,
  OrderStatus,
  OrderType,
  PluginFault,
  Position,
  RecordedSignal,
  RiskDecision,
  Side,
  StateSnapshot,
  StrategyHook,
  TimeInForce,
} from '../../core/index.js';

/**
 * Rows as SQLite returns them, and their conversion back to core types. Optional fields stored as NULL come back
 * absent (not `undefined`), so a journaled object reads back equal to the one written.
 */

export interface IntentRow {
  client_order_id: string;
  run_id: string;
  cycle: number;
  time: number;
  symbol: string;
  side: Side;
  quantity: number;
  type: OrderType;
  limit_price: number | null;
  time_in_force: TimeInForce;
  position_before: number;
  target_position: number;
  reference_price: number;
  attribution: string;
  reason: string;
}

export interface OrderRow {
  client_order_id: string;
  run_id: string;
  broker_order_id: string | null;
  symbol: string;
  side: Side;
  quantity: number;
  type: OrderType;
  limit_price: number | null;
  time_in_force: TimeInForce;
  status: OrderStatus;
  filled_quantity: number;
  average_price: number;
  submitted_at: number;
  updated_at: number;
  routed_to: string | null;
  executed_by: string | null;
  reject_reason: string | null;
}

export interface FillRow {
  fill_id: string;
  client_order_id: string;
  symbol: string;
  side: Side;
  quantity: number;
  price: number;
  commission: number;
  time: number;
  broker: string;
}

export interface RiskDecisionRow {
  client_order_id: string;
  cycle: number;
  time: number;
  symbol: string;
  guard: string;
  result: RiskDecision['result'];
  reason: string;
  quantity_before: number;
  quantity_after: number;
  compared: string;
}

export interface SignalRow {
  strategy_id: string;
  time: number;
  symbol: string;
  weight: number;
  confidence: number;
  reason: string;
}

export interface CycleRow {
  run_id: string;
  cycle: number;
  time: number;
  latency_ms: number;
  intents: number;
  equity: number;
}

export interface PositionRow {
  symbol: string;
  quantity: number;
  average_price: number;
}

export interface StateRow {
  strategy_id: string;
  cycle: number;
  time: number;
  state: string | null;
}

export interface FaultRow {
  strategy_id: string;
  hook: StrategyHook;
  code: string;
  message: string;
  time: number;
  cause: string | null;
}

export interface OperatorActionRow {
  run_id: string | null;
  time: number;
  operator: string;
  action: string;
  detail: string | null;
}

export interface RunRow {
  run_id: string;
  profile: string;
  mode: 'backtest' | 'paper' | 'live';
  started_at: number;
  ended_at: number | null;
  status: 'running' | 'completed' | 'failed' | 'stopped';
}

/** JSON for a column; `undefined` becomes NULL rather than the string "undefined". */
export function toJson(value: unknown): string | null {
  const text = JSON.stringify(value);
  return text === undefined ? null : text;
}

export function fromJson(text: string | null): unknown {
  return text === null ? undefined : JSON.parse(text);
}

export function intentFromRow(row: IntentRow): OrderIntent {
  return {
    clientOrderId: row.client_order_id,
    runId: row.run_id,
    cycle: row.cycle,
    time: row.time,
    symbol: row.symbol,
    side: row.side,
    quantity: row.quantity,
    type: row.type,
    ...(row.limit_price === null ? {} : { limitPrice: row.limit_price }),
    timeInForce: row.time_in_force,
    positionBefore: row.position_before,
    targetPosition: row.target_position,
    referencePrice: row.reference_price,
    attribution: JSON.parse(row.attribution) as string[],
    reason: row.reason,
  };
}

export function orderFromRow(row: OrderRow): Order {
  return {
    clientOrderId: row.client_order_id,
    ...(row.broker_order_id === null ? {} : { brokerOrderId: row.broker_order_id }),
    symbol: row.symbol,
    side: row.side,
    quantity: row.quantity,
    type: row.type,
    ...(row.limit_price === null ? {} : { limitPrice: row.limit_price }),
    timeInForce: row.time_in_force,
    status: row.status,
    filledQuantity: row.filled_quantity,
    averagePrice: row.average_price,
    submittedAt: row.submitted_at,
    updatedAt: row.updated_at,
    ...(row.routed_to === null ? {} : { routedTo: row.routed_to }),
    ...(row.executed_by === null ? {} : { executedBy: row.executed_by }),
    ...(row.reject_reason === null ? {} : { rejectReason: row.reject_reason }),
  };
}

export function fillFromRow(row: FillRow): Fill {
  return {
    fillId: row.fill_id,
    clientOrderId: row.client_order_id,
    symbol: row.symbol,
    side: row.side,
    quantity: row.quantity,
    price: row.price,
    commission: row.commission,
    time: row.time,
    broker: row.broker,
  };
}

export function riskDecisionFromRow(row: RiskDecisionRow): RiskDecision {
  return {
    clientOrderId: row.client_order_id,
    cycle: row.cycle,
    time: row.time,
    symbol: row.symbol,
    guard: row.guard,
    result: row.result,
    reason: row.reason,
    quantityBefore: row.quantity_before,
    quantityAfter: row.quantity_after,
    compared: JSON.parse(row.compared) as RiskDecision['compared'],
  };
}

export function signalFromRow(row: SignalRow): RecordedSignal {
  return { strategyId: row.strategy_id, time: row.time, symbol: row.symbol, weight: row.weight, confidence: row.confidence, reason: row.reason };
}

export function cycleFromRow(row: CycleRow): CycleRecord {
  return { runId: row.run_id, cycle: row.cycle, time: row.time, latencyMs: row.latency_ms, intents: row.intents, equity: row.equity };
}

export function positionFromRow(row: PositionRow): Position {
  return { symbol: row.symbol, quantity: row.quantity, averagePrice: row.average_price };
}

export function stateFromRow(row: StateRow): StateSnapshot {
  return { strategyId: row.strategy_id, cycle: row.cycle, time: row.time, state: fromJson(row.state) };
}

export function faultFromRow(row: FaultRow): PluginFault {
  return {
    strategyId: row.strategy_id,
    hook: row.hook,
    code: row.code,
    message: row.message,
    time: row.time,
    ...(row.cause === null ? {} : { cause: row.cause }),
  };
}

export function operatorActionFromRow(row: OperatorActionRow): OperatorAction & { readonly runId: string | null } {
  return { runId: row.run_id, time: row.time, operator: row.operator, action: row.action, detail: fromJson(row.detail) };
}
