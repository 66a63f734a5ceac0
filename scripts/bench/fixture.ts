// The files every server serves in a run, made fresh in a temporary folder: a small page, a
// 1 MiB file, and the users of chapter 06 for the login scenario.

import { randomBytes } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { repoRoot } from './servers-under-test.ts'

export const SMALL_FILE = '/small.html'
export const LARGE_FILE = '/large.bin'
export const LARGE_FILE_BYTES = 1024 * 1024 // 1 MiB
export const DEMO_LOGIN = { username: 'dongdong', password: 'let-me-in' } // in chapter 06's users.json

export interface Fixture {
  root: string
  users: string
  /** wrk's script for the login POST. */
  loginLua: string
  remove(): void
}

/** About 1 KiB of HTML, the size of a small page or an API answer. */
function smallPage(): string {
  const filler = 'Every chapter of the workbook serves this page. '.repeat(18)
  return `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>bench</title></head>\n<body><p>${filler}</p></body>\n</html>\n`
}

export function makeFixture(): Fixture {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'workbook-bench-'))
  const root = path.join(dir, 'root')
  const users = path.join(dir, 'users.json')
  const loginLua = path.join(dir, 'login.lua')
  mkdirSync(root)
  writeFileSync(path.join(root, SMALL_FILE), smallPage())
  writeFileSync(path.join(root, 'index.html'), smallPage())
  writeFileSync(path.join(root, LARGE_FILE), randomBytes(LARGE_FILE_BYTES)) // random: no compression can help
  copyFileSync(path.join(repoRoot, 'chapters/06-login-post/users.json'), users)
  const body = JSON.stringify(DEMO_LOGIN)
  writeFileSync(loginLua, `wrk.method = "POST"\nwrk.body = '${body}'\nwrk.headers["Content-Type"] = "application/json"\n`)
  return { root, users, loginLua, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
