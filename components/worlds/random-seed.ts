/**
 * Random world seeds for "New world": three short words drawn with `crypto.getRandomValues`, e.g. `amber-fern-drift`.
 * 128 words per pick (a power of two, so `value % 128` is unbiased) give 2²¹ ≈ 2 million distinct worlds.
 */
const SEED_WORDS: readonly string[] = [
  'amber ash aster azure basalt bay birch bloom brook cairn calm cedar chalk cinder clay cliff cloud coal coral',
  'cove crest dawn delta dew drift dune dusk echo ember fern field fjord flint fog frost gale glade glass glen',
  'gold granite grove gust halo harbor haze heath hollow honey indigo iris iron isle ivory ivy jade juniper',
  'kelp lagoon lake lark lava leaf lichen lilac lime linen loam lumen lunar maple marble marsh meadow mesa mica',
  'mint mist moss nectar north oak ochre onyx opal orchid pearl pebble pine plume pollen prism quartz rain reed',
  'reef ridge river rose rust sage salt sand shale shore silk silver slate snow solar spruce stone storm sun',
  'swift thistle tide timber topaz umber vale velvet violet wave willow wind winter zephyr',
]
  .join(' ')
  .split(' ')

/** How many words a random seed has. */
export const RANDOM_SEED_WORDS = 3

/**
 * A fresh random seed of `RANDOM_SEED_WORDS` lowercase words joined by `-` (already canonical: letters and `-` only).
 * Browser only (uses the Web Crypto API, also global in Node ≥ 19).
 */
export function randomSeed(): string {
  const values = crypto.getRandomValues(new Uint32Array(RANDOM_SEED_WORDS))
  return Array.from(values, (value) => SEED_WORDS[value % SEED_WORDS.length]).join('-')
}
