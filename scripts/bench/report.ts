// From cells to what a reader needs: per server and scenario the median throughput, the median
// of its per-run ratio to the scenario's baseline, its peak memory; the goals for final/; and
// final/'s share of nginx's throughput, where nginx ran.

import type { BenchRun, Cell } from './run.ts'
import type { ScenarioId } from './scenarios.ts'

export interface Row {
  scenario: ScenarioId
  server: string
  idle: boolean
  /** Median 2xx responses per second. */
  rps: number
  /** Median over runs of rps / the baseline's rps in the same run (and idle state). */
  ratio: number | undefined
  /** For the idle scenario's "with" row: median over runs of with / without. */
  idleRatio: number | undefined
  peakRssMiB: number | undefined
  /** Median over runs of the server's CPU time per response, user and system, in µs (Node servers). */
  cpuPerResponse: { userUs: number; systemUs: number } | undefined
  failed: number
  errors: number
  idleClosed: number
}

export interface Goal {
  text: string
  measured: number | undefined
  target: number
  /** True when the goal is "below": a memory ceiling. */
  atMost?: boolean
  unit: '×' | 'MiB'
}

export function median(values: number[]): number | undefined {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (sorted.length === 0) return undefined
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2
}

function medianCpu(cells: Cell[]): Row['cpuPerResponse'] {
  const userUs = median(cells.flatMap((c) => (c.cpuPerResponse ? [c.cpuPerResponse.userUs] : [])))
  const systemUs = median(cells.flatMap((c) => (c.cpuPerResponse ? [c.cpuPerResponse.systemUs] : [])))
  return userUs === undefined || systemUs === undefined ? undefined : { userUs, systemUs }
}

/** "9.6 + 12.1 µs": CPU time per response, user + system. */
export const formatCpu = (cpu: Row['cpuPerResponse']) => (cpu ? `${cpu.userUs.toFixed(1)} + ${cpu.systemUs.toFixed(1)} µs` : '–')

/** Median over runs of a's throughput / b's, each pair from the same run. */
export function ratioOf(cells: Cell[], scenario: ScenarioId, a: { server: string; idle?: boolean }, b: { server: string; idle?: boolean }): number | undefined {
  const find = (which: { server: string; idle?: boolean }, run: number) =>
    cells.find((c) => c.scenario === scenario && c.server === which.server && c.idle === (which.idle ?? false) && c.run === run)
  const runs = [...new Set(cells.map((c) => c.run))]
  return median(runs.map((run) => (find(a, run)?.rps ?? NaN) / (find(b, run)?.rps ?? NaN)))
}

export function summarize(bench: BenchRun): Row[] {
  const rows: Row[] = []
  for (const scenario of bench.scenarios) {
    const cells = bench.cells.filter((c) => c.scenario === scenario.id)
    const keys = [...new Map(cells.map((c) => [`${c.server}|${c.idle}`, c])).values()]
    for (const { server, idle } of keys) {
      const mine = cells.filter((c) => c.server === server && c.idle === idle)
      const peaks = mine.map((c) => c.peakRssKiB).filter((kib): kib is number => kib !== undefined)
      rows.push({
        scenario: scenario.id,
        server,
        idle,
        rps: median(mine.map((c) => c.rps)) ?? 0,
        ratio: ratioOf(bench.cells, scenario.id, { server, idle }, { server: scenario.baseline, idle }),
        idleRatio: idle ? ratioOf(bench.cells, scenario.id, { server, idle: true }, { server, idle: false }) : undefined,
        peakRssMiB: peaks.length ? Math.max(...peaks) / 1024 : undefined,
        cpuPerResponse: medianCpu(mine),
        failed: mine.reduce((sum, c) => sum + c.failed, 0),
        errors: mine.reduce((sum, c) => sum + c.errors, 0),
        idleClosed: mine.reduce((sum, c) => sum + (c.idleClosed ?? 0), 0),
      })
    }
  }
  return rows
}

