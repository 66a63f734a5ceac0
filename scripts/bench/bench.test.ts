// The bench's own checks: its careful node:http server never serves stale bytes (the issue's
// rule for any cache), a tiny run of the bench produces a row of the table, and nginx runs from
// a private prefix and is gone after.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { RawClient, exchange, expectResponse } from '../kit/index.ts'
import { SMALL_FILE, makeFixture } from './fixture.ts'
import { nginxConfig, nginxMissing, startNginx } from './nginx.ts'
import { parseBenchArgs } from './options.ts'
import { formatGoal, isMet, type Goal } from './report.ts'
import { killAll, startProcess, stopProcess, waitForOutput, type Started } from './processes.ts'
import { RACY_WINDOW_MS } from './servers/file-cache.ts'
import { runBench } from './run.ts'
import { addFinalAt, repoRoot } from './servers-under-test.ts'
import { buildFinalAt } from './final-at.ts'
import { bundleFinal } from '../lib/bundle-final.ts'
import { planBench, findScenario } from './scenarios.ts'
import { renderMarkdown, renderTable } from './table.ts'
import type { BenchRun, Cell } from './run.ts'

const get = (file: string) => `GET /${file} HTTP/1.1\r\nHost: bench\r\n\r\n`

describe('the cached node:http server never serves stale bytes', () => {
  let root: string
  let server: Started
  let port: number

  beforeEach(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'bench-cache-'))
    writeFileSync(path.join(root, 'page.html'), 'version one\n')
    server = startProcess(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts/bench/servers/cached-server.ts'), '--port', '0', '--root', root], undefined)
    port = Number(await waitForOutput(server, /listening on http:\/\/[^\s/]+:(\d+)/, 'the cached server'))
  })

  afterEach(async () => {
    await stopProcess(server)
    rmSync(root, { recursive: true, force: true })
  })

  test('a file rewritten with bytes of another length is served new, on the same connection', async () => {
    const client = await RawClient.connect(port)
    await client.send(get('page.html'))
    expect((await client.readResponse()).body.toString()).toBe('version one\n')
    writeFileSync(path.join(root, 'page.html'), 'version two, longer\n')
    await client.send(get('page.html'))
    expect((await client.readResponse()).body.toString()).toBe('version two, longer\n')
    client.destroy()
  })

  test('a same-length rewrite right after a request is served new', async () => {
    // Write, read, rewrite within a few ms: on a coarse file clock (older kernels, FAT) size and
    // times stay the same, and only the cache's racy-window rule catches the change.
    writeFileSync(path.join(root, 'page.html'), 'version 1.0\n')
    expectResponse(await exchange(port, get('page.html')), { status: 200, body: 'version 1.0\n' })
    writeFileSync(path.join(root, 'page.html'), 'version 1.1\n')
    expectResponse(await exchange(port, get('page.html')), { status: 200, body: 'version 1.1\n', why: 'a cache keyed on size and mtime alone can miss this' })
  })

  test('a file that sat in the cache, then changed in place or by rename, is served new', async () => {
    await sleep(RACY_WINDOW_MS + 100) // old enough to be kept in the cache
    expectResponse(await exchange(port, get('page.html')), { body: 'version one\n' })
    expectResponse(await exchange(port, get('page.html')), { body: 'version one\n' }) // served from memory
    writeFileSync(path.join(root, 'page.html'), 'version two\n')
    expectResponse(await exchange(port, get('page.html')), { body: 'version two\n' })
    writeFileSync(path.join(root, 'next.tmp'), 'version three\n')
    renameSync(path.join(root, 'next.tmp'), path.join(root, 'page.html')) // how editors and deploys replace a file
    expectResponse(await exchange(port, get('page.html')), { body: 'version three\n' })
  })

  test('a symbolic link switched to another release is served from its new target', async () => {
    // The deploy pattern "current -> releases/N": the old target is unchanged, so a cache that
    // checks the path it resolved when it cached, not the path asked for, keeps serving it.
    for (const release of ['v1', 'v2']) {
      mkdirSync(path.join(root, release))
      writeFileSync(path.join(root, release, 'page.html'), `release ${release}\n`)
    }
    symlinkSync('v1', path.join(root, 'current'))
    await sleep(RACY_WINDOW_MS + 100) // old enough to be kept in the cache
    expectResponse(await exchange(port, get('current/page.html')), { body: 'release v1\n' })
    expectResponse(await exchange(port, get('current/page.html')), { body: 'release v1\n' }) // served from memory
    symlinkSync('v2', path.join(root, 'next'))
    renameSync(path.join(root, 'next'), path.join(root, 'current')) // an atomic switch, as `ln -sfn` is not
    expectResponse(await exchange(port, get('current/page.html')), { body: 'release v2\n' })
  })

  test('a symbolic link out of the root is not followed', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'bench-outside-'))
    writeFileSync(path.join(outside, 'secret.txt'), 'not for the web\n')
    symlinkSync(outside, path.join(root, 'escape'))
    expectResponse(await exchange(port, get('escape/secret.txt')), { status: 404 })
    rmSync(outside, { recursive: true, force: true })
  })

  test('a deleted file is 404, not its cached bytes', async () => {
    expectResponse(await exchange(port, get('page.html')), { status: 200 })
    rmSync(path.join(root, 'page.html'))
    expectResponse(await exchange(port, get('page.html')), { status: 404 })
  })
})

