// The bench's results as markdown: what was run, the goals for final/, and one row per server
// and scenario. Ratios first; absolute req/s only in the raw column (the machine is shared).

import os from 'node:os'
import { formatCpu, formatGoal, goalsOf, isMet, nginxShares, percent, sharesOver, summarize, type Row } from './report.ts'
import type { BenchRun } from './run.ts'
import { IDLE_CONNECTIONS, findScenario } from './scenarios.ts'
import { finalsAt, findServer } from './servers-under-test.ts'

const times = (n: number | undefined) => (n === undefined ? '–' : `${n.toFixed(2)}×`)

/** One line that says how the numbers were made. */
export function describeRun(bench: BenchRun): string {
  const { options, cpus } = bench
  const load = bench.tool === 'wrk' ? 'wrk (-t1)' : 'autocannon, and new-connection-load.ts for a new connection per request'
  const pinning = cpus ? `servers on CPU ${cpus.server}, load on CPU ${cpus.load} (taskset; logins unpinned)` : 'not pinned'
  const minutes = bench.seconds >= 90 ? `${(bench.seconds / 60).toFixed(1)} min` : `${Math.round(bench.seconds)} s`
  return (
    `${bench.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC · commit ${bench.revision}${bench.sourcesChanged ? ' (sources changed during the run: versions mixed)' : ''} · ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}) · Node ${process.version}${bench.nginx ? ` · nginx ${bench.nginx}` : ''} · ` +
    `load: ${load}; ${pinning} · ${options.runs} run(s) × ${options.durationS} s after ${options.warmupS} s warm-up, servers in turn, medians${options.quick ? ' · --quick' : ''} · took ${minutes} · load average ${bench.loadAverage.map((n) => n.toFixed(1)).join(' → ')}`
  )
}

export function renderTable(bench: BenchRun, rows: Row[] = summarize(bench)): string {
  const shares = nginxShares(bench, rows)
  const lines = ['| scenario | server | ratio | req/s (median) | peak RSS | CPU per response (user + system) | not 2xx / errors | notes |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |']
  for (const scenario of bench.scenarios) {
    const baseline = findServer(scenario.baseline).label
    for (const row of rows.filter((r) => r.scenario === scenario.id)) {
      const server = `${findServer(row.server).label}${row.idle ? ` + ${IDLE_CONNECTIONS} idle` : ''}`
      const notes = [
        row.idleRatio !== undefined && `${times(row.idleRatio)} its throughput without idle connections`,
        row.idleClosed > 0 && `the server closed ${row.idleClosed} idle connections`,
        row.server === 'final' && shares.filter((s) => s.scenario === row.scenario && s.idle === row.idle).map((s) => `${percent(s.share)} of nginx`)[0],
      ].filter(Boolean)
      lines.push(
        `| ${scenario.title} | ${server} | ${times(row.ratio)} ${baseline} | ${Math.round(row.rps).toLocaleString('en')} | ` +
          `${row.peakRssMiB === undefined ? '–' : `${Math.round(row.peakRssMiB)} MiB`} | ${formatCpu(row.cpuPerResponse)} | ${row.failed} / ${row.errors} | ${notes.join('; ')} |`,
      )
    }
  }
  return lines.join('\n')
}

/** "…, with and without 1000 idle connections" as the half a row measured: "…, with 1000 idle connections". */
function withOrWithout(title: string, idleScenario: boolean, idle: boolean): string {
  if (!idleScenario) return title
  const half = idle ? 'with' : 'without'
  return title.includes(', with and without ') ? title.replace(', with and without ', `, ${half} `) : `${title} (${half} the idle connections)`
}

/** One line a scenario: "final reaches 62% of nginx". */
export function renderNginxShares(bench: BenchRun, rows: Row[] = summarize(bench)): string[] {
  return nginxShares(bench, rows).map(
    (s) =>
      `${withOrWithout(findScenario(s.scenario).title, s.scenario === 'idle', s.idle)}: ` +
      `final reaches ${percent(s.share)} of nginx (${Math.round(s.finalRps).toLocaleString('en')} against ${Math.round(s.otherRps).toLocaleString('en')} req/s)`,
  )
}

/** With --against: one line a scenario, "final ÷ final at 18aea91 = 1.02× (…)", for each earlier final/ measured. */
export function renderAgainst(bench: BenchRun, rows: Row[] = summarize(bench)): string[] {
  const cpuOf = (server: string, s: { scenario: string; idle: boolean }) => formatCpu(rows.find((r) => r.server === server && r.scenario === s.scenario && r.idle === s.idle)?.cpuPerResponse)
  return finalsAt().flatMap((other) =>
    sharesOver(other, bench, rows).map(
      (s) =>
        `${withOrWithout(findScenario(s.scenario).title, s.scenario === 'idle', s.idle)}: final ÷ ${findServer(other).label} = ${times(s.share)} ` +
        `(${Math.round(s.finalRps).toLocaleString('en')} against ${Math.round(s.otherRps).toLocaleString('en')} req/s; ` +
        `CPU per response ${cpuOf('final', s)} against ${cpuOf(other, s)})`,
    ),
  )
}

export function renderMarkdown(bench: BenchRun): string {
  const rows = summarize(bench)
  const shares = renderNginxShares(bench, rows)
  const against = renderAgainst(bench, rows)
  const goals = goalsOf(bench, rows).filter((goal) => goal.measured !== undefined)
  const verdict = (met: boolean | undefined) => (met ? 'met' : 'not yet')
  return [
    '# Bench results',
    '',
    describeRun(bench),
    '',
    'A ratio is the server\'s throughput over the baseline\'s from the same run (median over runs). ' +
      'Quote ratios: the machine is shared, and the absolute req/s hold for this run only. ' +
      (bench.cells.every((c) => c.peakReset)
        ? 'Peak RSS is the server process\'s VmHWM over the measurement (reset after the warm-up, so start-up is not in it), the most of its runs; '
        : 'Peak RSS is the server process\'s VmHWM since it started (the peak could not be reset here), the most of its runs; ') +
      'final/ runs from its bundle, as npm start runs it; nginx is one native process; every other server runs under tsx, whose loader thread holds about 30 MiB of it.',
    '',
    ...(goals.length ? ['## Goals for final/', '', '| goal | measured | |', '| --- | --- | --- |', ...goals.map((g) => `| ${g.text} | ${formatGoal(g)} | ${verdict(isMet(g))} |`), ''] : []),
    ...(shares.length
      ? ['## final/ against nginx, the practical limit', '', 'final/\'s throughput over nginx\'s from the same run (median over runs); nginx serves the same files with one process on the same core, sendfile on.', '', ...shares.map((line) => `- ${line}`), '']
      : []),
    ...(against.length
      ? ['## final/ against an earlier final/', '', 'Today\'s final/ over final/ as it was at another commit (`--against`), both from their bundles, measured in turn in the same run (median over runs of the per-run ratio): above 1.00× is faster today. The server\'s CPU time per response (user + system, medians) moves less with the machine\'s other work than req/s does.', '', ...against.map((line) => `- ${line}`), '']
      : []),
    '## Every cell',
    '',
    renderTable(bench, rows),
    '',
    '![ratios](latest.svg)',
    '',
  ].join('\n')
}
