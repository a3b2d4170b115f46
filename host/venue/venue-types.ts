import type { EpochMs, MarketBar, Side } from '../../core/index.js';

/**
 * The paper venue's own vocabulary: Alpaca's order fields (DESIGN.md §7), held as numbers and epoch milliseconds in
 * memory and rendered as Alpaca JSON (numbers as strings, ISO times) only at the HTTP edge (alpaca-json.ts).
 */

export type AlpacaOrderType = 'market' | 'limit';
export type AlpacaTimeInForce = 'day' | 'gtc' | 'opg' | 'cls';
/** The Alpaca statuses this venue uses; working orders are `new` or `partially_filled`. */
export type AlpacaOrderStatus = 'new' | 'partially_filled' | 'filled' | 'canceled' | 'rejected';

/** Who created an order: an API client, or the venue itself when it liquidates positions (DELETE /v2/positions). */
export type OrderSource = 'api' | 'liquidation';

/** The fields of an order fixed when it is accepted; recorded in its `submit` event. */
export interface OrderTicket {
  /** The venue's order id (Alpaca `id`), a UUID. */
  readonly id: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: number;
  readonly type: AlpacaOrderType;
  readonly timeInForce: AlpacaTimeInForce;
  readonly limitPrice?: number;
  /** Simulated time of submission: X-Sim-Time, else the venue clock. Orders fill on bars at or after it (+ latency). */
  readonly submittedAt: EpochMs;
  /** Wall-clock time the venue received it, for audit only: nothing is computed from it. */
  readonly receivedAt: EpochMs;
  readonly source: OrderSource;
}

/** An order as the venue knows it now. */
export interface VenueOrder extends OrderTicket {
  /** Creation order, 1, 2, ...: the sort key of GET /v2/orders. */
  readonly seq: number;
  readonly status: AlpacaOrderStatus;
  readonly filledQty: number;
  /** Volume-weighted fill price; 0 while nothing is filled (rendered as null). */
  readonly filledAvgPrice: number;
  readonly updatedAt: EpochMs;
  readonly filledAt?: EpochMs;
  readonly canceledAt?: EpochMs;
  readonly failedAt?: EpochMs;
  readonly rejectReason?: string;
}

/** One execution, with the order's state right after it (what a trade_updates frame would carry). */
export interface VenueFill {
  /** 1, 2, ... over the venue's life: the cursor of GET /sim/v1/fills?after=. */
  readonly seq: number;
  /** UUID-like, derived from the order id and the fill's number within the order, so a replay reproduces it. */
  readonly id: string;
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: number;
  readonly price: number;
  readonly commission: number;
  /** Simulated time: the time of the bar it filled on. */
  readonly time: EpochMs;
  readonly cumQty: number;
  readonly cumAvgPrice: number;
  readonly orderStatus: AlpacaOrderStatus;
}

/**
 * The input journal: everything that changes the venue is one of these, recorded before the HTTP answer. Replaying
 * them in order through a fresh paper simulator rebuilds the whole state (see paper-venue.ts).
 */
export type VenueEvent =
  | { readonly kind: 'submit'; readonly ticket: OrderTicket }
  | { readonly kind: 'cancel'; readonly orderId: string }
  | { readonly kind: 'bars'; readonly bars: readonly MarketBar[] }
  /** A liquidation print: one synthetic bar at `price` with unlimited volume, on which liquidation orders fill. */
  | { readonly kind: 'print'; readonly symbol: string; readonly price: number; readonly time: EpochMs };

export type VenueEventKind = VenueEvent['kind'];

/** Settings fixed when a data dir is created; a later start reads them back (venue-settings.ts). */
export interface VenueSettings {
  readonly accountId: string;
  readonly accountNumber: string;
  readonly createdAt: EpochMs;
  readonly currency: string;
  readonly initialCash: number;
  readonly commissionPerShare: number;
  readonly minimumCommission: number;
  readonly halfSpreadBps: number;
  readonly slippageBps: number;
  readonly impactCoefficient: number;
  /** 0 disables the participation cap (the JSON-safe spelling of the paper broker's Infinity). */
  readonly maxParticipation: number;
  readonly latencyMs: number;
  readonly initialDailyVolatility: number;
  readonly volatilityDecay: number;
}

/** The settings a caller may choose; the rest (account id and number, creation time) the venue makes. */
export type VenueSettingsInput = Partial<Omit<VenueSettings, 'accountId' | 'accountNumber' | 'createdAt'>>;

/** A refusal in Alpaca's terms: HTTP status, Alpaca error code and message. */
export interface VenueRefusal {
  readonly status: number;
  readonly code: number;
  readonly message: string;
}

/** Alpaca error codes the venue answers with. */
export const ALPACA_CODES = {
  invalidRequest: 40010000,
  validation: 40010001,
  unauthorized: 40110000,
  forbidden: 40310000,
  notFound: 40410000,
  notCancelable: 42210000,
  unavailable: 50310000,
  internal: 50010000,
} as const;
