// Unit test of the reference content-coding rules (skipped when WORKBOOK_SERVER tests your own server).

import { describe, expect, it } from 'vitest'
import { hint, otherServer } from '../../../scripts/kit/index.ts'
import { chooseContentCoding, codedEtag, isCompressible, parseAcceptEncoding } from '../src/content-coding.ts'

describe.skipIf(otherServer)('chooseContentCoding', hint('chapters/10-chunked-and-compression/README.md#choosing-a-coding'), () => {
  // [Accept-Encoding, the coding chosen]: RFC 9110 §12.5.3, ties to br, then gzip, then identity.
  const CASES: [string | undefined, string][] = [
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip;q=0, br', 'br'],
    ['br;q=0.1, gzip;q=0.9', 'gzip'],
    ['GZIP;Q=0.5', 'gzip'],
    ['x-gzip', 'gzip'],
    ['*', 'br'],
    ['br;q=0, *', 'gzip'],
    ['*;q=0', 'identity'],
    ['*;q=0, identity', 'identity'],
    ['identity;q=0', 'identity'],
    ['gzip;q=0.5, identity', 'identity'],
    ['deflate, compress', 'identity'],
  ]
  for (const [header, coding] of CASES) {
    it(`${JSON.stringify(header)} → ${coding}`, () => {
      expect(chooseContentCoding(header)).toBe(coding)
    })
  }

  it('reads weights, clamps them to 0..1, and takes an unreadable one as 1', () => {
    expect([...parseAcceptEncoding('gzip;q=0.8, br ; q = 0, zstd;q=2, x;q=abc')]).toEqual([['gzip', 0.8], ['br', 0], ['zstd', 1], ['x', 1]])
  })
})

describe.skipIf(otherServer)('isCompressible and codedEtag', hint('chapters/10-chunked-and-compression/README.md#what-not-to-compress'), () => {
  it('text of 1 KiB or more, not images, fonts or archives', () => {
    expect(isCompressible('text/css; charset=utf-8', 5000)).toBe(true)
    expect(isCompressible('image/svg+xml; charset=utf-8', 2000)).toBe(true)
    expect(isCompressible('text/css; charset=utf-8', 1023)).toBe(false)
    for (const type of ['image/png', 'font/woff2', 'application/octet-stream', 'application/pdf']) expect(isCompressible(type, 100_000)).toBe(false)
  })

  it('puts the coding inside the quotes', () => {
    expect(codedEtag('"19384a7c3e1-1549"', 'gzip')).toBe('"19384a7c3e1-1549-gzip"')
    expect(codedEtag('"19384a7c3e1-1549"', 'identity')).toBe('"19384a7c3e1-1549"')
  })
})