describe('a bench run', () => {
  afterEach(() => expect(killAll(), 'processes left running after the run').toBe(0))

  test('one scenario, one server, one second: a row of the table', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bench-out-'))
    const lines: string[] = []
    const options = parseBenchArgs(['--only', 'keepalive', '--servers', 'cached', '--runs', '1', '--duration', '1', '--warmup', '0', '--out', out])
    const bench = await runBench(options, (line) => lines.push(line))
    expect(lines.join('\n')).toMatch(/load generator: (wrk|autocannon)/)
    expect(bench.cells).toHaveLength(1)
    expect(bench.cells[0]!.rps).toBeGreaterThan(0)
    // The server's CPU time per response, from /proc: a few µs to a few hundred for a small file.
    expect(bench.cells[0]!.cpuPerResponse!.userUs + bench.cells[0]!.cpuPerResponse!.systemUs).toBeGreaterThan(0)
    expect(bench.cells[0]!.cpuPerResponse!.userUs).toBeLessThan(10_000)
    expect(renderTable(bench)).toMatch(/\| small file, keep-alive \| cached node:http \| 1\.00× plain node:http|\| small file, keep-alive \| cached node:http \| – plain node:http \| [\d,]+ \|/)
    rmSync(out, { recursive: true, force: true })
  })

  test('--against COMMIT: final/ of that commit is bundled and measured in turn with today\'s, and the table compares the two', async () => {
    await bundleFinal(path.join(repoRoot, 'final', 'src'), path.join(repoRoot, 'final', 'dist')) // what prebench does
    const options = parseBenchArgs(['--only', 'keepalive', '--servers', 'final', '--runs', '1', '--duration', '1', '--warmup', '0', '--against', 'HEAD'])
    expect(options.against).toBe('HEAD')
    const built = await buildFinalAt('HEAD')
    expect(existsSync(path.join(built.dist, 'main.js'))).toBe(true)
    const server = addFinalAt(built.short, built.dist)
    expect(planBench(options).map(({ servers }) => servers)).toEqual([['final', server.id]])
    const bench = await runBench(options, () => {})
    expect(bench.cells.map((c) => [c.server, c.rps > 0, c.errors])).toEqual([
      ['final', true, 0],
      [server.id, true, 0],
    ])
    const markdown = renderMarkdown(bench)
    expect(markdown).toContain('## final/ against an earlier final/')
    expect(markdown).toMatch(new RegExp(`- small file, keep-alive: final ÷ final at ${built.short} = \\d+\\.\\d\\d× \\([\\d,]+ against [\\d,]+ req/s; CPU per response [\\d.]+ \\+ [\\d.]+ µs against [\\d.]+ \\+ [\\d.]+ µs\\)`))
    rmSync(path.dirname(built.dist), { recursive: true, force: true })
  })

  test('--against a commit that does not exist says so', async () => {
    await expect(buildFinalAt('no-such-commit-here')).rejects.toThrow(/--against no-such-commit-here: no such commit/)
  })

  test('without wrk: autocannon, and the node:net generator for a new connection per request', async () => {
    const options = parseBenchArgs(['--only', 'keepalive,newconn', '--servers', 'cached', '--runs', '1', '--duration', '1', '--warmup', '0', '--load', 'autocannon'])
    const lines: string[] = []
    const bench = await runBench(options, (line) => lines.push(line))
    expect(lines.join('\n')).toMatch(/autocannon -c 50 -d 1/)
    expect(lines.join('\n')).toMatch(/new-connection-load\.ts/)
    expect(bench.cells.map((c) => [c.scenario, c.rps > 0, c.errors])).toEqual([
      ['keepalive', true, 0],
      ['newconn', true, 0],
    ])
  })
})

