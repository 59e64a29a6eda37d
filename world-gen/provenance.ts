/**
 * Provenance metadata for exported PNGs: who made the image (Latentscape, which generator and weights), from which
 * world spot (seed, room, slot, link), under which licence, and that it is AI-generated (IPTC digital source type
 * `trainedAlgorithmicMedia`, https://cv.iptc.org/newscodes/digitalsourcetype/).
 *
 * Written as PNG text chunks (PNG spec §11.3.4, https://www.w3.org/TR/png-3/#11textinfo): an XMP packet in an iTXt
 * chunk with keyword `XML:com.adobe.xmp` (XMP spec part 3, §1.1.5), the standard keywords `Software`, `Source`,
 * `Comment`, `Description`, `Copyright`, and machine-readable `latentscape:*` keywords. ASCII values go into tEXt,
 * anything else (seeds may hold any letters) into UTF-8 iTXt. Pure TypeScript on bytes: runs in Node, browsers and
 * workers. Pixels are never touched: only ancillary chunks are added after IHDR.
 */
import extractChunks from 'png-chunks-extract'
import encodeChunks from 'png-chunks-encode'
import * as pngText from 'png-chunk-text'
import { isSurfaceMap, type SurfaceMap } from './relief'
import type { WorldStyle } from './style'
import { encodeWorldUrl } from './url'

/** IPTC NewsCodes digital source type of media created by a trained model. */
export const DIGITAL_SOURCE_TYPE_TRAINED = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia'

/** The `Comment` / `Description` of every exported texture. */
export const AI_TEXTURE_NOTE = 'AI-generated texture (trainedAlgorithmicMedia)'

/**
 * The `guidance` of a texture painted with a style fitted to a user's photo: says so, and nothing of the photo (its
 * pixels, name or statistics never go into metadata).
 */
export const PHOTO_GUIDANCE = 'style guided by a user photo'

/** The `Software` value. */
export const PROVENANCE_SOFTWARE = 'Latentscape'

/**
 * Licence assumed for a record that names none: PNGs written before provenance carried the weights' own licence,
 * when every model was CC-BY-SA-3.0. Writers pass the licence of the weights that painted the image (model.json
 * `latentscape.licence`: CC-BY-SA-4.0 for weights trained on CC BY-SA 4.0 images, which CC BY-SA 3.0 section 4(b)
 * lets BY-SA 3.0 images join).
 */
export const DEFAULT_LICENCE = 'CC-BY-SA-3.0'

/** iTXt keyword of an XMP packet (XMP spec part 3). */
export const XMP_KEYWORD = 'XML:com.adobe.xmp'

/** XML namespace of the `latentscape:` properties in the XMP packet (`.invalid`: reserved, never resolves). */
export const LATENTSCAPE_XMP_NS = 'http://ns.latentscape.invalid/provenance/1.0/'

/** What an exported image records about its origin. */
export interface Provenance {
  /** Generator name, e.g. `surface` (model.json `latentscape.model`). */
  model: string
  /** Generator version, e.g. `surface-v1-0f249bb140bd` (model.json `latentscape.version`). */
  version: string
  /** Hex sha256 of the weight shards (model.json `latentscape.weightsSha256`), when known. */
  weightsSha256?: string
  /** Canonical world seed. */
  seed: string
  /** Room grid coordinates. */
  room: { x: number; z: number }
  /** Material slot (`floor`, `walls`, `trim`, `sky`) or a list of them for a composite image. */
  slot: string
  /**
   * The material family the slot was painted as, for a family-conditioned surface model: one family (`brick`), or a
   * blend (`brick 75% + plaster 25%`, world-gen `familyLabel`). Absent for the sky and for models without families.
   */
  family?: string
  /** How the generator was guided beyond the world's seed: PHOTO_GUIDANCE for a photo style; absent otherwise. */
  guidance?: string
  /**
   * Which map of the surface the image is (`color`, `height`, `normal`, `roughness`: world-gen `relief.ts`), for a
   * surface painted by a relief model, whose exports come as a set; absent for colour-only models and the sky.
   */
  map?: SurfaceMap
  /** App link of that spot (`encodeWorldUrl`), absolute or a path. */
  url: string
  /** Licence of the image. @default DEFAULT_LICENCE */
  licence?: string
}

/** Provenance read back from a PNG, with the raw XMP packet and its digital source type when present. */
export type ReadProvenance = Provenance & { licence: string; xmp?: string; digitalSourceType?: string }

