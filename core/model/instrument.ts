/** What kind of thing an instrument is. Guards and the cost model use it. */
export type AssetClass = 'etf' | 'equity' | 'future' | 'crypto' | 'fx' | 'option' | 'index';

/** A tradable instrument. Tags (metal, sector, ...) feed concentration guards. */
export interface Instrument {
  readonly symbol: string;
  readonly assetClass: AssetClass;
  readonly currency: string;
  /** Contract multiplier: notional = price x quantity x multiplier. 1 for ETFs. */
  readonly multiplier: number;
  readonly tickSize: number;
  /** Smallest tradable quantity step. */
  readonly lotSize: number;
  readonly tags: Readonly<Record<string, string>>;
}

/** Build an instrument with defaults for an ETF-like cash instrument. */
export function instrument(symbol: string, fields: Partial<Omit<Instrument, 'symbol'>> = {}): Instrument {
  return {
    symbol,
    assetClass: fields.assetClass ?? 'etf',
    currency: fields.currency ?? 'USD',
    multiplier: fields.multiplier ?? 1,
    tickSize: fields.tickSize ?? 0.01,
    lotSize: fields.lotSize ?? 1,
    tags: fields.tags ?? {},
  };
}

/** Round a quantity toward zero to a whole number of lots. */
export function roundToLot(quantity: number, lotSize: number): number {
  if (lotSize <= 0) return quantity;
  const lots = Math.trunc(quantity / lotSize + (quantity >= 0 ? 1e-9 : -1e-9));
  const value = lots * lotSize;
  // Whole lots of a whole lot size are exact integers, which toPrecision(12) returns unchanged below 1e12: skip the
  // string round trip (+ 0 turns -0 into 0, as it does).
  if (Number.isInteger(lotSize) && Math.abs(value) < 1e12) return value + 0;
  return Number(value.toPrecision(12));
}
