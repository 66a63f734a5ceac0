// Unit tests of the reference login pieces: password hashes, the user file, sessions and
// cookies, and reading a JSON login body (skipped when WORKBOOK_SERVER tests your own server).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { otherServer } from '../../../scripts/kit/index.ts'
import { HttpError } from '../src/http-error.ts'
import { readJsonLogin, requireContentLength } from '../src/json-body.ts'
import { DUMMY_HASH, hashPassword, isPasswordHash, verifyPassword } from '../src/passwords.ts'
import { SESSION_TTL_MS, SessionStore, clearedSessionCookie, parseCookies, sessionCookie } from '../src/sessions.ts'
import { UserStore, loadUsers, parseUsers } from '../src/users.ts'

const DEMO_USERS = path.join(import.meta.dirname, '..', 'users.json')

describe.skipIf(otherServer)('passwords', () => {
  const stored = hashPassword('let-me-in')

  it('stores scrypt with its parameters, salt and hash, never the password', () => {
    expect(stored).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/)
    expect(stored).not.toContain('let-me-in')
  })

  it('verifies the right password and rejects a wrong one', () => {
    expect(verifyPassword('let-me-in', stored)).toBe(true)
    expect(verifyPassword('let-me-out', stored)).toBe(false)
    expect(verifyPassword('', stored)).toBe(false)
  })

  it('salts each hash: the same password never hashes the same twice', () => {
    expect(hashPassword('let-me-in')).not.toBe(stored)
  })

  it('treats a password typed with a combining accent as the same password (NFC)', () => {
    expect(verifyPassword('cafe\u0301', hashPassword('caf\u00e9'))).toBe(true)
  })

  it('rejects malformed or greedy hashes instead of throwing or hashing forever', () => {
    const [, , r, p, salt, hash] = stored.split('$')
    for (const bad of ['', 'let-me-in', stored.replace('scrypt', 'md5'), stored.slice(0, -1), `scrypt$${2 ** 30}$${r}$${p}$${salt}$${hash}`, `scrypt$1000$${r}$${p}$${salt}$${hash}`]) {
      expect(isPasswordHash(bad)).toBe(false)
      expect(verifyPassword('let-me-in', bad)).toBe(false)
    }
    expect(isPasswordHash(DUMMY_HASH)).toBe(true)
  })
})

describe.skipIf(otherServer)('users', () => {
  it('the demo file holds dongdong, password let-me-in, as the README says', () => {
    const user = loadUsers(DEMO_USERS).checkCredentials('dongdong', 'let-me-in')
    expect(user).toMatchObject({ username: 'dongdong', displayName: 'Dong Dong' })
  })

  it('checks credentials: the right password gives the user, anything else undefined', () => {
    const users = new UserStore([{ username: 'ada', displayName: 'Ada', passwordHash: hashPassword('engine') }])
    expect(users.checkCredentials('ada', 'engine')?.displayName).toBe('Ada')
    expect(users.checkCredentials('ada', 'Engine')).toBeUndefined()
    expect(users.checkCredentials('Ada', 'engine')).toBeUndefined()
    expect(users.checkCredentials('nobody', 'engine')).toBeUndefined()
  })

  it('spends one hash on an unknown user too, against the dummy hash', () => {
    const users = new UserStore([{ username: 'ada', displayName: 'Ada', passwordHash: hashPassword('engine') }])
    const checked: string[] = []
    const counting = (password: string, stored: string) => {
      checked.push(stored)
      return verifyPassword(password, stored)
    }
    expect(users.checkCredentials('nobody', 'wrong', counting)).toBeUndefined()
    // Skipping the hash would answer an unknown user about 1000 times faster than a wrong password.
    expect(checked).toEqual([DUMMY_HASH])
  })

  it('stops at start on a broken users file, naming the entry', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'users-'))
    try {
      const file = path.join(dir, 'users.json')
      writeFileSync(file, '[{"username": "ada", "passwordHash": "plain-text"}]')
      expect(() => loadUsers(file)).toThrow(/user 1 \(ada\) has no valid "passwordHash"/)
    } finally {
      rmSync(dir, { recursive: true })
    }
    expect(() => parseUsers('{}')).toThrow(/array/)
    expect(() => parseUsers('[{"username": "a", "passwordHash": "' + DUMMY_HASH + '"}, {"username": "a", "passwordHash": "' + DUMMY_HASH + '"}]')).toThrow(/twice/)
  })
})

