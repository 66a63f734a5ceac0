// Adds a user to a users file, or gives an existing one a new password, with a fresh scrypt hash:
//   npx tsx scripts/add-user.ts --users chapters/06-login-post/users.json dongdong let-me-in Dong Dong
// A password of "-" is read from the first line of stdin, so it stays out of the shell history.

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { hashPassword } from '../chapters/06-login-post/src/passwords.ts'
import { parseUsers, type User } from '../chapters/06-login-post/src/users.ts'
import { readArgs } from './lib/cli.ts'

const USAGE = 'npx tsx scripts/add-user.ts --users FILE USERNAME PASSWORD|- [DISPLAY NAME]'

try {
  const { values, positionals } = readArgs({ users: { type: 'string' } }, USAGE)
  const file = values.users ?? process.env.USERS
  const [username, passwordArg, ...nameWords] = positionals
  if (!file || !username || !passwordArg) throw new Error(`Usage: ${USAGE}`)
  const password = passwordArg === '-' ? readStdinLine() : passwordArg
  if (password === '') throw new Error('the password is empty')

  const users: User[] = existsSync(file) ? parseUsers(readFileSync(file, 'utf8'), file) : []
  const existing = users.find((user) => user.username === username)
  const displayName = nameWords.join(' ') || existing?.displayName || username
  const user: User = { username, displayName, passwordHash: hashPassword(password) }
  if (existing) users[users.indexOf(existing)] = user
  else users.push(user)

  // Write a new file and rename it over the old one: a crash halfway leaves the old file whole.
  writeFileSync(`${file}.tmp`, `${JSON.stringify(users, null, 2)}\n`)
  renameSync(`${file}.tmp`, file)
  console.log(`${existing ? 'updated' : 'added'} ${username} (${displayName}) in ${file}`)
} catch (error) {
  console.error((error as Error).message)
  process.exit(1)
}

function readStdinLine(): string {
  return readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? ''
}
