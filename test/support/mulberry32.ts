/**
 * mulberry32: a tiny seeded generator for building test corpora (fuzz inputs, hostile URLs), deliberately independent
 * of world-gen's own RNG so a bug there cannot hide in the tests. Returns floats in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