describe.skipIf(otherServer)('sessions', () => {
  it('creates long random ids, finds them, and ends them', () => {
    const sessions = new SessionStore()
    const id = sessions.createSession('dongdong')
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/) // 32 bytes in base64url
    expect(sessions.createSession('dongdong')).not.toBe(id)
    expect(sessions.lookupSession(id)?.username).toBe('dongdong')
    sessions.endSession(id)
    expect(sessions.lookupSession(id)).toBeUndefined()
    expect(sessions.lookupSession(undefined)).toBeUndefined()
    expect(sessions.lookupSession('made-up')).toBeUndefined()
  })

  it('expires a session after its time to live', () => {
    let now = 1_000_000
    const sessions = new SessionStore({ now: () => now })
    const id = sessions.createSession('dongdong')
    now += SESSION_TTL_MS - 1
    expect(sessions.lookupSession(id)).toBeDefined()
    now += 1
    expect(sessions.lookupSession(id)).toBeUndefined()
  })

  it('keeps at most maxSessions, dropping the oldest', () => {
    const sessions = new SessionStore({ maxSessions: 2 })
    const [first, second, third] = ['a', 'b', 'c'].map((name) => sessions.createSession(name))
    expect(sessions.size).toBe(2)
    expect(sessions.lookupSession(first)).toBeUndefined()
    expect(sessions.lookupSession(second)?.username).toBe('b')
    expect(sessions.lookupSession(third)?.username).toBe('c')
  })

  it('finds the session named by a Cookie header', () => {
    const sessions = new SessionStore()
    const id = sessions.createSession('dongdong')
    expect(sessions.sessionFromCookies(`theme=dark; sid=${id}`)?.username).toBe('dongdong')
    expect(sessions.sessionFromCookies(undefined)).toBeUndefined()
  })
})

describe.skipIf(otherServer)('cookies', () => {
  it('parses a Cookie header: spaces, quotes, and the first of a repeated name', () => {
    const cookies = parseCookies(' a=1;b="two" ; novalue; c=x=y; a=3; =empty')
    expect([...cookies]).toEqual([['a', '1'], ['b', 'two'], ['c', 'x=y']])
    expect(parseCookies(undefined).size).toBe(0)
  })

  it('sets the session cookie HttpOnly, SameSite=Strict, for the whole site, for 8 hours', () => {
    expect(sessionCookie('abc')).toBe('sid=abc; HttpOnly; SameSite=Strict; Path=/; Max-Age=28800')
  })

  it('clears it with the same name and Path and Max-Age=0', () => {
    expect(clearedSessionCookie()).toBe('sid=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0')
  })
})

describe.skipIf(otherServer)('reading a JSON login body', () => {
  const body = (text: string) => Buffer.from(text)
  const status = (run: () => unknown): [number, string] => {
    try {
      run()
    } catch (error) {
      if (error instanceof HttpError) return [error.status, error.message]
      throw error
    }
    throw new Error('expected an HttpError')
  }

  it('reads username and password, with or without a charset', () => {
    const login = { username: 'dongdong', password: 'let-me-in' }
    expect(readJsonLogin('application/json', body(JSON.stringify(login)))).toEqual(login)
    expect(readJsonLogin('Application/JSON; charset="UTF-8"', body(JSON.stringify({ ...login, remember: true })))).toEqual(login)
  })

  it('answers 411 without a Content-Length, and 413 for a body far larger than a login', () => {
    expect(status(() => requireContentLength(undefined))[0]).toBe(411)
    expect(() => requireContentLength('0')).not.toThrow()
    expect(status(() => readJsonLogin('application/json', Buffer.alloc(100_000, 0x20)))[0]).toBe(413)
  })

  it('answers 415 when the body is not labelled JSON', () => {
    expect(status(() => readJsonLogin(undefined, body('{}')))[0]).toBe(415)
    expect(status(() => readJsonLogin('application/x-www-form-urlencoded', body('username=a&password=b')))).toEqual([415, expect.stringContaining('application/json')])
    expect(status(() => readJsonLogin('application/json; charset=latin1', body('{}')))[0]).toBe(415)
  })

  it('answers 400 for a body that is not JSON, or not UTF-8, or not an object', () => {
    expect(status(() => readJsonLogin('application/json', body('{"username": "a",')))).toEqual([400, expect.stringMatching(/not valid JSON/)])
    expect(status(() => readJsonLogin('application/json', body('')))).toEqual([400, expect.stringMatching(/empty/)])
    expect(status(() => readJsonLogin('application/json', Buffer.from([0x22, 0xff, 0x22])))).toEqual([400, expect.stringMatching(/UTF-8/)])
    for (const notObject of ['null', '[]', '"dongdong"', '42']) expect(status(() => readJsonLogin('application/json', body(notObject)))[0]).toBe(400)
  })

  it('answers 400 naming the field that is missing, empty, or not a string', () => {
    expect(status(() => readJsonLogin('application/json', body('{"password": "x"}')))).toEqual([400, 'the field "username" is missing'])
    expect(status(() => readJsonLogin('application/json', body('{"username": "", "password": "x"}')))).toEqual([400, 'the field "username" is empty'])
    expect(status(() => readJsonLogin('application/json', body('{"username": "a", "password": 123}')))).toEqual([400, 'the field "password" must be a string, not a number'])
    expect(status(() => readJsonLogin('application/json', body('{"__proto__": {"username": "a", "password": "b"}}')))[0]).toBe(400)
  })
})
