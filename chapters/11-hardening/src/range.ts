// Range requests (RFC 9110 §14): "Range: bytes=500-999" asks for part of a file. A download that
// broke off asks for the rest; a video player that seeks asks for the bytes at the new position.

export interface ByteRange {
  /** The offset of the first byte. */
  start: number
  /** The offset of the last byte, included, as Content-Range writes it. */
  end: number
}

// RFC 9110 §14.1.2: "first-last", "first-" or the suffix "-length"; the unit is case-insensitive (§14.1).
const SINGLE_RANGE = /^bytes=[ \t]*(\d*)-(\d*)[ \t]*$/i

/**
 * The range a Range header asks for in a file of `size` bytes; 'unsatisfiable' when not one of
 * its bytes is in the file (416); undefined when the header is to be ignored and the whole file
 * sent (RFC 9110 §14.2): it is not valid, or it asks for several ranges, which this server
 * does not serve (a server MAY ignore Range).
 */
export function parseRange(header: string, size: number): ByteRange | 'unsatisfiable' | undefined {
  const match = SINGLE_RANGE.exec(header)
  if (!match) return undefined
  const [, first = '', last = ''] = match
  if (first === '') {
    if (last === '') return undefined // "bytes=-": no number at all
    // RFC 9110 §14.1.3: the last `length` bytes, or the whole file when it is shorter.
    const length = Number(last)
    if (length === 0 || size === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - length), end: size - 1 }
  }
  const start = Number(first)
  if (last !== '' && Number(last) < start) return undefined // §14.1.1: a last before the first is invalid
  if (start >= size) return 'unsatisfiable' // §14.1.3: satisfiable only when the first byte exists
  // §14.1.2: a last byte past the end, or none, means "to the end".
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) }
}
