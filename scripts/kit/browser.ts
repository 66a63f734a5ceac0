// A real browser for the suites that check a page end to end: the system's Chromium, driven by
// playwright-core (which never downloads a browser of its own), with a fresh profile each time.
//   const reason = browserUnavailableReason()
//   describe.skipIf(reason)('the login page', () => { ... await launchBrowser() ... })

import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import type { BrowserContext } from 'playwright-core'

export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const LAUNCH_TIMEOUT_MS = 30_000 // 30 s: a cold Chromium start on a slow CI machine

// Quiet and offline: no sandbox (CI containers run as root without user namespaces), no GPU, and
// nothing that phones home, so a test's only traffic is to the server under test.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export interface LaunchedBrowser {
  context: BrowserContext
  /** Close the browser and delete its profile. */
  close(): Promise<void>
}

export async function launchBrowser(): Promise<LaunchedBrowser> {
  // Loaded here, not at the top: a suite that only asks browserUnavailableReason() must load
  // even where playwright-core is not installed.
  const { chromium } = await import('playwright-core')
  const profile = mkdtempSync(path.join(os.tmpdir(), 'workbook-chromium-'))
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: LAUNCH_TIMEOUT_MS,
    })
    return {
      context,
      async close() {
        await context.close().catch(() => {}) // already closed, or the browser crashed
        rmSync(profile, { recursive: true, force: true })
      },
    }
  } catch (error) {
    rmSync(profile, { recursive: true, force: true })
    throw error
  }
}

let reason: string | undefined | null = null // null: not checked yet

/**
 * Why a browser test cannot run here, or undefined if it can. The first time there is a reason,
 * it is printed once, so a skipped suite says why instead of passing silently.
 */
export function browserUnavailableReason(): string | undefined {
  if (reason !== null) return reason
  reason = findReason()
  if (reason) console.warn(`Skipping the browser tests: ${reason}.`)
  return reason
}

function findReason(): string | undefined {
  try {
    createRequire(import.meta.url).resolve('playwright-core')
  } catch {
    return 'playwright-core is not installed (run npm install)'
  }
  try {
    accessSync(chromiumPath, constants.X_OK)
  } catch {
    return `no Chromium at ${chromiumPath} (install it, or set CHROMIUM_PATH to its executable)`
  }
  return undefined
}
