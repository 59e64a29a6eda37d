/**
 * Material families of a family-conditioned surface generator (brick, floor tiles, wood planks …): the table a model
 * ships (`model.json` `latentscape.families`), the conditioning a request names (one family, or a blend of two by
 * weight), the family vector that goes into every cell of the generator input, and the size one texture repeat
 * covers in the world. Pure TypeScript: no tensors, so the main thread, the worker and the CLIs share it.
 */
/**
 * What a surface is painted as: family `a`, or a blend from `a` towards `b` with weight `t` in [0, 1]
 * (`(1 - t)·E[a] + t·E[b]`). Names, not indices, so a request stays valid when a model orders its families
 * differently. Plain data: safe to structured-clone and to print as JSON.
 */
export interface FamilyConditioning {
  /** The family (the one with the larger weight when world-gen blends). */
  a: string
  /** The family blended towards; absent for a single family. */
  b?: string
  /** Weight of `b`, in [0, 1]. @default 0 */
  t?: number
}

/** The families of a conditioned model (model.json `latentscape.families`, validated by world-gen/gan `parseManifest`). */
export interface FamilyTable {
  /** Family names, in embedding-row order. */
  names: string[]
  /** Length of a family vector. */
  dim: number
  /** One float32 row `[dim]` per name: the learned family embedding. */
  embedding: Float32Array[]
  /** Texture pixels per metre of surface for each family (so bricks and planks get plausible sizes). */
  pxPerMetre: Record<string, number>
}

/** Why a family conditioning was refused. */
export type FamilyErrorReason = 'unknown-family' | 'bad-blend' | 'missing-family' | 'not-conditioned'

/** A family conditioning the model cannot paint; `reason` is machine-readable, `message` one line for people. */
export class FamilyError extends Error {
  /** Machine-readable cause. */
  readonly reason: FamilyErrorReason
  constructor(reason: FamilyErrorReason, message: string) {
    super(message)
    this.name = 'FamilyError'
    this.reason = reason
  }
}

const knownList = (names: readonly string[]) => names.join(', ')

/** Throw `FamilyError('unknown-family')` unless `name` is one of `table.names`. */
export function assertFamily(table: Pick<FamilyTable, 'names'>, name: string): void {
  if (!table.names.includes(name))
    throw new FamilyError(
      'unknown-family',
      `unknown material family "${name}" (this model has: ${knownList(table.names)})`,
    )
}

/** Check a conditioning against a table: known names, `t` a finite number in [0, 1]; throws `FamilyError`. */
export function assertConditioning(table: Pick<FamilyTable, 'names'>, cond: FamilyConditioning): void {
  if (typeof cond !== 'object' || cond === null || typeof cond.a !== 'string')
    throw new FamilyError('bad-blend', 'a family conditioning needs a family name `a`')
  assertFamily(table, cond.a)
  if (cond.b !== undefined) {
    if (typeof cond.b !== 'string') throw new FamilyError('bad-blend', 'family `b` must be a name')
    assertFamily(table, cond.b)
  }
  if (cond.t !== undefined && !(typeof cond.t === 'number' && Number.isFinite(cond.t) && cond.t >= 0 && cond.t <= 1))
    throw new FamilyError('bad-blend', `family blend weight t must be a number in [0, 1], got ${String(cond.t)}`)
  if (cond.t !== undefined && cond.t > 0 && cond.b === undefined)
    throw new FamilyError('bad-blend', `family blend weight t=${cond.t} without a family \`b\` to blend towards`)
}

/**
 * The family vector of a conditioning: float32 `[table.dim]`, `(1 - t)·E[a] + t·E[b]` (just `E[a]` without a blend).
 * Throws `FamilyError` for unknown names or a bad weight. Pass `out` to avoid allocating.
 */
export function familyVector(table: FamilyTable, cond: FamilyConditioning, out?: Float32Array): Float32Array {
  assertConditioning(table, cond)
  const target = out ?? new Float32Array(table.dim)
  if (target.length !== table.dim) throw new RangeError(`out must have length ${table.dim}`)
  const ea = table.embedding[table.names.indexOf(cond.a)]!
  const t = cond.b === undefined ? 0 : (cond.t ?? 0)
  const eb = cond.b === undefined ? ea : table.embedding[table.names.indexOf(cond.b)]!
  for (let c = 0; c < table.dim; c++) target[c] = (1 - t) * ea[c]! + t * eb[c]!
  return target
}

/** The family with the larger weight: `b` when `t` > 0.5, else `a`. */
export function dominantFamily(cond: FamilyConditioning): string {
  return cond.b !== undefined && (cond.t ?? 0) > 0.5 ? cond.b : cond.a
}

/**
 * One line naming a conditioning for people and metadata: `brick`, or `brick 75% + plaster 25%` for a blend
 * (weights rounded to whole percent, the larger first).
 */
export function familyLabel(cond: FamilyConditioning): string {
  const t = cond.t ?? 0
  if (cond.b === undefined || cond.b === cond.a || t === 0) return cond.a
  const pb = Math.round(t * 100)
  const parts: [string, number][] = [
    [cond.a, 100 - pb],
    [cond.b, pb],
  ]
  if (pb > 50) parts.reverse()
  return parts.map(([name, p]) => `${name} ${p}%`).join(' + ')
}

/**
 * A stable key of a conditioning for caches: `brick` or `brick>plaster@0.25` (t printed exactly, so two
 * conditionings share a key only when they give the same family vector).
 */
export function familyKey(cond: FamilyConditioning): string {
  const t = cond.t ?? 0
  return cond.b === undefined || t === 0 ? cond.a : `${cond.a}>${cond.b}@${t}`
}
