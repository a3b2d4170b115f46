import { shError } from '../errors.js';
import { VOLATILITY_FLOOR } from './performance.js';
import type { NumericSeries } from './statistics.js';

/**
 * Probability of Backtest Overfitting by Combinatorially Symmetric Cross-Validation (Bailey, Borwein, López de Prado
 * and Zhu, "The Probability of Backtest Overfitting", 2015).
 *
 * The T × N matrix of returns (T periods, N strategy variants) is cut into S contiguous blocks of rows. For every way
 * of choosing S/2 blocks as the in-sample set (the rest is out-of-sample), the variant with the best in-sample Sharpe
 * ratio is found and its out-of-sample rank ω among the N variants taken (1 worst .. N best, ties averaged), as the
 * relative rank ω / (N + 1); the logit is λ = ln(ω / (1 - ω)). PBO is the share of splits with λ <= 0: how often the
 * in-sample winner is at or below the out-of-sample median. Near 0: selection carries information; near 0.5 or above:
 * the backtest selected noise.
 */

export interface PboOptions {
  /** S, the number of blocks of rows: even, at least 2, at most 24 and at most T. Default 16 (12 870 splits). */
  readonly partitions?: number;
}

export interface PboResult {
  /** Share of splits whose in-sample best variant ranks at or below the out-of-sample median. */
  readonly pbo: number;
  /** λ of each split, in enumeration order. */
  readonly logits: number[];
  /** Number of splits, C(S, S/2). */
  readonly combinations: number;
}

/** Beyond 24 blocks the C(S, S/2) splits (2.7 million at 24) cost more than they tell. */
export const MAX_PARTITIONS = 24;

/**
 * PBO of a matrix of returns: rows are periods, columns are strategy variants. The performance measure is the
 * per-period Sharpe ratio (0 when a variant's volatility is zero). In-sample ties go to the lowest column index.
 * Throws SH_ERR_ANALYTICS_INPUT_INVALID for ragged rows, fewer than 2 variants, non-finite values or bad partitions.
 * @param options partitions default 16
 * @example
 * const { pbo } = probabilityOfBacktestOverfitting(returnsByDay, { partitions: 16 });
 * if (pbo > 0.5) console.log('the selection is no better than chance');
 */
export function probabilityOfBacktestOverfitting(matrix: readonly NumericSeries[], options: PboOptions = {}): PboResult {
  const partitions = options.partitions ?? 16;
  const periods = matrix.length;
  const strategies = validateMatrix(matrix, partitions);

  // Per block and variant: count, mean and sum of squared deviations, merged per split with Chan's formula, so each
  // split costs N × S instead of N × T and stays numerically stable.
  const blockCount = new Float64Array(partitions);
  const blockMean = new Float64Array(partitions * strategies);
  const blockSquares = new Float64Array(partitions * strategies);
  for (let block = 0; block < partitions; block++) {
    const start = Math.floor((block * periods) / partitions);
    const end = Math.floor(((block + 1) * periods) / partitions);
    blockCount[block] = end - start;
    for (let column = 0; column < strategies; column++) {
      let sum = 0;
      for (let row = start; row < end; row++) sum += (matrix[row] as NumericSeries)[column] as number;
      const average = sum / (end - start);
      let squares = 0;
      for (let row = start; row < end; row++) {
        const deviation = ((matrix[row] as NumericSeries)[column] as number) - average;
        squares += deviation * deviation;
      }
      blockMean[block * strategies + column] = average;
      blockSquares[block * strategies + column] = squares;
    }
  }

  const half = partitions / 2;
  const all = (1 << partitions) - 1;
  const inSample = new Float64Array(strategies);
  const outOfSample = new Float64Array(strategies);
  const logits: number[] = [];
  let overfit = 0;
  // Gosper's hack walks every mask with exactly `half` bits set, in increasing order.
  for (let mask = (1 << half) - 1; mask <= all; ) {
    sharpeOfBlocks(mask, blockCount, blockMean, blockSquares, strategies, partitions, inSample);
    sharpeOfBlocks(all & ~mask, blockCount, blockMean, blockSquares, strategies, partitions, outOfSample);
    let best = 0;
    for (let column = 1; column < strategies; column++) if ((inSample[column] as number) > (inSample[best] as number)) best = column;
    const chosen = outOfSample[best] as number;
    let below = 0;
    let tied = 0;
    for (let column = 0; column < strategies; column++) {
      const value = outOfSample[column] as number;
      if (value < chosen) below += 1;
      else if (value === chosen && column !== best) tied += 1;
    }
    const relativeRank = (1 + below + tied / 2) / (strategies + 1);
    const logit = Math.log(relativeRank / (1 - relativeRank));
    logits.push(logit);
    if (logit <= 0) overfit += 1;
    const lowest = mask & -mask;
    const ripple = mask + lowest;
    mask = (((ripple ^ mask) >>> 2) / lowest) | ripple;
  }
  return { pbo: overfit / logits.length, logits, combinations: logits.length };
}

