// The ratios as a bar chart in plain SVG, written by hand: one group per scenario, one bar per
// server, a dashed line at 1× (the scenario's baseline). No dependency, readable on GitHub.

import { nginxShares, percent, summarize } from './report.ts'
import type { BenchRun } from './run.ts'
import { IDLE_CONNECTIONS } from './scenarios.ts'
import { findServer } from './servers-under-test.ts'

const WIDTH = 820
const LABEL_WIDTH = 230 // server names, right-aligned
const VALUE_WIDTH = 70 // "12.34×" after the bar
const IDLE_NOTE_WIDTH = 170 // " (0.92× its own without)" after an idle row's value
const NGINX_NOTE_WIDTH = 100 // " · 62% of nginx" after final's value
const BAR_HEIGHT = 16
const ROW_HEIGHT = 22
const TITLE_HEIGHT = 30

const escapeXml = (text: string) => text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!)

/** Final stands out; nginx is the limit; the chapters are the workbook's steps; the rest are the yardsticks. */
function colourFor(server: string): string {
  if (server === 'final') return '#d9480f'
  if (server === 'nginx') return '#2b8a3e'
  if (server.startsWith('ch')) return '#868e96'
  return '#1c7ed6'
}

export function renderSvg(bench: BenchRun): string {
  const rows = summarize(bench)
  const shares = nginxShares(bench, rows)
  const largest = Math.max(1, ...rows.map((r) => r.ratio ?? 0))
  const room = VALUE_WIDTH + (rows.some((r) => r.idleRatio !== undefined) ? IDLE_NOTE_WIDTH : 0) + (shares.length ? NGINX_NOTE_WIDTH : 0)
  const scale = (WIDTH - LABEL_WIDTH - room - 10) / largest
  const parts: string[] = []
  let y = 34
  parts.push(`<text x="10" y="20" font-weight="bold">Throughput as a ratio to each scenario's baseline (median of ${bench.options.runs} run(s))</text>`)
  for (const scenario of bench.scenarios) {
    const mine = rows.filter((r) => r.scenario === scenario.id)
    const top = y
    parts.push(`<text x="10" y="${y + 18}" font-weight="bold">${escapeXml(`${scenario.title} (1× = ${findServer(scenario.baseline).label})`)}</text>`)
    y += TITLE_HEIGHT
    for (const row of mine) {
      const label = `${findServer(row.server).label}${row.idle ? ` + ${IDLE_CONNECTIONS} idle` : ''}`
      const width = Math.max(1, (row.ratio ?? 0) * scale)
      const share = row.server === 'final' ? shares.find((s) => s.scenario === row.scenario && s.idle === row.idle) : undefined
      parts.push(
        `<text x="${LABEL_WIDTH - 8}" y="${y + 12}" text-anchor="end">${escapeXml(label)}</text>`,
        `<rect x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${colourFor(row.server)}"/>`,
        `<text x="${(LABEL_WIDTH + width + 6).toFixed(1)}" y="${y + 12}">${row.ratio === undefined ? 'no baseline' : `${row.ratio.toFixed(2)}×`}${row.idleRatio === undefined ? '' : ` (${row.idleRatio.toFixed(2)}× its own without)`}${share ? ` · ${percent(share.share)} of nginx` : ''}</text>`,
      )
      y += ROW_HEIGHT
    }
    const one = LABEL_WIDTH + scale
    if (mine.some((r) => r.ratio !== undefined)) {
      parts.push(`<line x1="${one.toFixed(1)}" y1="${top + TITLE_HEIGHT - 4}" x2="${one.toFixed(1)}" y2="${y}" stroke="#212529" stroke-dasharray="3 3"/>`)
    }
    y += 8
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y + 10}" viewBox="0 0 ${WIDTH} ${y + 10}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n')
}
