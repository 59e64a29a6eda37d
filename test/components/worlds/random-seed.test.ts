import { describe, expect, it } from 'vitest'
import { randomSeed } from '../../../components/worlds/random-seed'
import { canonicalSeed } from '../../../world-gen'

describe('randomSeed', () => {
  it('makes three-word seeds that are already canonical', () => {
    for (let i = 0; i < 200; i++) {
      const seed = randomSeed()
      expect(seed).toMatch(/^[a-z]+-[a-z]+-[a-z]+$/)
      expect(canonicalSeed(seed)).toEqual({ ok: true, seed })
    }
  })

  it('varies between calls', () => {
    expect(new Set(Array.from({ length: 50 }, randomSeed)).size).toBeGreaterThan(40)
  })
})