/** Per-period Sharpe ratio of every variant over the blocks in `mask`, written into `out`. */
function sharpeOfBlocks(mask: number, blockCount: Float64Array, blockMean: Float64Array, blockSquares: Float64Array, strategies: number, partitions: number, out: Float64Array): void {
  for (let column = 0; column < strategies; column++) {
    let count = 0;
    let average = 0;
    let squares = 0;
    for (let block = 0; block < partitions; block++) {
      if ((mask & (1 << block)) === 0) continue;
      const n = blockCount[block] as number;
      const delta = (blockMean[block * strategies + column] as number) - average;
      const total = count + n;
      average += (delta * n) / total;
      squares += (blockSquares[block * strategies + column] as number) + (delta * delta * count * n) / total;
      count = total;
    }
    const deviation = count > 1 ? Math.sqrt(squares / (count - 1)) : 0;
    out[column] = deviation <= VOLATILITY_FLOOR ? 0 : average / deviation;
  }
}

function validateMatrix(matrix: readonly NumericSeries[], partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 2 || partitions % 2 !== 0 || partitions > MAX_PARTITIONS) {
    throw shError('SH_ERR_ANALYTICS_INPUT_INVALID', `partitions must be an even integer from 2 to ${MAX_PARTITIONS}, was ${partitions}`, {
      where: 'partitions',
      received: partitions,
      expected: `an even integer in [2, ${MAX_PARTITIONS}] (16 is usual)`,
    });
  }
  if (matrix.length < partitions) {
    throw shError('SH_ERR_ANALYTICS_INPUT_INVALID', `the matrix has ${matrix.length} periods, fewer than the ${partitions} partitions`, {
      where: 'matrix',
      received: matrix.length,
      expected: `at least ${partitions} rows (periods); many more for a meaningful result`,
    });
  }
  const strategies = (matrix[0] as NumericSeries).length;
  if (strategies < 2) {
    throw shError('SH_ERR_ANALYTICS_INPUT_INVALID', `PBO compares strategy variants: the matrix has ${strategies} column(s)`, {
      where: 'matrix[0]',
      received: strategies,
      expected: 'at least 2 columns, one per strategy variant',
    });
  }
  for (let row = 0; row < matrix.length; row++) {
    const values = matrix[row] as NumericSeries;
    if (values.length !== strategies) {
      throw shError('SH_ERR_ANALYTICS_INPUT_INVALID', `matrix row ${row} has ${values.length} columns, row 0 has ${strategies}`, {
        where: `matrix[${row}]`,
        received: values.length,
        expected: `${strategies} columns in every row`,
      });
    }
    for (let column = 0; column < strategies; column++) {
      if (!Number.isFinite(values[column] as number)) {
        throw shError('SH_ERR_ANALYTICS_INPUT_INVALID', `matrix[${row}][${column}] is not a finite number`, {
          where: `matrix[${row}][${column}]`,
          received: String(values[column]),
          expected: 'finite returns only',
        });
      }
    }
  }
  return strategies;
}
