// Content codings (RFC 9110 §8.4): the same file sent compressed, when the client says it can
// decode it (Accept-Encoding, §12.5.3). Which coding, whether to bother, and the coded copy's ETag.

import { constants, createBrotliCompress, createGzip } from 'node:zlib'
import type { Transform } from 'node:stream'
import { BROTLI_QUALITY, MIN_COMPRESS_BYTES } from './limits.ts'

export type ContentCoding = 'br' | 'gzip' | 'identity'


// The server's preference when the client likes several equally (§12.5.3 leaves ties to the server).
const PREFERRED: ContentCoding[] = ['br', 'gzip']
// A precompressed copy beside the file, as nginx's gzip_static and brotli_static look for it.
export const SIBLING_EXTENSIONS: Record<string, string> = { br: '.br', gzip: '.gz' }

// Text compresses to a third or less. Images, fonts (woff2), archives and video are compressed
// already: a second pass costs CPU and saves nothing, or adds a few bytes.
const COMPRESSIBLE_TYPE = /^(text\/|application\/(json|javascript|xml|wasm)|image\/svg\+xml)/

/** Worth compressing: a type that shrinks, and enough bytes for the saving to matter. */
export function isCompressible(contentType: string, size: number): boolean {
  return size >= MIN_COMPRESS_BYTES && COMPRESSIBLE_TYPE.test(contentType)
}

/**
 * RFC 9110 §12.5.3: the coding to send. A coding is acceptable when it is listed with q > 0, or
 * "*" is and it is not listed; identity too, unless "identity;q=0", or "*;q=0" without identity.
 * The highest q wins, ties go to the server's order (br, gzip, then identity). When nothing is
 * acceptable, identity anyway: the RFC's SHOULD since RFC 7231 dropped the 406. No header at all
 * means "no preference", and clients that send none often cannot decode: identity.
 */
export function chooseContentCoding(acceptEncoding: string | undefined): ContentCoding {
  if (acceptEncoding === undefined) return 'identity'
  const weights = parseAcceptEncoding(acceptEncoding)
  // Identity, unlisted, is acceptable but the least wanted: any coding listed with q > 0 beats it.
  const weightOf = (coding: string) => weights.get(coding) ?? weights.get('*') ?? (coding === 'identity' ? 0.0001 : 0)
  let best: ContentCoding = 'identity'
  for (const coding of [...PREFERRED].reverse()) {
    if (weightOf(coding) > 0 && weightOf(coding) >= weightOf(best)) best = coding
  }
  return best
}

/** "gzip;q=0.8, br, *;q=0" as coding -> weight; names lower-case, x-gzip is gzip (§8.4.1.3). */
export function parseAcceptEncoding(value: string): Map<string, number> {
  const weights = new Map<string, number>()
  for (const member of value.split(',')) {
    const [name = '', ...params] = member.split(';').map((part) => part.trim().toLowerCase())
    if (name === '') continue
    const q = params.find((param) => /^q\s*=/.test(param))
    // RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ); anything else counts as 1.
    const weight = q === undefined ? 1 : Number(q.replace(/^q\s*=\s*/, ''))
    weights.set(name === 'x-gzip' ? 'gzip' : name, Number.isFinite(weight) ? Math.min(Math.max(weight, 0), 1) : 1)
  }
  return weights
}

/**
 * RFC 9110 §8.8.3: the compressed bytes are another representation, so they need another entity
 * tag: the file's, with the coding inside the quotes ("...-gzip").
 */
export function codedEtag(etag: string, coding: ContentCoding): string {
  return coding === 'identity' ? etag : `${etag.slice(0, -1)}-${coding}"`
}

/** A stream that compresses with the coding: bytes in, coded bytes out, length unknown until the end. */
export function createCompressor(coding: 'br' | 'gzip'): Transform {
  if (coding === 'gzip') return createGzip()
  return createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } })
}
