// Passwords are never stored, only a slow, salted hash of them: a stolen users file then costs an
// attacker scrypt's time and memory for every guess, for every user separately.

import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'

// scrypt's cost (RFC 7914 §2): N is the CPU/memory cost, r the block size, p the parallelism.
// Memory is 128 * N * r bytes = 32 MiB; one hash takes about 90 ms on a 2-core laptop. Raise N as
// machines get faster: old hashes still verify, because each one records its own parameters.
const SCRYPT_N = 2 ** 15
const SCRYPT_R = 8
const SCRYPT_P = 1
const SALT_BYTES = 16 // 128 bits: no two users share a salt, so no guess is tried on two at once
const KEY_BYTES = 32 // 256-bit hash

// What a stored hash may ask for: a corrupt or hostile users file must not make one login
// allocate gigabytes.
const MAX_N = 2 ** 20
const MAX_R = 32
const MAX_P = 16

interface ParsedHash {
  N: number
  r: number
  p: number
  salt: Buffer
  hash: Buffer
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64: the format names its own algorithm and cost. */
export function hashPassword(password: string): string {
  const salt = randomBytes(SALT_BYTES)
  const hash = derive(password, salt, KEY_BYTES, SCRYPT_N, SCRYPT_R, SCRYPT_P)
  return ['scrypt', SCRYPT_N, SCRYPT_R, SCRYPT_P, salt.toString('base64'), hash.toString('base64')].join('$')
}

/** True if the password hashes to the stored hash. False for a wrong password or a malformed hash. */
export function verifyPassword(password: string, stored: string): boolean {
  const parsed = parseHash(stored)
  if (!parsed) return false
  const candidate = derive(password, parsed.salt, parsed.hash.length, parsed.N, parsed.r, parsed.p)
  // Compare every byte whatever the first difference: `===` stops early, and how early leaks.
  return timingSafeEqual(candidate, parsed.hash)
}

/** Whether a string is a hash this module can check, so a users file can be rejected at start. */
export function isPasswordHash(stored: string): boolean {
  return parseHash(stored) !== undefined
}

// A stored hash that no password matches: random bytes in place of the hash, with our usual cost.
// Checking a login for an unknown user against it costs the same scrypt as a wrong password, so
// the time of the answer does not say which usernames exist; and making it costs nothing at start.
export const DUMMY_HASH = ['scrypt', SCRYPT_N, SCRYPT_R, SCRYPT_P, randomBytes(SALT_BYTES).toString('base64'), randomBytes(KEY_BYTES).toString('base64')].join('$')

function derive(password: string, salt: Buffer, keyBytes: number, N: number, r: number, p: number): Buffer {
  // NFC: "é" typed as one code point or as "e" plus an accent is the same password.
  // maxmem: Node's default (32 MiB) is just below what N = 2^15, r = 8 needs.
  return scryptSync(password.normalize('NFC'), salt, keyBytes, { N, r, p, maxmem: 256 * N * r })
}

function parseHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined
  const [N, r, p] = parts.slice(1, 4).map((part) => (/^\d{1,9}$/.test(part) ? Number(part) : NaN)) as [number, number, number]
  const isPowerOfTwo = N > 1 && (N & (N - 1)) === 0
  if (!isPowerOfTwo || N > MAX_N || !(r >= 1 && r <= MAX_R) || !(p >= 1 && p <= MAX_P)) return undefined
  const salt = decodeBase64(parts[4]!)
  const hash = decodeBase64(parts[5]!)
  if (!salt || salt.length < 8 || !hash || hash.length < 16 || hash.length > 64) return undefined
  return { N, r, p, salt, hash }
}

/** Strict base64: Buffer.from would skip characters it does not know and decode the rest. */
function decodeBase64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return undefined
  return Buffer.from(text, 'base64')
}
