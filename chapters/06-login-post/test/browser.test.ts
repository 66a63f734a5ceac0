// Chapter 06, end to end in a real browser (headless Chromium): the login page, served by the
// chapter's server, logs in, survives a reload, logs out, and shows a wrong password's error.
// Screenshots of each state go to test-results/06-login-post/ (not committed).

import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { browserUnavailableReason, launchBrowser, type LaunchedBrowser } from '../../../scripts/kit/browser.ts'
import { hint, repoRoot, startServer, type RunningServer } from '../../../scripts/kit/index.ts'

const CHAPTER = path.join(repoRoot, 'chapters', '06-login-post')
const SHOTS = path.join(repoRoot, 'test-results', '06-login-post')
const unavailable = browserUnavailableReason()

let server: RunningServer
let browser: LaunchedBrowser
let page: Page
const consoleErrors: string[] = []
const stepsDone: string[] = [] // the steps that ran to their end: the last test means nothing without them

describe.skipIf(unavailable)('the login page in Chromium', hint('chapters/06-login-post/README.md#the-page'), () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    server = await startServer({ reference: 'chapters/06-login-post', root: path.join(CHAPTER, 'resources'), users: path.join(CHAPTER, 'users.json') })
    browser = await launchBrowser()
    page = await browser.context.newPage()
    page.on('pageerror', (error) => consoleErrors.push(String(error)))
    page.on('console', (message) => {
      // A logged-out page asks GET /api/me and gets 401 by design; Chromium logs that as an error.
      if (message.type() === 'error' && !/401/.test(message.text())) consoleErrors.push(message.text())
    })
    // Nothing may leave for another host: the page must work offline.
    await page.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => {
      consoleErrors.push(`request to another host: ${route.request().url()}`)
      return route.abort()
    })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  const url = () => `http://127.0.0.1:${server.port}/`
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true })

  it('shows the form, with labelled fields', async () => {
    await page.goto(url())
    await expect(page.getByLabel('Username').isVisible()).resolves.toBe(true)
    await expect(page.getByLabel('Password').isVisible()).resolves.toBe(true)
    await shot('1-form')
    stepsDone.push('1-form')
  })

  it('a wrong password shows the server\'s error and stays on the form', async () => {
    await page.getByLabel('Username').fill('dongdong')
    await page.getByLabel('Password').fill('not-the-password')
    await page.getByLabel('Password').press('Enter') // the keyboard is enough
    await page.locator('#status', { hasText: 'Wrong username or password' }).waitFor()
    expect(await page.locator('#login-panel').isVisible()).toBe(true)
    await shot('2-wrong-password')
    stepsDone.push('2-wrong-password')
  })

  it('the demo account logs in and sees the welcome with its name', hint('chapters/06-login-post/README.md#sessions-and-the-cookie'), async () => {
    await page.getByLabel('Password').fill('let-me-in')
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.locator('#welcome-title', { hasText: 'Welcome, Dong Dong' }).waitFor()
    const cookies = await browser.context.cookies(url())
    const sid = cookies.find((cookie) => cookie.name === 'sid')
    expect(sid, 'The session cookie').toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' })
    expect(await page.evaluate('document.cookie'), 'HttpOnly hides the cookie from scripts').toBe('')
    await shot('3-welcome')
    stepsDone.push('3-welcome')
  })

  it('after a reload, the user is still logged in', hint('chapters/06-login-post/README.md#sessions-and-the-cookie'), async () => {
    await page.reload()
    await page.locator('#welcome-title', { hasText: 'Welcome, Dong Dong' }).waitFor()
    await shot('4-reloaded')
    stepsDone.push('4-reloaded')
  })

  it('logging out shows the form again, and a reload keeps it that way', hint('chapters/06-login-post/README.md#sessions-and-the-cookie'), async () => {
    await page.getByRole('button', { name: 'Log out' }).click()
    await page.locator('#login-panel').waitFor({ state: 'visible' })
    await page.reload()
    await page.locator('#login-panel').waitFor({ state: 'visible' })
    expect(await page.locator('#welcome-panel').isVisible()).toBe(false)
    await shot('5-logged-out')
    stepsDone.push('5-logged-out')
  })

  it('no console errors and no request to another host along the way', () => {
    expect(stepsDone, 'the walk above must have run to its end for "no errors along the way" to mean anything').toEqual(['1-form', '2-wrong-password', '3-welcome', '4-reloaded', '5-logged-out'])
    expect(consoleErrors).toEqual([])
  })
})
