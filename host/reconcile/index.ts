export { Reconciler, DEFAULT_RECONCILE_INTERVAL_MS, type ReconcilerOptions } from './reconciler.js';
export { ReconciliationLog, type DecidedDifference, type ReconcileActionKind, type ReconcileActionState, type ReconciliationPass, type ReconciliationRow } from './reconciliation-log.js';
export { hostViewFromJournal, type JournalHostView } from './journal-view.js';
export { configuredBroker, type ConfiguredBroker, type ConfiguredBrokerOptions, type Liquidation } from './configured-broker.js';
export { reconcileCommand, renderOutcome, type ReconcileCommandOptions, type ReconcileCommandResult } from './reconcile-command.js';
export * from './reconcile-types.js';