/** Keywords of the text chunks this module writes (and replaces when writing again). */
export const PROVENANCE_KEYS = {
  software: 'Software',
  source: 'Source',
  comment: 'Comment',
  description: 'Description',
  copyright: 'Copyright',
  model: 'latentscape:model',
  version: 'latentscape:version',
  weightsSha256: 'latentscape:weights-sha256',
  seed: 'latentscape:seed',
  room: 'latentscape:room',
  slot: 'latentscape:slot',
  family: 'latentscape:family',
  guidance: 'latentscape:guidance',
  map: 'latentscape:map',
  url: 'latentscape:url',
  licence: 'latentscape:licence',
  digitalSourceType: 'latentscape:digital-source-type',
} as const

type Chunk = { name: string; data: Uint8Array }

const _utf8Encoder = new TextEncoder()
const _utf8Decoder = new TextDecoder('utf-8', { fatal: false })
const _latin1Decoder = new TextDecoder('latin1')

// XML 1.0 Char production: everything outside it (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) is
// replaced, since no escape can represent it.
const XML_INVALID = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

/** Escape text for XML element content and attribute values (both quote kinds), dropping non-XML characters. */
export function escapeXml(text: string): string {
  return text.replace(XML_INVALID, '\uFFFD').replace(/[&<>"']/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;'
      case '<':
        return '&lt;'
      case '>':
        return '&gt;'
      case '"':
        return '&quot;'
      default:
        return '&apos;'
    }
  })
}

/** Undo `escapeXml` (the five predefined entities and numeric references), for reading XMP values back. */
export function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (entity, name: string) => {
    switch (name.toLowerCase()) {
      case 'amp':
        return '&'
      case 'lt':
        return '<'
      case 'gt':
        return '>'
      case 'quot':
        return '"'
      case 'apos':
        return "'"
    }
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10)
    return code <= 0x10ffff ? String.fromCodePoint(code) : entity
  })
}

const licenceOf = (meta: Provenance) => meta.licence ?? DEFAULT_LICENCE

/** The XMP packet (UTF-8 text) describing `meta`: IPTC digital source type, Dublin Core and `latentscape:` fields. */
export function xmpPacket(meta: Provenance): string {
  const e = escapeXml
  const alt = (text: string) => `<rdf:Alt><rdf:li xml:lang="x-default">${e(text)}</rdf:li></rdf:Alt>`
  const ls = [
    ['model', meta.model],
    ['version', meta.version],
    ['weightsSha256', meta.weightsSha256],
    ['seed', meta.seed],
    ['roomX', String(meta.room.x)],
    ['roomZ', String(meta.room.z)],
    ['slot', meta.slot],
    ['family', meta.family],
    ['guidance', meta.guidance],
    ['map', meta.map],
    ['url', meta.url],
  ]
    .filter((kv): kv is [string, string] => kv[1] !== undefined)
    .map(([k, v]) => `   <latentscape:${k}>${e(v)}</latentscape:${k}>`)
  return [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '  <rdf:Description rdf:about=""',
    '    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"',
    '    xmlns:dc="http://purl.org/dc/elements/1.1/"',
    '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
    '    xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/"',
    `    xmlns:latentscape="${LATENTSCAPE_XMP_NS}">`,
    `   <Iptc4xmpExt:DigitalSourceType>${DIGITAL_SOURCE_TYPE_TRAINED}</Iptc4xmpExt:DigitalSourceType>`,
    `   <xmp:CreatorTool>${e(`${PROVENANCE_SOFTWARE} (${meta.version})`)}</xmp:CreatorTool>`,
    `   <dc:description>${alt(AI_TEXTURE_NOTE)}</dc:description>`,
    `   <dc:source>${e(meta.url)}</dc:source>`,
    `   <dc:rights>${alt(`Licence: ${licenceOf(meta)}`)}</dc:rights>`,
    `   <xmpRights:UsageTerms>${alt(`${licenceOf(meta)}; generated by the ${meta.model} model of ${PROVENANCE_SOFTWARE}`)}</xmpRights:UsageTerms>`,
    ...ls,
    '  </rdf:Description>',
    ' </rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="r"?>',
  ].join('\n')
}

/** An iTXt chunk: keyword\0, compression flag 0, method 0, language tag\0, translated keyword\0, UTF-8 text. */
function itxtChunk(keyword: string, text: string): Chunk {
  const key = _utf8Encoder.encode(keyword) // keywords here are ASCII, so UTF-8 = Latin-1
  const body = _utf8Encoder.encode(text)
  const data = new Uint8Array(key.length + 5 + body.length)
  data.set(key, 0)
  // [key.length] = 0 (separator), then compression flag 0, compression method 0, empty language tag + its NUL,
  // empty translated keyword + its NUL: five zero bytes in all (a fresh Uint8Array is zero-filled).
  data.set(body, key.length + 5)
  return { name: 'iTXt', data }
}