describe('nginx, the practical limit', () => {
  const place = { root: '/tmp/workbook-bench-AbC123/root', port: 43210, prefix: '/tmp/workbook-bench-nginx-XyZ789' }
  const config = nginxConfig(place)
  const directives = config.split('\n').map((line) => line.replace(/#.*$/, '').trim()).filter((line) => line && !line.endsWith('{') && line !== '}')

  test('its config puts the pid file, the error log and every temp path in the prefix', () => {
    for (const name of ['pid', 'error_log', 'client_body_temp_path', 'proxy_temp_path', 'fastcgi_temp_path', 'uwsgi_temp_path', 'scgi_temp_path']) {
      const directive = directives.find((d) => d.startsWith(`${name} `))
      expect(directive, `${name} is set`).toBeDefined()
      expect(directive!.split(/\s+/)[1], name).toMatch(new RegExp(`^${place.prefix}/`))
    }
    expect(directives).toEqual(expect.arrayContaining(['daemon off;', 'access_log off;', 'listen 127.0.0.1:43210;', `root ${place.root};`, 'sendfile on;', 'tcp_nopush on;']))
  })

  test('its config names no path outside the prefix but the document root', () => {
    const paths = directives.flatMap((d) => d.match(/(?<=[\s"])\/[^\s;"]*/g) ?? [])
    expect(paths.length).toBeGreaterThan(7)
    expect(paths.filter((p) => p !== place.root && !p.startsWith(`${place.prefix}/`))).toEqual([])
  })

  test('every directive in its config says why it is there', () => {
    const lines = config.split('\n').filter((line) => /;\s*(#|$)/.test(line))
    expect(lines.filter((line) => !/;  # \S/.test(line))).toEqual([])
  })

  test('a run skips it when it is not installed, and measures it beside final/ when it is', () => {
    const servers = (missing: string[]) => planBench(parseBenchArgs(['--quick']), missing).flatMap((p) => p.servers.map((id) => `${p.scenario.id}:${id}`))
    expect(servers([]).filter((s) => s.endsWith(':nginx'))).toEqual(['keepalive:nginx', 'newconn:nginx', 'large:nginx', 'idle:nginx'])
    expect(servers(['nginx']).filter((s) => s.endsWith(':nginx'))).toEqual([])
    expect(planBench(parseBenchArgs(['--servers', 'nginx']), ['nginx'])).toEqual([])
  })

  test('the report says what share of nginx final/ reaches, and keeps the baselines', () => {
    const cell = (server: string, run: number, rps: number): Cell => ({ scenario: 'keepalive', server, idle: false, run, rps, ok: rps, failed: 0, errors: 0, peakRssKiB: 10_240, peakReset: true })
    const bench: BenchRun = {
      options: parseBenchArgs(['--runs', '2']),
      tool: 'wrk',
      cpus: undefined,
      cells: [cell('plain', 0, 10_000), cell('nginx', 0, 80_000), cell('final', 0, 60_000), cell('plain', 1, 10_000), cell('nginx', 1, 100_000), cell('final', 1, 60_000)],
      scenarios: [findScenario('keepalive')],
      startedAt: new Date(0),
      seconds: 1,
      loadAverage: [0, 0],
      revision: 'abc1234',
      sourcesChanged: false,
      nginx: '1.22.1',
    }
    const markdown = renderMarkdown(bench)
    expect(markdown).toContain('small file, keep-alive: final reaches 68% of nginx') // median of 60/80 and 60/100
    expect(markdown).toMatch(/\| small file, keep-alive \| nginx \| 9\.00× plain node:http \|/)
    expect(markdown).toMatch(/\| small file, keep-alive \| final \| 6\.00× plain node:http \| .* \| 68% of nginx \|/)
    expect(markdown).toContain('nginx 1.22.1')
  })

  test('a real start: the small file with 200 and its bytes over raw TCP, and nothing left after stop', async (context) => {
    const missing = nginxMissing()
    if (missing) context.skip(`${missing} (CI does not install it)`)
    const fixture = makeFixture()
    try {
      const nginx = await startNginx(fixture.root, undefined)
      const answer = await exchange(nginx.port, `GET ${SMALL_FILE} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n`)
      expectResponse(answer, { status: 200, body: readFileSync(path.join(fixture.root, SMALL_FILE)) })
      answer.client.destroy()
      const pid = nginx.process.child.pid!
      await nginx.stop()
      expect(() => process.kill(pid, 0), 'the nginx process is gone').toThrow(/ESRCH/)
      expect(existsSync(nginx.prefix), 'its prefix is deleted').toBe(false)
    } finally {
      fixture.remove()
    }
  })
})

describe('a goal as the table prints it', () => {
  const goal = (measured: number, target: number, unit: Goal['unit'], atMost?: true): Goal => ({ text: '', measured, target, unit, ...(atMost && { atMost }) })

  test('a hair from the goal is shown on its true side, not rounded onto the goal', () => {
    expect([formatGoal(goal(0.9496, 0.95, '×')), isMet(goal(0.9496, 0.95, '×'))]).toEqual(['0.949× (goal ≥ 0.95×)', false])
    expect([formatGoal(goal(0.9504, 0.95, '×')), isMet(goal(0.9504, 0.95, '×'))]).toEqual(['0.950× (goal ≥ 0.95×)', true])
    expect([formatGoal(goal(79.96, 80, 'MiB', true)), isMet(goal(79.96, 80, 'MiB', true))]).toEqual(['79.9 MiB (goal < 80 MiB)', true])
    expect([formatGoal(goal(80.2, 80, 'MiB', true)), isMet(goal(80.2, 80, 'MiB', true))]).toEqual(['80.2 MiB (goal < 80 MiB)', false])
  })

  test('otherwise two decimals, or whole MiB', () => {
    expect(formatGoal(goal(1.613, 1.4, '×'))).toBe('1.61× (goal ≥ 1.40×)')
    expect(formatGoal(goal(66.6, 80, 'MiB', true))).toBe('67 MiB (goal < 80 MiB)')
  })
})
