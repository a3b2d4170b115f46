/*
 * The little dense linear algebra the model fitters need (systems of at most a dozen unknowns), in plain JS with
 * fixed loop orders so results are bit-identical from run to run. Matrices are arrays of rows.
 */

export type Matrix = number[][];

/** An n x m matrix of zeros. */
export function zeros(n: number, m: number): Matrix {
  return Array.from({ length: n }, () => new Array<number>(m).fill(0));
}

/**
 * Lower-triangular L with `a = L Lᵀ` for a symmetric positive-definite `a`. Throws when `a` is not positive
 * definite (a pivot at or below 0).
 */
export function cholesky(a: Matrix): Matrix {
  const n = a.length;
  const l = zeros(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = (a[i] as number[])[j] as number;
      for (let k = 0; k < j; k++) sum -= ((l[i] as number[])[k] as number) * ((l[j] as number[])[k] as number);
      if (i === j) {
        if (!(sum > 0)) throw new Error(`matrix is not positive definite (pivot ${i} is ${sum})`);
        (l[i] as number[])[i] = Math.sqrt(sum);
      } else {
        (l[i] as number[])[j] = sum / ((l[j] as number[])[j] as number);
      }
    }
  }
  return l;
}

/** Solve `a x = b` for symmetric positive-definite `a` (Cholesky). */
export function solveSpd(a: Matrix, b: readonly number[]): number[] {
  const l = cholesky(a);
  const n = b.length;
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let sum = b[i] as number;
    for (let k = 0; k < i; k++) sum -= ((l[i] as number[])[k] as number) * (y[k] as number);
    y[i] = sum / ((l[i] as number[])[i] as number);
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i] as number;
    for (let k = i + 1; k < n; k++) sum -= ((l[k] as number[])[i] as number) * (x[k] as number);
    x[i] = sum / ((l[i] as number[])[i] as number);
  }
  return x;
}

/** Inverse of a lower-triangular matrix (itself lower triangular). */
export function invertLower(l: Matrix): Matrix {
  const n = l.length;
  const inverse = zeros(n, n);
  for (let j = 0; j < n; j++) {
    (inverse[j] as number[])[j] = 1 / ((l[j] as number[])[j] as number);
    for (let i = j + 1; i < n; i++) {
      let sum = 0;
      for (let k = j; k < i; k++) sum -= ((l[i] as number[])[k] as number) * ((inverse[k] as number[])[j] as number);
      (inverse[i] as number[])[j] = sum / ((l[i] as number[])[i] as number);
    }
  }
  return inverse;
}

/** Column means and sample standard deviations of rows (a standard deviation of 0 becomes 1, so it divides safely). */
export function standardisation(rows: readonly (readonly number[])[]): { mean: number[]; scale: number[] } {
  const d = rows[0]?.length ?? 0;
  const n = rows.length;
  const mean = new Array<number>(d).fill(0);
  for (const row of rows) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (row[j] as number) / n;
  const scale = new Array<number>(d).fill(0);
  for (const row of rows) for (let j = 0; j < d; j++) scale[j] = (scale[j] as number) + ((row[j] as number) - (mean[j] as number)) ** 2;
  for (let j = 0; j < d; j++) {
    const sd = Math.sqrt((scale[j] as number) / Math.max(1, n - 1));
    scale[j] = sd > 0 ? sd : 1;
  }
  return { mean, scale };
}

/** Rows standardised by `mean` and `scale`. */
export function standardise(rows: readonly (readonly number[])[], mean: readonly number[], scale: readonly number[]): number[][] {
  return rows.map((row) => row.map((v, j) => (v - (mean[j] as number)) / (scale[j] as number)));
}