/** The goals for final/, each measured from this run where its cells exist. */
export function goalsOf(bench: BenchRun, rows: Row[]): Goal[] {
  const cells = bench.cells
  const idleFinal = rows.find((r) => r.scenario === 'idle' && r.server === 'final' && r.idle)
  return [
    { text: 'small file, keep-alive: final ÷ cached node:http', measured: ratioOf(cells, 'keepalive', { server: 'final' }, { server: 'cached' }), target: 1.4, unit: '×' },
    { text: 'small file, new connection per request: final ÷ cached node:http', measured: ratioOf(cells, 'newconn', { server: 'final' }, { server: 'cached' }), target: 1.3, unit: '×' },
    { text: '1 MiB file: final ÷ plain node:http', measured: ratioOf(cells, 'large', { server: 'final' }, { server: 'plain' }), target: 2.5, unit: '×' },
    { text: 'final with 1000 idle connections ÷ without', measured: idleFinal?.idleRatio, target: 0.95, unit: '×' },
    { text: 'final peak RSS with 1000 idle connections', measured: idleFinal?.peakRssMiB, target: 80, atMost: true, unit: 'MiB' },
    { text: 'logins: chapter 07 pool of 2 ÷ pool of 1', measured: ratioOf(cells, 'login', { server: 'ch07-2t' }, { server: 'ch07-1t' }), target: 1.8, unit: '×' },
    { text: 'logins: final (pool of 2) ÷ chapter 07 pool of 1', measured: ratioOf(cells, 'login', { server: 'final' }, { server: 'ch07-1t' }), target: 1.8, unit: '×' },
  ]
}

export interface Share {
  scenario: ScenarioId
  idle: boolean
  /** Median over runs of final's throughput / the other's in the same run: 0.62 is "final reaches 62% of nginx". */
  share: number
  finalRps: number
  otherRps: number
}

/** final/ against another server (nginx, the practical limit; or final/ at another commit) wherever both ran. */
export function sharesOver(other: string, bench: BenchRun, rows: Row[] = summarize(bench)): Share[] {
  const shares: Share[] = []
  for (const final of rows.filter((r) => r.server === 'final')) {
    const them = rows.find((r) => r.server === other && r.scenario === final.scenario && r.idle === final.idle)
    const share = them && ratioOf(bench.cells, final.scenario, { server: 'final', idle: final.idle }, { server: other, idle: final.idle })
    if (them && share !== undefined) shares.push({ scenario: final.scenario, idle: final.idle, share, finalRps: final.rps, otherRps: them.rps })
  }
  return shares
}

export const nginxShares = (bench: BenchRun, rows?: Row[]) => sharesOver('nginx', bench, rows)

/** "62%": a share as a reader says it. */
export const percent = (share: number) => `${Math.round(share * 100)}%`

export function isMet(goal: Goal): boolean | undefined {
  if (goal.measured === undefined) return undefined
  return goal.atMost ? goal.measured < goal.target : goal.measured >= goal.target
}

export function formatGoal(goal: Goal): string {
  const value = (n: number) => (goal.unit === '×' ? `${n.toFixed(2)}×` : `${Math.round(n)} MiB`)
  if (goal.measured === undefined) return `not measured (goal ${goal.atMost ? '<' : '≥'} ${value(goal.target)})`
  // Rounded, a miss by a hair would print as the goal itself ("0.95×, goal ≥ 0.95×, not yet").
  // One more digit, rounded down: for a goal on the coarser grid, x ≥ goal exactly when
  // floor(x) ≥ goal, so the figure shown is on the same side of the goal as the measurement.
  let shown = value(goal.measured)
  if (shown === value(goal.target)) {
    shown = goal.unit === '×' ? `${(Math.floor(goal.measured * 1000) / 1000).toFixed(3)}×` : `${(Math.floor(goal.measured * 10) / 10).toFixed(1)} MiB`
  }
  return `${shown} (goal ${goal.atMost ? '<' : '≥'} ${value(goal.target)})`
}
