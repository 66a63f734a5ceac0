// Unit test of the reference formatHttpDate (skipped when WORKBOOK_SERVER tests your own server).

import { describe, expect, it } from 'vitest'
import { otherServer } from '../../../scripts/kit/index.ts'
import { formatHttpDate } from '../src/http-date.ts'

describe.skipIf(otherServer)('formatHttpDate', () => {
  it('writes the example of RFC 9110 §5.6.7', () => {
    expect(formatHttpDate(new Date(Date.UTC(1994, 10, 6, 8, 49, 37)))).toBe('Sun, 06 Nov 1994 08:49:37 GMT')
  })

  it('agrees with Date.prototype.toUTCString over a year of dates', () => {
    for (let day = 0; day < 366; day++) {
      const date = new Date(Date.UTC(2024, 0, 1, day % 24, day % 60, (day * 7) % 60) + day * 86_400_000)
      expect(formatHttpDate(date)).toBe(date.toUTCString())
    }
  })
})
