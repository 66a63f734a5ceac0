// Where a .cpuprofile's time went: self time summed per function and per file, and total time
// (self plus callees) per function, each sample counted once however deep the recursion.

import path from 'node:path'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}

interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}

export interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

export interface HotSpot {
  name: string
  ms: number
  share: number
}

export interface ProfileSummary {
  totalMs: number
  selfByFunction: HotSpot[]
  selfByFile: HotSpot[]
  totalByFunction: HotSpot[]
}

/** "final/src/static-files.ts", "node:internal/fs/promises", or "(garbage collector)". */
export function fileOf(frame: CallFrame, root: string): string {
  if (!frame.url) return `(${frame.functionName.replace(/[()]/g, '') || 'native'})`
  const url = frame.url.startsWith('file://') ? new URL(frame.url).pathname : frame.url
  return url.startsWith('/') ? path.relative(root, url) : url
}

function functionOf(frame: CallFrame, root: string): string {
  if (!frame.url) return frame.functionName || '(native)'
  return `${frame.functionName || '(anonymous)'} ${fileOf(frame, root)}:${frame.lineNumber + 1}`
}

function ranked(times: Map<string, number>, totalMs: number, top: number): HotSpot[] {
  return [...times]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, ms, share: ms / totalMs }))
}

/** `skipMs`: samples from the profile's first milliseconds (start-up, warm-up) are left out. */
export function summarizeProfile(profile: CpuProfile, root: string, top = 25, skipMs = 0): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const self = new Map<string, number>()
  const file = new Map<string, number>()
  const total = new Map<string, number>()
  let totalMs = 0
  let elapsedMs = 0
  profile.samples.forEach((id, i) => {
    elapsedMs += (profile.timeDeltas[i] ?? 0) / 1000
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000 // a sample lasts until the next one
    if (elapsedMs < skipMs) return
    const node = byId.get(id)!
    if (node.callFrame.functionName === '(idle)') return // waiting in epoll: not work
    totalMs += ms
    const name = functionOf(node.callFrame, root)
    self.set(name, (self.get(name) ?? 0) + ms)
    const where = fileOf(node.callFrame, root)
    file.set(where, (file.get(where) ?? 0) + ms)
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame
      if (frame.functionName === '(root)') continue
      seen.add(functionOf(frame, root))
    }
    for (const key of seen) total.set(key, (total.get(key) ?? 0) + ms)
  })
  return { totalMs, selfByFunction: ranked(self, totalMs, top), selfByFile: ranked(file, totalMs, top), totalByFunction: ranked(total, totalMs, top) }
}

export function formatSummary(summary: ProfileSummary): string {
  const table = (title: string, spots: HotSpot[]) => [
    `${title}:`,
    ...spots.map((spot) => `  ${(spot.share * 100).toFixed(1).padStart(5)}%  ${spot.ms.toFixed(0).padStart(6)} ms  ${spot.name}`),
  ]
  return [
    `busy time: ${summary.totalMs.toFixed(0)} ms (idle excluded)`,
    ...table('self time by file', summary.selfByFile),
    ...table('self time by function', summary.selfByFunction),
    ...table('total time (self + callees) by function', summary.totalByFunction),
  ].join('\n')
}