/** Decode an uncompressed iTXt chunk to keyword and text; compressed ones are skipped (this module never writes them). */
function readItxt(data: Uint8Array): { keyword: string; text: string } | undefined {
  const k = data.indexOf(0)
  if (k < 1 || k + 2 >= data.length || data[k + 1] !== 0) return undefined
  const lang = data.indexOf(0, k + 3)
  if (lang < 0) return undefined
  const translated = data.indexOf(0, lang + 1)
  if (translated < 0) return undefined
  return {
    keyword: _latin1Decoder.decode(data.subarray(0, k)),
    text: _utf8Decoder.decode(data.subarray(translated + 1)),
  }
}

// NUL cannot appear in tEXt and would end a reader's string early: replace it (no real value holds one).
const clean = (text: string) => text.replace(/\0/g, '\uFFFD')

/** tEXt for printable ASCII (every reader shows it), UTF-8 iTXt for anything else. */
function textChunk(keyword: string, value: string): Chunk {
  const text = clean(value)
  return /^[\x20-\x7e\t\n]*$/.test(text) ? (pngText.encode(keyword, text) as Chunk) : itxtChunk(keyword, text)
}

function chunksOf(png: Uint8Array): Chunk[] {
  let chunks: Chunk[]
  try {
    chunks = extractChunks(png)
  } catch (e) {
    throw new Error(`not a PNG: ${(e as Error).message}`)
  }
  if (chunks.length < 2 || chunks[0].name !== 'IHDR' || chunks[chunks.length - 1].name !== 'IEND')
    throw new Error('not a PNG: no IHDR … IEND')
  return chunks
}

const WRITTEN_KEYS = new Set<string>([...Object.values(PROVENANCE_KEYS), XMP_KEYWORD])

/** All tEXt and uncompressed iTXt entries of a PNG, by keyword (the last one wins). Throws on bytes that are not a PNG. */
export function readPngText(png: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {}
  for (const c of chunksOf(png)) {
    const entry = c.name === 'tEXt' ? readText(c.data) : c.name === 'iTXt' ? readItxt(c.data) : undefined
    if (entry !== undefined) out[entry.keyword] = entry.text
  }
  return out
}

function readText(data: Uint8Array): { keyword: string; text: string } | undefined {
  const k = data.indexOf(0)
  if (k < 1) return undefined
  return { keyword: _latin1Decoder.decode(data.subarray(0, k)), text: _latin1Decoder.decode(data.subarray(k + 1)) }
}

/**
 * Return a copy of `png` carrying `meta`: the XMP packet and the text chunks, inserted after IHDR (before the image
 * data, where XMP readers look first). Provenance chunks already present are replaced, so writing twice is safe.
 * Pixel data (IDAT) is copied unchanged. Throws on bytes that are not a PNG.
 */
export function withProvenance(png: Uint8Array, meta: Provenance): Uint8Array {
  const chunks = chunksOf(png).filter((c) => {
    const entry = c.name === 'tEXt' ? readText(c.data) : c.name === 'iTXt' ? readItxt(c.data) : undefined
    return entry === undefined || !WRITTEN_KEYS.has(entry.keyword)
  })
  const k = PROVENANCE_KEYS
  const licence = licenceOf(meta)
  const added: Chunk[] = [
    itxtChunk(XMP_KEYWORD, xmpPacket(meta)),
    textChunk(k.software, PROVENANCE_SOFTWARE),
    textChunk(k.source, `${PROVENANCE_SOFTWARE} ${meta.model} generator (${meta.version})`),
    textChunk(k.comment, AI_TEXTURE_NOTE),
    textChunk(k.description, meta.guidance === undefined ? AI_TEXTURE_NOTE : `${AI_TEXTURE_NOTE}; ${meta.guidance}`),
    textChunk(k.copyright, `Licence: ${licence}`),
    textChunk(k.model, meta.model),
    textChunk(k.version, meta.version),
    ...(meta.weightsSha256 !== undefined ? [textChunk(k.weightsSha256, meta.weightsSha256)] : []),
    textChunk(k.seed, meta.seed),
    textChunk(k.room, `${meta.room.x},${meta.room.z}`),
    textChunk(k.slot, meta.slot),
    ...(meta.family !== undefined ? [textChunk(k.family, meta.family)] : []),
    ...(meta.guidance !== undefined ? [textChunk(k.guidance, meta.guidance)] : []),
    ...(meta.map !== undefined ? [textChunk(k.map, meta.map)] : []),
    textChunk(k.url, meta.url),
    textChunk(k.licence, licence),
    textChunk(k.digitalSourceType, DIGITAL_SOURCE_TYPE_TRAINED),
  ]
  return encodeChunks([chunks[0], ...added, ...chunks.slice(1)])
}

