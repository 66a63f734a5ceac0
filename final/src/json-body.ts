// Reading a JSON request body, and the login request in it. Each way a body can be wrong has its
// own status and a message that says what to send instead; none of them is a crash.

import { HttpError } from './http-error.ts'
import { MAX_LOGIN_BODY_BYTES } from './limits.ts'


export interface LoginRequest {
  username: string
  password: string
}

/**
 * RFC 9110 §15.5.12: 411 Length Required. A request with neither Content-Length nor
 * Transfer-Encoding has no body (RFC 9112 §6.3), so a POST without one has nothing to log in with.
 * A chunked body, once decoded, carries its length as Content-Length (RFC 9112 §7.1.3).
 */
export function requireContentLength(contentLength: string | undefined): void {
  if (contentLength === undefined) throw new HttpError(411, 'a POST needs a Content-Length header with the size of its body in bytes (or Transfer-Encoding: chunked)')
}

/** The body as a JSON value: 415 if it is not labelled JSON, 400 if it is not JSON at all. */
export function readJsonBody(contentType: string | undefined, body: Buffer): unknown {
  checkJsonContentType(contentType)
  let text: string
  try {
    // RFC 8259 §8.1: JSON between systems is UTF-8. fatal: bad bytes are an error, not U+FFFD.
    text = new TextDecoder('utf-8', { fatal: true }).decode(body)
  } catch (error) {
    throw new HttpError(400, 'the body is not valid UTF-8', { cause: error })
  }
  if (text.trim() === '') throw new HttpError(400, 'the body is empty; send a JSON object')
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new HttpError(400, `the body is not valid JSON (${(error as Error).message})`, { cause: error })
  }
}

/** {"username": "...", "password": "..."}, both non-empty strings; other fields are ignored. */
export function readJsonLogin(contentType: string | undefined, body: Buffer): LoginRequest {
  if (body.length > MAX_LOGIN_BODY_BYTES) {
    throw new HttpError(413, `the login body is ${body.length} bytes; the limit is ${MAX_LOGIN_BODY_BYTES}`)
  }
  const data = readJsonBody(contentType, body)
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new HttpError(400, 'the body must be a JSON object: {"username": "...", "password": "..."}')
  }
  return { username: requireString(data, 'username'), password: requireString(data, 'password') }
}

/** RFC 9110 §8.3.1: type/subtype, case-insensitive, then optional "; name=value" parameters. */
function checkJsonContentType(contentType: string | undefined): void {
  if (contentType === undefined) throw new HttpError(415, 'the body has no Content-Type; send "Content-Type: application/json"')
  const [mediaType = '', ...parameters] = contentType.split(';')
  if (mediaType.trim().toLowerCase() !== 'application/json') {
    throw new HttpError(415, `the body is labelled ${JSON.stringify(mediaType.trim())}; send "Content-Type: application/json"`)
  }
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=', 2).map((part) => part.trim())
    const charset = value.replace(/^"(.*)"$/, '$1').toLowerCase()
    if (name.toLowerCase() === 'charset' && charset !== 'utf-8' && charset !== 'utf8') {
      throw new HttpError(415, `the body is labelled charset=${value}; JSON is sent as UTF-8 (RFC 8259 §8.1)`)
    }
  }
}

function requireString(data: object, field: string): string {
  const value: unknown = Object.hasOwn(data, field) ? Reflect.get(data, field) : undefined
  if (value === undefined) throw new HttpError(400, `the field "${field}" is missing`)
  if (typeof value !== 'string') throw new HttpError(400, `the field "${field}" must be a string, not ${kindOf(value)}`)
  if (value === '') throw new HttpError(400, `the field "${field}" is empty`)
  return value
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}
