/** A position in one instrument. Quantity is signed: negative is short. */
export interface Position {
  readonly symbol: string;
  readonly quantity: number;
  readonly averagePrice: number;
}

/** Account summary in the account currency. */
export interface AccountSnapshot {
  readonly cash: number;
  readonly equity: number;
  readonly currency: string;
}
