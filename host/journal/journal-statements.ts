import type { Database, Statement } from 'better-sqlite3';

/**
 * Every statement the journal runs, prepared once when it opens. Reads order by insertion (rowid or id), which is
 * the order things happened in: the journal is appended to, never reordered.
 */
export const QUERIES = {
  insertRun: 'INSERT INTO runs (run_id, profile, mode, started_at, config) VALUES (?, ?, ?, ?, ?)',
  endRun: 'UPDATE runs SET status = ?, summary = ?, ended_at = ? WHERE run_id = ?',
  insertCycle: 'INSERT INTO cycles (run_id, cycle, time, latency_ms, intents, equity) VALUES (?, ?, ?, ?, ?, ?)',
  insertSignal: 'INSERT INTO signals (run_id, cycle, strategy_id, time, symbol, weight, confidence, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  insertIntent: `INSERT INTO intents (client_order_id, run_id, cycle, time, symbol, side, quantity, type, limit_price, time_in_force,
      position_before, target_position, reference_price, attribution, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  insertRiskDecision: `INSERT INTO risk_decisions (run_id, client_order_id, cycle, time, symbol, guard, result, reason,
      quantity_before, quantity_after, compared) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  orderState: 'SELECT status, filled_quantity FROM orders WHERE client_order_id = ?',
  upsertOrder: `INSERT INTO orders (client_order_id, run_id, broker_order_id, symbol, side, quantity, type, limit_price, time_in_force,
      status, filled_quantity, average_price, submitted_at, updated_at, routed_to, executed_by, reject_reason)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (client_order_id) DO UPDATE SET broker_order_id = excluded.broker_order_id, quantity = excluded.quantity,
        limit_price = excluded.limit_price, status = excluded.status, filled_quantity = excluded.filled_quantity,
        average_price = excluded.average_price, updated_at = excluded.updated_at, routed_to = excluded.routed_to,
        executed_by = excluded.executed_by, reject_reason = excluded.reject_reason`,
  insertOrderEvent: 'INSERT INTO order_events (client_order_id, run_id, time, status, filled_quantity, average_price, reject_reason) VALUES (?, ?, ?, ?, ?, ?, ?)',
  insertFill: `INSERT INTO fills (fill_id, run_id, client_order_id, symbol, side, quantity, price, commission, time, broker)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fill_id) DO NOTHING`,
  insertPosition: 'INSERT INTO positions (run_id, cycle, time, symbol, quantity, average_price) VALUES (?, ?, ?, ?, ?, ?)',
  insertState: 'INSERT INTO plugin_states (run_id, strategy_id, cycle, time, state) VALUES (?, ?, ?, ?, ?)',
  insertFault: 'INSERT INTO faults (run_id, strategy_id, hook, code, message, time, cause) VALUES (?, ?, ?, ?, ?, ?, ?)',
  insertOperatorAction: 'INSERT INTO operator_actions (run_id, time, operator, action, detail) VALUES (?, ?, ?, ?, ?)',
  latestStates: `SELECT strategy_id, cycle, time, state FROM (
      SELECT *, ROW_NUMBER() OVER (PARTITION BY strategy_id ORDER BY cycle DESC, id DESC) AS rank FROM plugin_states WHERE run_id = ?
    ) WHERE rank = 1 ORDER BY strategy_id`,
  intents: 'SELECT * FROM intents WHERE run_id = ? ORDER BY rowid',
  hasIntent: 'SELECT 1 AS found FROM intents WHERE client_order_id = ?',
  orders: 'SELECT * FROM orders WHERE run_id = ? ORDER BY rowid',
  orderEvents: 'SELECT time, status, filled_quantity, average_price FROM order_events WHERE client_order_id = ? ORDER BY id',
  fills: 'SELECT * FROM fills WHERE run_id = ? ORDER BY rowid',
  riskDecisions: 'SELECT * FROM risk_decisions WHERE run_id = ? ORDER BY id',
  runs: 'SELECT run_id, profile, mode, started_at, ended_at, status FROM runs ORDER BY started_at, rowid',
  latestRun: 'SELECT run_id, profile, mode, started_at, ended_at, status FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1',
  signalCount: 'SELECT COUNT(*) AS count FROM signals WHERE run_id = ?',
  signalCountByStrategy: 'SELECT COUNT(*) AS count FROM signals WHERE run_id = ? AND strategy_id = ?',
  signals: 'SELECT strategy_id, time, symbol, weight, confidence, reason FROM signals WHERE run_id = ? ORDER BY id',
  signalsOfCycle: 'SELECT strategy_id, time, symbol, weight, confidence, reason FROM signals WHERE run_id = ? AND cycle = ? ORDER BY id',
  cycles: 'SELECT * FROM cycles WHERE run_id = ? ORDER BY cycle',
  positionsOfCycle: 'SELECT symbol, quantity, average_price FROM positions WHERE run_id = ? AND cycle = ? ORDER BY id',
  latestPositions: `SELECT symbol, quantity, average_price FROM positions
      WHERE run_id = ? AND cycle = (SELECT MAX(cycle) FROM positions WHERE run_id = ?) ORDER BY id`,
  operatorActions: 'SELECT run_id, time, operator, action, detail FROM operator_actions WHERE run_id = ? ORDER BY id',
  allOperatorActions: 'SELECT run_id, time, operator, action, detail FROM operator_actions ORDER BY id',
  faults: 'SELECT strategy_id, hook, code, message, time, cause FROM faults WHERE run_id = ? ORDER BY id',
} as const;

export type Statements = { readonly [name in keyof typeof QUERIES]: Statement };

/** Prepare every statement of the journal on one connection. */
export function prepareStatements(db: Database): Statements {
  return Object.fromEntries(Object.entries(QUERIES).map(([name, sql]) => [name, db.prepare(sql)])) as unknown as Statements;
}
