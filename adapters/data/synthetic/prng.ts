/**
 * A small, seeded, portable pseudo-random generator: sfc32 seeded through splitmix32, with Box-Muller normals and
 * Student-t draws. No Math.random anywhere: the same seed gives bit-identical numbers on every platform, because
 * every step is 32-bit integer arithmetic or IEEE-754 double operations in a fixed order.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal = Number.NaN;

  /** @param seed any 32-bit integer (other numbers are truncated to 32 bits). */
  constructor(seed: number) {
    let state = seed >>> 0;
    const next = (): number => {
      // splitmix32: spreads a poor seed (0, 1, 2, ...) over the whole state.
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniform 32-bit unsigned integer (sfc32). */
  nextUint32(): number {
    let t = (this.a + this.b) >>> 0;
    this.a = (this.b ^ (this.b >>> 9)) >>> 0;
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.d = (this.d + 1) >>> 0;
    t = (t + this.d) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A uniform double in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4_294_967_296;
  }

  /** A standard normal draw (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const spare = this.spareNormal;
      this.spareNormal = Number.NaN;
      return spare;
    }
    let u = this.uniform();
    while (u <= 0) u = this.uniform();
    const v = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** A chi-square draw with an integer number of degrees of freedom (sum of squared normals). */
  chiSquare(degreesOfFreedom: number): number {
    let sum = 0;
    for (let i = 0; i < degreesOfFreedom; i++) {
      const z = this.normal();
      sum += z * z;
    }
    return sum;
  }

  /**
   * A Student-t draw scaled to unit variance (fat tails at the same volatility as a standard normal).
   * @param degreesOfFreedom integer > 2; 4 or 5 gives equity-like kurtosis.
   */
  studentT(degreesOfFreedom: number): number {
    const z = this.normal();
    const chi = this.chiSquare(degreesOfFreedom);
    return (z / Math.sqrt(chi / degreesOfFreedom)) * Math.sqrt((degreesOfFreedom - 2) / degreesOfFreedom);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.uniform() < p;
  }
}

/**
 * An independent stream for one named purpose, derived from the world seed. Each generator module draws from its own
 * stream, so adding a module (or a series to one) never changes the numbers of the others.
 * @example const rng = streamFor(42, 'bars:GLD');
 */
export function streamFor(seed: number, name: string): Rng {
  // FNV-1a over the name, mixed with the seed.
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  hash = Math.imul(hash ^ (seed >>> 0), 0x9e3779b1) >>> 0;
  return new Rng(hash);
}