/**
 * Read the provenance `withProvenance` wrote. Throws when the bytes are not a PNG or carry no complete Latentscape
 * provenance (model, version, seed, room, slot, url).
 */
export function readProvenance(png: Uint8Array): ReadProvenance {
  const text = readPngText(png)
  const k = PROVENANCE_KEYS
  const missing = (['model', 'version', 'seed', 'room', 'slot', 'url'] as const).filter((f) => text[k[f]] === undefined)
  if (missing.length > 0) throw new Error(`PNG has no Latentscape provenance (missing ${missing.join(', ')})`)
  const room = /^(-?\d+),(-?\d+)$/.exec(text[k.room])
  if (room === null) throw new Error('PNG provenance has a malformed room')
  const xmp = text[XMP_KEYWORD]
  const dst = xmp && /<Iptc4xmpExt:DigitalSourceType>([^<]*)<\/Iptc4xmpExt:DigitalSourceType>/.exec(xmp)
  return {
    model: text[k.model],
    version: text[k.version],
    ...(text[k.weightsSha256] !== undefined ? { weightsSha256: text[k.weightsSha256] } : {}),
    seed: text[k.seed],
    room: { x: Number(room[1]), z: Number(room[2]) },
    slot: text[k.slot],
    ...(text[k.family] !== undefined ? { family: text[k.family] } : {}),
    ...(text[k.guidance] !== undefined ? { guidance: text[k.guidance] } : {}),
    ...(text[k.map] !== undefined && isSurfaceMap(text[k.map]) ? { map: text[k.map] as SurfaceMap } : {}),
    url: text[k.url],
    licence: text[k.licence] ?? DEFAULT_LICENCE,
    ...(xmp !== undefined ? { xmp } : {}),
    ...(dst
      ? { digitalSourceType: unescapeXml(dst[1]) }
      : text[k.digitalSourceType] !== undefined
        ? { digitalSourceType: text[k.digitalSourceType] }
        : {}),
  }
}

/** The generator fields of a provenance record, as model.json's `latentscape` block (or a `GeneratorManifest`) has them. */
export interface ProvenanceModel {
  /** Generator name, e.g. `surface`. */
  model: string
  /** Generator version. */
  version: string
  /** Hex sha256 of the weights, when known. */
  weightsSha256?: string
  /** Licence of the weights and their outputs (model.json `latentscape.licence`), when known. */
  licence?: string
}

/**
 * Provenance of the texture of one room slot: the generator plus the spot's link (`encodeWorldUrl`, heading 0 unless
 * given), prefixed with `origin` (e.g. `https://latentscape.example`) when given, the material family painted when
 * there is one, and the weights' licence when `model` names it. Throws RangeError on a bad seed/room.
 */
export function roomProvenance(
  model: ProvenanceModel,
  spot: {
    seed: string
    x: number
    z: number
    slot: string
    heading?: number
    origin?: string
    family?: string
    /** The world's photo style: in the link, and `guidance` says the texture was guided by a user photo. */
    style?: WorldStyle
    /** Whether this texture was painted under the style (its slot, within reach of room 0,0). @default true */
    styled?: boolean
    /** Which map of a relief model's surface the image is. */
    map?: SurfaceMap
  },
): Provenance {
  const path = encodeWorldUrl({
    seed: spot.seed,
    x: spot.x,
    z: spot.z,
    heading: spot.heading ?? 0,
    ...(spot.style !== undefined ? { style: spot.style } : {}),
  })
  const guided = spot.style !== undefined && spot.styled !== false
  return {
    model: model.model,
    version: model.version,
    ...(model.weightsSha256 !== undefined ? { weightsSha256: model.weightsSha256 } : {}),
    seed: spot.seed,
    room: { x: spot.x, z: spot.z },
    slot: spot.slot,
    ...(spot.family !== undefined ? { family: spot.family } : {}),
    ...(guided ? { guidance: PHOTO_GUIDANCE } : {}),
    ...(spot.map !== undefined ? { map: spot.map } : {}),
    url: spot.origin !== undefined ? spot.origin.replace(/\/+$/, '') + path : path,
    ...(model.licence !== undefined ? { licence: model.licence } : {}),
  }
}
