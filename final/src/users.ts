// The accounts the server knows, read once from a JSON file at start:
// [{ "username": "...", "displayName": "...", "passwordHash": "scrypt$..." }, ...]

import { readFileSync } from 'node:fs'
import { DUMMY_HASH, isPasswordHash } from './passwords.ts'

/** Checks a password against a stored hash: on a worker thread, so the answer is a promise. */
export type PasswordVerifier = (password: string, stored: string) => Promise<boolean>

export interface User {
  username: string
  displayName: string
  passwordHash: string
}

export class UserStore {
  private readonly byName = new Map<string, User>()

  constructor(users: User[]) {
    for (const user of users) this.byName.set(user.username, user)
  }

  findUser(username: string): User | undefined {
    return this.byName.get(username)
  }

  /**
   * The user if the password is theirs. An unknown username still costs one hash, against a
   * dummy: an answer that came back faster would tell an attacker which usernames exist.
   */
  async checkCredentials(username: string, password: string, verify: PasswordVerifier): Promise<User | undefined> {
    const user = this.findUser(username)
    const matches = await verify(password, user?.passwordHash ?? DUMMY_HASH)
    return user && matches ? user : undefined
  }
}

/** Read and check a users file. A mistake in it stops the server at start, with its place named. */
export function loadUsers(file: string): UserStore {
  return new UserStore(parseUsers(readFileSync(file, 'utf8'), file))
}

export function parseUsers(text: string, source = 'the users file'): User[] {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new Error(`${source} is not valid JSON: ${(error as Error).message}`)
  }
  if (!Array.isArray(data)) throw new Error(`${source} must hold a JSON array of users`)
  const seen = new Set<string>()
  return data.map((entry: unknown, index) => {
    const where = `${source}, user ${index + 1}`
    if (typeof entry !== 'object' || entry === null) throw new Error(`${where} is not an object`)
    const { username, displayName, passwordHash } = entry as Record<string, unknown>
    if (typeof username !== 'string' || username === '') throw new Error(`${where} has no "username"`)
    if (seen.has(username)) throw new Error(`${where}: the username ${JSON.stringify(username)} appears twice`)
    seen.add(username)
    if (typeof passwordHash !== 'string' || !isPasswordHash(passwordHash)) {
      throw new Error(`${where} (${username}) has no valid "passwordHash"; make one with scripts/add-user.ts`)
    }
    const name = typeof displayName === 'string' && displayName !== '' ? displayName : username
    return { username, displayName: name, passwordHash }
  })
}
