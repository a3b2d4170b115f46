import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const PREFIX = 'strategy_host_';

/**
 * Every metric the host exports, in one registry on the main thread (workers return timings with their results).
 * Names are prefixed `strategy_host_` and documented in docs/metrics.md.
 */
export class HostMetrics {
  readonly registry = new Registry();
  readonly cycleLatency = new Histogram({
    name: `${PREFIX}cycle_latency_seconds`,
    help: 'Decision-cycle latency, end to end: market event in to the cycle\'s approved intents durable in the journal and sent (evaluation, netting, risk, journal commit, submission). The decision alone is the evaluate, market, signals and decide phases of strategy_host_cycle_phase_seconds.',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly cyclePhase = new Histogram({
    name: `${PREFIX}cycle_phase_seconds`,
    help: 'Where a decision cycle spends its latency, by phase: evaluate (plugin fan-out, and what runs before it), market (fills, cancels, books), signals, decide (allocation, netting, risk chain), commit (risk decisions and intents made durable), submit.',
    labelNames: ['phase'],
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05],
    registers: [this.registry],
  });
  readonly gcBetweenCycles = new Histogram({
    name: `${PREFIX}gc_between_cycles_seconds`,
    help: 'Young-generation collections the engine ran between paper cycles (run.gcBetweenCycles), off the decision path: time each took.',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05],
    registers: [this.registry],
  });
  readonly pluginEvaluation = new Histogram({
    name: `${PREFIX}plugin_evaluation_seconds`,
    help: 'Time one plugin evaluation took, measured where it ran.',
    labelNames: ['strategy_id'],
    buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05],
    registers: [this.registry],
  });
  readonly signals = new Counter({ name: `${PREFIX}signals_total`, help: 'Signals emitted that changed a plugin target.', labelNames: ['strategy_id'], registers: [this.registry] });
  readonly intents = new Counter({ name: `${PREFIX}order_intents_total`, help: 'Order intents produced by netting.', registers: [this.registry] });
  readonly riskDecisions = new Counter({ name: `${PREFIX}risk_decisions_total`, help: 'Risk decisions by guard and result.', labelNames: ['guard', 'result'], registers: [this.registry] });
  readonly orders = new Counter({ name: `${PREFIX}orders_total`, help: 'Orders by broker and status reached.', labelNames: ['broker', 'status'], registers: [this.registry] });
  readonly fills = new Counter({ name: `${PREFIX}fills_total`, help: 'Fills received by broker.', labelNames: ['broker'], registers: [this.registry] });
  readonly faults = new Counter({ name: `${PREFIX}plugin_faults_total`, help: 'Plugins faulted and quarantined.', labelNames: ['strategy_id', 'hook'], registers: [this.registry] });
  readonly poolQueue = new Gauge({ name: `${PREFIX}pool_queue_size`, help: 'Tasks waiting in the worker pool queue.', registers: [this.registry] });
  readonly poolTask = new Histogram({
    name: `${PREFIX}pool_task_seconds`,
    help: 'Time a worker spent on one task (a chunk of plugins).',
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 1, 10],
    registers: [this.registry],
  });
  readonly killSwitchTier = new Gauge({ name: `${PREFIX}kill_switch_tier`, help: 'Kill-switch tier: 0 ACTIVE, 1 WARN, 2 THROTTLE, 3 NO_NEW, 4 FLATTEN_ALL.', registers: [this.registry] });
  readonly killSwitchTransitions = new Counter({ name: `${PREFIX}kill_switch_transitions_total`, help: 'Kill-switch tier changes.', labelNames: ['from', 'to'], registers: [this.registry] });
  readonly controlRequests = new Counter({ name: `${PREFIX}control_requests_total`, help: 'Control API requests by action and outcome (accepted, pending, unauthorized, invalid).', labelNames: ['action', 'outcome'], registers: [this.registry] });
  readonly equity = new Gauge({ name: `${PREFIX}account_equity`, help: 'Account equity in account currency.', labelNames: ['broker'], registers: [this.registry] });
  readonly cycles = new Counter({ name: `${PREFIX}cycles_total`, help: 'Decision cycles completed.', registers: [this.registry] });
  readonly pluginsByMode = new Gauge({ name: `${PREFIX}plugins`, help: 'Loaded plugins by mode.', labelNames: ['mode'], registers: [this.registry] });
  readonly inferenceBatchRows = new Histogram({
    name: `${PREFIX}inference_batch_rows`,
    help: 'Rows of one model scored in one run: the score calls of plugins coalesced by the batcher (main thread and pool workers).',
    labelNames: ['model_id'],
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096],
    registers: [this.registry],
  });
  readonly inferenceQueueWait = new Histogram({
    name: `${PREFIX}inference_queue_wait_seconds`,
    help: 'Time a score call waited in the batcher before its batch ran.',
    buckets: [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01],
    registers: [this.registry],
  });
  readonly inferenceSeconds = new Histogram({
    name: `${PREFIX}inference_seconds`,
    help: 'Time one model run (one batch) took in the inference runtime.',
    labelNames: ['model_id', 'provider'],
    buckets: [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01, 0.1],
    registers: [this.registry],
  });
  readonly inferenceRows = new Counter({ name: `${PREFIX}inference_rows_total`, help: 'Rows scored, by model and execution provider.', labelNames: ['model_id', 'provider'], registers: [this.registry] });
  readonly inferenceExecutionProvider = new Gauge({
    name: `${PREFIX}inference_execution_provider`,
    help: 'Execution provider the models run on: 1 for the one in use (cuda, cpu, ...), 0 for the others requested (unavailable here).',
    labelNames: ['provider'],
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
  }
}
