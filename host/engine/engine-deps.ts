import type {
  AllocatorConfig,
  BrokerAdapter,
  CostModel,
  DataDependency,
  Instrument,
  Journal,
  KillTier,
  Position,
  RiskChain,
  RoutingTable,
  SeriesStore,
} from '../../core/index.js';
import type { Executor } from '../executor/executor.js';
import type { KillSwitchController } from '../kill-switch/controller.js';
import type { HostMetrics } from '../metrics.js';
import type { LoadedPlugin } from '../plugins/loader.js';
import type { RiskState } from './risk-state.js';

export interface EngineSettings {
  readonly runId: string;
  readonly mode: 'backtest' | 'paper';
  readonly from: number;
  readonly to: number;
  readonly capital: number;
  readonly allocator: AllocatorConfig;
  readonly costs: CostModel;
  readonly minTradeNotional: number;
  readonly faultPolicy: 'hold' | 'flatten';
  readonly stateSnapshotEvery: number;
  readonly progressEvery: number;
  readonly replayDelayMs: number;
  /**
   * Paper mode: collect V8's young generation between cycles when it is a quarter full, so that its collection does
   * not land inside a cycle, between an event and its orders (host/engine/safe-point-gc.ts). Default true.
   */
  readonly gcBetweenCycles?: boolean;
  readonly allowSubmit: boolean;
  /** Tier when no kill-switch controller is given (tests); with one, the controller's tier rules. */
  readonly initialTier: KillTier;
}

/** Something that looks at the cycle's outcome and may escalate the kill switch (the automatic breakers). */
export type CycleObserver = (cycle: CycleOutcome) => void;

export interface CycleOutcome {
  readonly cycle: number;
  readonly time: number;
  readonly tier: KillTier;
  readonly equity: number;
  readonly dayStartEquity: number;
  readonly peakEquity: number;
  readonly faultedPlugins: number;
  readonly enabledPlugins: number;
  readonly riskState: RiskState;
  /** Where the cycle's latency went, ms, phase by phase; they add up to the cycle's latency. */
  readonly phasesMs: CyclePhases;
}

/** The phases of a cycle's latency, market event in to the last approved intent sent, in ms. The first four are the decision. */
export interface CyclePhases {
  /** Plugin fan-out, and whatever ran before it in the cycle (a reconciliation pass, the heartbeat). 0 in a backtest's replay. */
  readonly evaluate: number;
  /** Kill switch poll, the simulator's fills, resolving and cancelling orders, virtual books, equity. */
  readonly market: number;
  /** Accepting the plugins' signals (faults, ended inputs, changes of target). */
  readonly signals: number;
  /** Allocation, netting into intents, the risk chain. */
  readonly decide: number;
  /** The durable commit of the cycle's risk decisions and intents. */
  readonly commit: number;
  /** Routing and submitting the approved intents. */
  readonly submit: number;
}

export interface EngineDeps {
  readonly settings: EngineSettings;
  readonly store: SeriesStore;
  readonly instruments: ReadonlyMap<string, Instrument>;
  readonly plugins: readonly LoadedPlugin[];
  readonly executor: Executor;
  readonly broker: BrokerAdapter;
  readonly journal: Journal;
  readonly metrics: HostMetrics;
  readonly risk: RiskChain;
  /** Progress lines (stderr in the CLI). */
  readonly log: (line: string) => void;
  /** Resume plugin states (restart); absent plugins start from init(). */
  readonly resumeStates?: ReadonlyMap<string, unknown>;
  /** The kill switch: polled at the start of every cycle (flag file, requests from the CLI and HTTP). */
  readonly killSwitch?: KillSwitchController;
  /** Called after every cycle (breakers, drills). */
  readonly afterCycle?: CycleObserver;
  /** The stale-data rule (default: the stale-data guard's defaults); also decides when a backtest input has ended. */
  readonly isStale?: (dependency: DataDependency, now: number) => boolean;
  /** Every broker by id (default: just `broker`), and how symbols are routed to them (default: all to `broker`). */
  readonly brokers?: ReadonlyMap<string, BrokerAdapter>;
  readonly routing?: RoutingTable;
  /** Brokers whose connect failed at start: down until they answer a health check. */
  readonly brokersDown?: readonly string[];
  /** A submission without an answer within this many ms is UNKNOWN (default 5000). */
  readonly submitTimeoutMs?: number;
  /** Called before every cycle of a paper run, between cycles (reconciliation passes run here, never mid-cycle). */
  readonly beforeCycle?: (cycle: number) => Promise<void>;
  /** Resuming a run after a crash: skip decision times up to `afterTime`, start from the broker's positions. */
  readonly resume?: { readonly afterTime: number; readonly positions: readonly Position[]; readonly journaledIntents: Set<string> };
}
