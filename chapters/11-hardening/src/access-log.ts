// One line per request in the Common Log Format, as Apache and nginx write it:
//   127.0.0.1 - - [24/Nov/2026:07:51:11 +0000] "GET /index.html HTTP/1.1" 200 792

import { MONTHS, two } from './http-date.ts'

export function formatAccessLog(client: string, time: Date, requestLine: string, status: number, bytes: number): string {
  const when = `${two(time.getUTCDate())}/${MONTHS[time.getUTCMonth()]}/${time.getUTCFullYear()}:${two(time.getUTCHours())}:${two(time.getUTCMinutes())}:${two(time.getUTCSeconds())} +0000`
  // The request line is the client's text: escape quotes and control bytes so a line stays a line.
  const request = requestLine.replace(/["\\\x00-\x1f\x7f-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  return `${client} - - [${when}] "${request}" ${status} ${bytes > 0 ? bytes : '-'}`
}
