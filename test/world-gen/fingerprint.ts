/** Test helper: byte-level fingerprints of world-gen output (sha256 over the room JSON and latent bytes). */
import { createHash } from 'node:crypto'
import { LATENT_SLOTS, localField, room, roomLatents } from '../../world-gen/index'

/** sha256 hex of everything world-gen produces for one room (spec, every global latent, a 4×4 local field per slot). */
export function roomDigest(seed: string, x: number, z: number): string {
  const hash = createHash('sha256')
  const spec = room(seed, x, z)
  hash.update(JSON.stringify(spec))
  const latents = roomLatents(seed, x, z)
  for (const slot of LATENT_SLOTS) {
    hash.update(new Uint8Array(latents[slot].buffer))
    hash.update(new Uint8Array(localField(spec.roomSeed, slot, 4, 4).buffer))
  }
  return hash.digest('hex')
}

/** Per-room digests for a list of cells, keyed `"x,z"`, computed in the given order. */
export function digests(seed: string, cells: readonly [number, number][]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [x, z] of cells) out[`${x},${z}`] = roomDigest(seed, x, z)
  return out
}

/** A single sha256 over the digests of a cell list, in sorted key order. */
export function windowDigest(seed: string, cells: readonly [number, number][]): string {
  const d = digests(seed, cells)
  const hash = createHash('sha256')
  for (const key of Object.keys(d).sort()) hash.update(`${key}=${d[key]};`)
  return hash.digest('hex')
}

/** Cells of the square window [x0, x0 + n) × [z0, z0 + n), row by row. */
export function windowCells(x0: number, z0: number, n: number): [number, number][] {
  const cells: [number, number][] = []
  for (let z = z0; z < z0 + n; z++) for (let x = x0; x < x0 + n; x++) cells.push([x, z])
  return cells
}
