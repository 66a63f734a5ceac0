// The test kit every chapter's suite shares.
export { RawClient, WireTimeout, readTimeoutMs } from './raw-client.ts'
export { parseResponse, header, MalformedResponse, type HttpResponse } from './http-response.ts'
export { startServer, findFreePort, otherServer, describeServerUnderTest, referenceCommand, repoRoot, type RunningServer } from './server-under-test.ts'
export { exchange, sendWith, expectResponse, expectClosed, expectBytes, explain, type Exchange, type SendMode } from './expect-wire.ts'
export { showBytes } from './show.ts'
export { browserUnavailableReason, launchBrowser, type LaunchedBrowser } from './browser.ts'
export { createSite, SECRET, type FixtureSite } from './fixture-site.ts'
export { hint } from './hint.ts'
