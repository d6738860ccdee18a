// Seeded randomness for the simulation: one independent stream per subsystem (network,
// scheduling, faults, workload), so adding draws to one never reshuffles another. No Math.random.

/** The largest seed: seeds are 32-bit unsigned integers. */
export const MAX_SEED = 0xffffffff;

/**
 * FNV-1a over the stream's name: a stable 32-bit number per subsystem. From `h`, the hash of a
 * prefix, it hashes the whole name: nameHash(b, nameHash(a)) is nameHash(a + b).
 */
export function nameHash(name: string, h = 0x811c9dc5): number {
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** xoshiro128** seeded through splitmix32: fast, and identical in every JS engine. */
export class Random {
  #s = new Uint32Array(4);

  /** `stream`: the stream's name, or its nameHash. */
  constructor(seed: number, stream: string | number) {
    let x = (Math.trunc(seed) ^ (typeof stream === 'number' ? stream : nameHash(stream))) >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.#s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    const s = this.#s;
    const result = Math.imul(((Math.imul(s[1], 5) << 7) | (Math.imul(s[1], 5) >>> 25)) >>> 0, 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 11) | (s[3] >>> 21);
    return result;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 0x100000000;
  }

  /** A float in [min, max]. */
  between(min: number, max: number): number {
    return min + (max - min) * this.float();
  }
}
