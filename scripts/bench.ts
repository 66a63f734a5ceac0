// `npm run bench`: measures final/, chapters 04–07, sirv and two node:http servers on the same
// files, and writes a markdown table, an SVG chart of the ratios and every cell as JSON to bench/results/.

import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { renderSvg } from './bench/chart.ts'
import { buildFinalAt } from './bench/final-at.ts'
import { BENCH_USAGE, UsageError, parseBenchArgs } from './bench/options.ts'
import { killChildrenOnExit } from './bench/processes.ts'
import { formatGoal, goalsOf, summarize } from './bench/report.ts'
import { runBench } from './bench/run.ts'
import { addFinalAt, repoRoot } from './bench/servers-under-test.ts'
import { renderMarkdown } from './bench/table.ts'

let options
try {
  options = parseBenchArgs(process.argv.slice(2))
} catch (error) {
  if (!(error instanceof UsageError)) throw error
  console.error(`error: ${error.message}\n\n${BENCH_USAGE}`)
  process.exit(2)
}
if (options.help) {
  console.log(BENCH_USAGE)
  process.exit(0)
}

const log = (line: string) => console.log(line)
killChildrenOnExit(log)
if (options.against) {
  let built
  try {
    built = await buildFinalAt(options.against)
  } catch (error) {
    console.error(`error: ${(error as Error).message}`)
    process.exit(2)
  }
  const server = addFinalAt(built.short, built.dist)
  log(`${server.label}: final/src of ${built.short}, bundled in ${built.dist}; measured in turn with today's final/ wherever final/ runs`)
}
const bench = await runBench(options, log)
const markdown = renderMarkdown(bench)
mkdirSync(options.out, { recursive: true })
const mdFile = path.join(options.out, 'latest.md')
const svgFile = path.join(options.out, 'latest.svg')
writeFileSync(mdFile, markdown)
writeFileSync(svgFile, renderSvg(bench))
writeFileSync(path.join(options.out, 'latest.json'), `${JSON.stringify(bench, null, 2)}\n`) // every cell, for a comparison later
console.log(`\n${markdown}`)
console.log('Goals for final/:')
for (const goal of goalsOf(bench, summarize(bench)).filter((g) => g.measured !== undefined)) console.log(`  ${goal.text}: ${formatGoal(goal)}`)
console.log(`\nwrote ${path.relative(repoRoot, mdFile)}, ${path.relative(repoRoot, svgFile)} and latest.json (every cell)`)
