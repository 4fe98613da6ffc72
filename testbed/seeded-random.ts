/** A small seeded PRNG (mulberry32) returning numbers in [0, 1): reproducible runs without Math.random. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A number in [0, 1) determined only by the seed and the parts: the same question always gets the
 * same answer, whatever else happened before (unlike drawing from one shared stream, whose answers
 * depend on the order concurrent requests arrive in).
 */
export function seededUnit(seed: number, ...parts: readonly (string | number)[]): number {
  // FNV-1a over the parts, then one mulberry32 step to spread the bits.
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (const char of parts.join('\u0000')) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193);
  }
  return seededRandom(hash)();
}
