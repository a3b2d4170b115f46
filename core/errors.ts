/**
 * The one table of error codes. Every error the system raises on purpose carries a code from this table,
 * and docs/errors.md lists each with what it means and how to fix it. Codes are never reused.
 * Callers match on `error.code`, never on message text.
 */
export const ERROR_CODES = {
  SH_ERR_CONFIG_INVALID: { exit: 2, meaning: 'The configuration failed validation.', fix: 'Correct the value at the path named in the message.' },
  SH_ERR_CONFIG_PROFILE_UNKNOWN: { exit: 2, meaning: 'The profile named does not exist.', fix: 'Use one of the profiles listed in the message.' },
  SH_ERR_CONFIG_FILE_UNREADABLE: { exit: 2, meaning: 'The file given by --config cannot be read or is not JSON.', fix: 'Check the path and the JSON syntax.' },
  SH_ERR_PLUGIN_MANIFEST_INVALID: { exit: 2, meaning: 'A plugin manifest (defineStrategy input) is malformed.', fix: 'Correct the fields listed; see docs/plugin-guide.md.' },
  SH_ERR_PLUGIN_PARAM_INVALID: { exit: 2, meaning: 'A plugin parameter is out of bounds or of the wrong type.', fix: 'Set the parameter within the bounds listed in the message.' },
  SH_ERR_PLUGIN_UNKNOWN: { exit: 2, meaning: 'Config names a plugin id that no loaded module defines.', fix: 'Use an id from `strategy-host plugins list`, or add the module path under plugins.paths.' },
  SH_ERR_PLUGIN_DUPLICATE_ID: { exit: 2, meaning: 'Two plugin modules declare the same id.', fix: 'Rename one of them; ids are unique.' },
  SH_ERR_PLUGIN_API_UNSUPPORTED: { exit: 2, meaning: 'A plugin declares a contract api version this host does not support.', fix: 'Port the plugin to a supported api version.' },
  SH_ERR_PLUGIN_LOAD_FAILED: { exit: 2, meaning: 'A plugin module could not be imported.', fix: 'Fix the import error shown; the module must default-export defineStrategy(...).' },
  SH_ERR_PLUGIN_FAULTED: { exit: 1, meaning: 'A plugin threw, returned a malformed result or exceeded its time budget; it is quarantined.', fix: 'Read the recorded error (plugin id and hook) and fix the plugin.' },
  SH_ERR_PLUGIN_INPUTS_ENDED: { exit: 1, meaning: 'An input series of a plugin has ended (no new observation for longer than its frequency allows); the plugin stops trading, the run goes on.', fix: 'Extend the data (catalog files), or disable the plugin for windows past the end of its data.' },
  SH_ERR_PLUGIN_SIGNAL_INVALID: { exit: 1, meaning: 'A plugin returned a malformed signal.', fix: 'Signals need a symbol from the plugin universe, a finite weight in [-1, 1], confidence in [0, 1] and a reason.' },
  SH_ERR_PLUGIN_EXISTS: { exit: 2, meaning: 'new-plugin was asked to create a plugin folder that already exists.', fix: 'Choose another id or remove the folder.' },
  SH_ERR_PLUGIN_MUTATED_INPUT: { exit: 1, meaning: 'A plugin mutated its inputs (params, state or data windows).', fix: 'Treat inputs as readonly; return a new state object.' },
  SH_ERR_PLUGIN_LOOK_AHEAD: { exit: 1, meaning: 'The plugin test kit found a signal that changed when data after its decision time was removed: the plugin used information not available at that time.', fix: 'Read market data only through ctx windows, never through their underlying buffers or module-level caches.' },
  SH_ERR_PLUGIN_NONDETERMINISTIC: { exit: 1, meaning: 'The plugin test kit ran a plugin twice on the same data and its signals differed.', fix: 'Remove randomness, wall-clock reads and module-level mutable state; everything evaluate uses must come from ctx, params and state.' },
  SH_ERR_PLUGIN_STATE_NOT_SERIALISABLE: { exit: 1, meaning: 'A plugin state did not survive a JSON round trip, or signals changed after resuming from the round-tripped state.', fix: 'Keep state to plain objects, arrays, strings, finite numbers, booleans and null; no Map, Set, Date, NaN or Infinity.' },
  SH_ERR_PLUGIN_NO_SIGNAL: { exit: 1, meaning: 'The plugin contract check found no non-zero signal on the data given.', fix: 'Pass test data that exercises the rule (a trend for a trend follower, an extreme for a mean-reversion rule), or fix the rule.' },
  SH_ERR_DATA_CSV_INVALID: { exit: 2, meaning: 'A CSV row breaks a validation rule (order, duplicate, NaN, non-positive price, high < low).', fix: 'Correct the file at the line named, or relax the rule in the catalog if the data is right.' },
  SH_ERR_DATA_FILE_UNREADABLE: { exit: 2, meaning: 'A data file cannot be read.', fix: 'Check the path in the catalog and the file permissions.' },
  SH_ERR_DATA_SERIES_UNKNOWN: { exit: 2, meaning: 'A series id is not provided by any configured data source.', fix: 'Add the series to the catalog or choose a plugin universe the data covers.' },
  SH_ERR_DATA_CATALOG_INVALID: { exit: 2, meaning: 'A data catalog entry is malformed.', fix: 'Correct the catalog entry named.' },
  SH_ERR_DATA_DIR_UNWRITABLE: { exit: 2, meaning: 'The --data-dir cannot be created or written.', fix: 'Choose a writable directory.' },
  SH_ERR_STORE_CAPACITY: { exit: 1, meaning: 'A series in the columnar store is full.', fix: 'Raise the store capacity for live runs.' },
  SH_ERR_RISK_GUARD_CONFIG: { exit: 2, meaning: 'A risk guard is configured with invalid limits.', fix: 'Correct the guard limits named.' },
  SH_ERR_RISK_BREAKER_CONFIG: { exit: 2, meaning: 'An automatic kill-switch breaker (daily loss, drawdown, faulted plugins, stale data) is configured with invalid thresholds or tiers.', fix: 'Correct the breaker settings named; thresholds are fractions in (0, 1], tiers one of ACTIVE, WARN, THROTTLE, NO_NEW, FLATTEN_ALL.' },
  SH_ERR_KILL_OPERATOR_UNKNOWN: { exit: 2, meaning: 'A kill-switch request names an operator that is not configured.', fix: 'Configure operators: [{ name, token }] (e.g. in the --config file) and use one of their names.' },
  SH_ERR_KILL_UNAUTHORIZED: { exit: 2, meaning: 'A control API request had a missing or wrong operator token.', fix: 'Send Authorization: Bearer <token> of a configured operator.' },
  SH_ERR_KILL_TIER_UNKNOWN: { exit: 2, meaning: 'A kill-switch tier name is not one of ACTIVE, WARN, THROTTLE, NO_NEW, FLATTEN_ALL.', fix: 'Use one of the listed tiers.' },
  SH_ERR_EXEC_INVALID_TRANSITION: { exit: 1, meaning: 'An order state transition is not allowed by the order state machine.', fix: 'This is a bug in an adapter or the engine; report it with the journal.' },
  SH_ERR_EXEC_DUPLICATE_CLIENT_ORDER_ID: { exit: 1, meaning: 'A client order id was reused.', fix: 'Client order ids are unique forever; this is a bug.' },
  SH_ERR_EXEC_ID_INVALID: { exit: 1, meaning: 'A run id or client order id cannot be built from the values given (empty run id, cycle or sequence out of range, invalid start time).', fix: 'Pass the values within the ranges named in the message; see core/execution/client-order-id.ts for the scheme.' },
  SH_ERR_PORTFOLIO_FILL_INVALID: { exit: 1, meaning: 'A fill applied to the position book is malformed (non-positive quantity, non-finite price or commission, or a multiplier that differs from the position\'s).', fix: 'This is a bug in an adapter or the engine; report it with the fill shown in the message.' },
  SH_ERR_PORTFOLIO_PRICE_MISSING: { exit: 1, meaning: 'Marking positions to market needs a finite price for every open position.', fix: 'Check the data for the symbol named; a position cannot be valued without a price.' },
  SH_ERR_PORTFOLIO_SNAPSHOT_INVALID: { exit: 1, meaning: 'A position book snapshot cannot be restored: it is malformed or of an unsupported version.', fix: 'Restore from a snapshot written by PositionBook.snapshot(); see the field named in the message.' },
  SH_ERR_ANALYTICS_INPUT_INVALID: { exit: 1, meaning: 'A performance metric was given input it cannot compute from (non-finite values, non-positive equity, mismatched lengths, too few observations).', fix: 'Correct the series named in the message; equity curves must be finite and positive.' },
  SH_ERR_BROKER_REJECTED: { exit: 1, meaning: 'The broker rejected an order.', fix: 'See the broker reason in the journal.' },
  SH_ERR_BROKER_UNKNOWN_SYMBOL: { exit: 1, meaning: 'The broker has no price or definition for the symbol.', fix: 'Check the routing table and the data for the symbol.' },
  SH_ERR_BROKER_UNREACHABLE: { exit: 1, meaning: 'The broker could not be reached or gave no usable answer in time (network error, timeout, a 5xx or malformed response): the outcome of the request is unknown.', fix: 'Mark the order UNKNOWN and resolve it by client order id once the broker answers; check the broker URL and that it is running.' },
  SH_ERR_BROKER_AUTH_FAILED: { exit: 1, meaning: 'The broker refused the credentials (HTTP 401 or 403).', fix: 'Set the key id and secret the broker expects; for the local venue see docs/venue.md.' },
  SH_ERR_VENUE_STATE_DIVERGED: { exit: 1, meaning: 'The paper venue replayed its event journal and the result differs from the orders or fills it had recorded (the fill rules or cost model changed under an existing data dir, or the file was edited).', fix: 'Start the venue on a new --data-dir, or run the version that wrote this one; the message names the first difference.' },
  SH_ERR_VENUE_SETTINGS_CONFLICT: { exit: 2, meaning: 'The paper venue was started with settings (initial cash, cost model) that differ from those its data dir was created with.', fix: 'Leave the option out (the data dir keeps its settings) or use a new --data-dir.' },
  SH_ERR_VENUE_LISTEN_FAILED: { exit: 1, meaning: 'The paper venue could not listen on the port given (in use or not permitted).', fix: 'Choose another --port, or 0 for any free port.' },
  SH_ERR_JOURNAL_WRITE: { exit: 1, meaning: 'The journal could not be written.', fix: 'Check disk space and the --data-dir.' },
  SH_ERR_CLI_USAGE: { exit: 2, meaning: 'The command line is malformed.', fix: 'Run `strategy-host --help`.' },
  SH_ERR_INFERENCE_CARD_INVALID: { exit: 2, meaning: 'A model card or model registry is malformed (missing field, wrong type, shape that does not fit the features, unknown meaning).', fix: 'Correct each field listed; see adapters/inference/onnx/README.md for the card and registry formats.' },
  SH_ERR_INFERENCE_CARD_MISMATCH: { exit: 2, meaning: 'A model file does not match its card: input or output names, order, element type or shape differ (at load), or an output had another size (at run).', fix: 'Regenerate the card from the exported model, or export the model the card describes; the message names the model, the field, what the card expects and what the model has.' },
  SH_ERR_INFERENCE_HASH_MISMATCH: { exit: 2, meaning: 'The SHA-256 of a model file differs from the one its card declares: the file is not the model the card describes.', fix: 'Put back the file the card was written for, or, if the new file is intended, update the card (sha256 and anything else that changed).' },
  SH_ERR_INFERENCE_LOAD_FAILED: { exit: 2, meaning: 'A model file cannot be read, or no execution provider of the preference list could create a session from it.', fix: 'Check the path and that the file is a valid ONNX model; the message lists each provider tried and its error.' },
  SH_ERR_INFERENCE_MODEL_DUPLICATE: { exit: 2, meaning: 'A model id is loaded twice.', fix: 'Give each model card a unique id, or close the provider before loading a model again.' },
  SH_ERR_INFERENCE_MODEL_UNKNOWN: { exit: 2, meaning: 'A model id is not available: an enabled plugin declares a model that the registry (inference.registry) lacks or no registry is configured (at start), or a score call names a model that is not loaded.', fix: 'Add the model to the registry named by inference.registry (or set it), disable the plugin, or use one of the loaded ids listed in the message.' },
  SH_ERR_INFERENCE_INPUT_INVALID: { exit: 1, meaning: 'A score call passed a row count that is not a non-negative integer, or an array whose length is not rowCount x features.', fix: 'Pass rowCount rows of exactly features.length values each, in the order of the card\'s features.' },
  SH_ERR_INFERENCE_RUN_FAILED: { exit: 1, meaning: 'The inference runtime failed while running a model.', fix: 'See the runtime error in the message; every call of that batch failed with it.' },
  SH_ERR_INFERENCE_CLOSED: { exit: 1, meaning: 'A model was loaded or scored after its provider was closed.', fix: 'Score only between load and close; the host closes the provider at shutdown.' },
  SH_ERR_POOL_TASK_FAILED: { exit: 1, meaning: 'A worker task failed outside any plugin.', fix: 'See the cause; the worker was replaced.' },
} as const satisfies Record<string, { exit: number; meaning: string; fix: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Structured context carried by every ShError: where, what was received, what was expected, how to fix. */
export interface ErrorDetails {
  /** Config path, file:line, plugin id + hook: where the problem is. */
  readonly where?: string;
  readonly received?: unknown;
  readonly expected?: string;
  readonly fix?: string;
  readonly [key: string]: unknown;
}

/** An error with a registered code. `problems` lists every problem when validation found several. */
export class ShError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  readonly problems: readonly ShError[];

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, problems: readonly ShError[] = []) {
    super(message);
    this.name = 'ShError';
    this.code = code;
    this.details = details;
    this.problems = problems;
  }

  /** Exit code the CLI uses for this error. */
  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }

  /** A multi-line, human-readable rendering: code, message, where, received, expected, fix; then each problem. */
  render(): string {
    const lines: string[] = [];
    const one = (e: ShError, first: string, indent: string): void => {
      lines.push(`${first}${e.code}: ${e.message}`);
      const d = e.details;
      if (d.where !== undefined) lines.push(`${indent}  at: ${d.where}`);
      if ('received' in d) lines.push(`${indent}  received: ${formatValue(d.received)}`);
      if (d.expected !== undefined) lines.push(`${indent}  expected: ${d.expected}`);
      lines.push(`${indent}  fix: ${d.fix ?? ERROR_CODES[e.code].fix}`);
    };
    one(this, '', '');
    for (const p of this.problems) one(p, '  - ', '    ');
    return lines.join('\n');
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, details: this.details, problems: this.problems.map((p) => p.toJSON()) };
  }
}

/** Shorthand constructor used across the code base. */
export function shError(code: ErrorCode, message: string, details: ErrorDetails = {}): ShError {
  return new ShError(code, message, details);
}

/** True for an ShError, optionally of one code. */
export function isShError(value: unknown, code?: ErrorCode): value is ShError {
  return value instanceof ShError && (code === undefined || value.code === code);
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text;
  } catch {
    return String(value);
  }
}
