// RFC 9110 §5.6.7: HTTP dates are IMF-fixdate, always in GMT: "Sun, 06 Nov 1994 08:49:37 GMT".

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** A day, hour, minute or second as two digits: 7 -> "07". */
export function two(n: number): string {
  return String(n).padStart(2, '0')
}

/** Uses the UTC fields: a local time with no zone would be wrong by the server's offset. */
export function formatHttpDate(date = new Date()): string {
  return `${DAYS[date.getUTCDay()]}, ${two(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} GMT`
}

let cachedSecond = -1
let cachedDate = ''

/** The Date header for now, formatted once a second, not once a response (README "The Date, once a second"). */
export function httpDateNow(): string {
  const second = Math.floor(Date.now() / 1000)
  if (second !== cachedSecond) {
    cachedSecond = second
    cachedDate = formatHttpDate(new Date(second * 1000))
  }
  return cachedDate
}

/** An HTTP date back to a Date, or undefined if it is not one (RFC 9110 §5.6.7). */
export function parseHttpDate(text: string): Date | undefined {
  const time = Date.parse(text)
  return Number.isNaN(time) ? undefined : new Date(time)
}
