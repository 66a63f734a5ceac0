// What the bench measures: five scenarios, the servers each applies to, and the server each
// one's ratios are quoted against. nginx, the practical limit, takes part in the four that serve
// files (it has no logins).

import { DEMO_LOGIN, LARGE_FILE, SMALL_FILE } from './fixture.ts'
import type { BenchOptions } from './options.ts'
import { finalsAt, findServer, isPicked, type ServerUnderTest } from './servers-under-test.ts'

export type ScenarioId = 'keepalive' | 'newconn' | 'large' | 'login' | 'idle'

export interface Scenario {
  id: ScenarioId
  title: string
  /** Server ids in a full run, and the fewer that --quick measures. */
  servers: string[]
  quickServers: string[]
  /** Every ratio in this scenario is this server's throughput from the same run over this one's. */
  baseline: string
  path(server: ServerUnderTest): string
  body?: string
  newConnection: boolean
  connections: number
  /** Server and load on separate cores. Not for logins: a pool of 2 threads needs both. */
  pinned: boolean
  /** Measure each server twice, without and with IDLE_CONNECTIONS held open. */
  idle: boolean
  /** Seconds of load at the least, whatever --duration says: a login takes ~100 ms of scrypt. */
  minDurationS?: number
}

export const IDLE_CONNECTIONS = 1000

const small = (server: ServerUnderTest) => server.smallPath ?? SMALL_FILE

export const SCENARIOS: Scenario[] = [
  {
    id: 'keepalive',
    title: 'small file, keep-alive',
    servers: ['plain', 'cached', 'sirv', 'nginx', 'final'],
    quickServers: ['plain', 'cached', 'sirv', 'nginx', 'final'],
    baseline: 'plain',
    path: small,
    newConnection: false,
    connections: 50,
    pinned: true,
    idle: false,
  },
  {
    id: 'newconn',
    title: 'small file, new connection per request',
    // Chapters 04–07 close every connection after one response: this is their only file scenario.
    servers: ['plain', 'cached', 'sirv', 'ch04', 'ch05', 'ch06', 'ch07-2t', 'nginx', 'final'],
    quickServers: ['plain', 'cached', 'ch05', 'nginx', 'final'],
    baseline: 'plain',
    path: small,
    newConnection: true,
    connections: 50,
    pinned: true,
    idle: false,
  },
  {
    id: 'large',
    title: '1 MiB file, keep-alive',
    servers: ['plain', 'cached', 'sirv', 'nginx', 'final'],
    quickServers: ['plain', 'cached', 'nginx', 'final'],
    baseline: 'plain',
    path: () => LARGE_FILE,
    newConnection: false,
    connections: 10,
    pinned: true,
    idle: false,
  },
  {
    id: 'login',
    title: 'POST /api/login (scrypt), new connection per request',
    servers: ['ch06', 'ch07-1t', 'ch07-2t', 'final'],
    quickServers: ['ch07-1t', 'ch07-2t'],
    baseline: 'ch07-1t',
    path: () => '/api/login',
    body: JSON.stringify(DEMO_LOGIN),
    newConnection: true,
    connections: 8,
    pinned: false,
    idle: false,
    minDurationS: 6, // ~10 logins a second a thread: fewer seconds leave the ratio to a handful of requests
  },
  {
    id: 'idle',
    title: `small file, keep-alive, with and without ${IDLE_CONNECTIONS} idle connections`,
    servers: ['plain', 'cached', 'sirv', 'nginx', 'final'],
    quickServers: ['plain', 'nginx', 'final'],
    baseline: 'plain',
    path: small,
    newConnection: false,
    connections: 50,
    pinned: true,
    idle: true,
  },
]

export function findScenario(id: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.id === id)
  if (!scenario) throw new Error(`no scenario "${id}"; the bench has ${SCENARIOS.map((s) => s.id).join(', ')}`)
  return scenario
}

/** The scenarios and, for each, the servers this run measures; `missing`: servers not installed here (nginx). */
export function planBench(options: BenchOptions, missing: string[] = []): { scenario: Scenario; servers: string[] }[] {
  return SCENARIOS.filter((scenario) => !options.only || options.only.includes(scenario.id))
    .map((scenario) => ({ scenario, servers: (options.quick ? scenario.quickServers : scenario.servers).flatMap((id) => (id === 'final' ? [id, ...finalsAt()] : [id])) }))
    .map(({ scenario, servers }) => ({ scenario, servers: servers.filter((id) => isPicked(findServer(id), options.servers) && !missing.includes(id)) }))
    .filter(({ servers }) => servers.length > 0)
}
