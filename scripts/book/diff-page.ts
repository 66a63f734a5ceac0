// A chapter's diff over the chapter before it, as HTML: a summary of the files, then each file's
// patch with its added and removed lines coloured. The diff is git's own (`git diff --no-index`).

import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { escapeHtml, highlightLines, languageForFile } from './highlight.ts'

const DIFFED_FOLDERS = ['src', 'test'] // the code; resources/ and the explainer are not the lesson's diff

export interface FileDiff {
  /** Relative to the chapter folder: `src/static-files.ts`; `old → new` for a rename. */
  name: string
  added: number
  removed: number
  /** The patch lines from the first `@@`, or git's one-line note for a binary file. */
  lines: string[]
  /** The file's path on each side, relative to the chapter folder; undefined where it is absent. */
  before?: string | undefined
  after?: string | undefined
  /** The whole file on each side, read by `diffChapters`, so that its lines are highlighted in context. */
  oldText?: string | undefined
  newText?: string | undefined
}

/** The differences between two chapter folders (relative to `repoRoot`), file by file. */
export function diffChapters(repoRoot: string, oldDir: string, newDir: string): FileDiff[] {
  const empty = mkdtempSync(path.join(os.tmpdir(), 'book-empty-'))
  try {
    return DIFFED_FOLDERS.flatMap((folder) => {
      const oldSide = existsSync(path.join(repoRoot, oldDir, folder)) ? `${oldDir}/${folder}` : empty
      const newSide = existsSync(path.join(repoRoot, newDir, folder)) ? `${newDir}/${folder}` : empty
      if (oldSide === empty && newSide === empty) return []
      const result = spawnSync('git', ['diff', '--no-index', '--no-color', '--no-ext-diff', '--', oldSide, newSide], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
      // git diff exits 1 when the folders differ; only 2 and up are errors.
      if (result.error || (result.status ?? 2) > 1) throw new Error(`git diff ${oldSide} ${newSide} failed: ${result.error?.message ?? result.stderr}`)
      return parseDiff(result.stdout, [`${oldDir}/`, `${newDir}/`, `${empty.replace(/^\//, '')}/`]).map((file) => {
        if (file.added + file.removed === 0 || !languageForFile(file.after ?? file.before ?? '')) return file
        const read = (dir: string, name: string | undefined) => (name === undefined ? undefined : readFileSync(path.join(repoRoot, dir, name), 'utf8'))
        return { ...file, oldText: read(oldDir, file.before), newText: read(newDir, file.after) }
      })
    })
  } finally {
    rmSync(empty, { recursive: true, force: true })
  }
}

/** Split git's unified diff into files; `prefixes` are stripped from the paths it prints. */
export function parseDiff(patch: string, prefixes: string[]): FileDiff[] {
  const files: FileDiff[] = []
  const strip = (name: string) => {
    const bare = name.replace(/^[ab]\//, '')
    const prefix = prefixes.find((candidate) => bare.startsWith(candidate))
    return prefix ? bare.slice(prefix.length) : bare
  }
  for (const chunk of patch.split(/^(?=diff --git )/m).filter((part) => part.startsWith('diff --git '))) {
    const lines = chunk.replace(/\n$/, '').split('\n')
    const oldName = lines.find((line) => line.startsWith('--- '))?.slice(4)
    const newName = lines.find((line) => line.startsWith('+++ '))?.slice(4)
    const firstHunk = lines.findIndex((line) => line.startsWith('@@'))
    const body = firstHunk === -1 ? lines.filter((line) => /^(Binary files|rename |new file|deleted file)/.test(line)) : lines.slice(firstHunk)
    const fallback = /^diff --git a\/(\S+) b\/(\S+)/.exec(lines[0]!) ?? []
    const before = oldName && oldName !== '/dev/null' ? strip(oldName) : undefined
    const after = newName && newName !== '/dev/null' ? strip(newName) : undefined
    const name = before && after && before !== after ? `${before} → ${after}` : (after ?? before ?? strip(fallback[2] ?? fallback[1] ?? '?'))
    const patchLines = firstHunk === -1 ? [] : body
    files.push({
      name,
      added: patchLines.filter((line) => line.startsWith('+')).length,
      removed: patchLines.filter((line) => line.startsWith('-')).length,
      lines: body,
      before,
      after,
    })
  }
  return files.sort((a, b) => a.name.localeCompare(b.name))
}

/** The body of a diff page: a table of the files changed, then every file's patch. */
export function renderDiff(files: FileDiff[]): string {
  if (files.length === 0) return '<p>No files changed.</p>'
  const totalAdded = files.reduce((sum, file) => sum + file.added, 0)
  const totalRemoved = files.reduce((sum, file) => sum + file.removed, 0)
  const rows = files
    .map((file, i) => `<tr><td><a href="#file-${i + 1}"><code>${escapeHtml(file.name)}</code></a></td><td class="added">+${file.added}</td><td class="removed">−${file.removed}</td></tr>`)
    .join('\n')
  const summary = `<p>${files.length} file${files.length === 1 ? '' : 's'} changed: <span class="added">+${totalAdded}</span> lines, <span class="removed">−${totalRemoved}</span> lines.</p>
<table class="diff-summary"><thead><tr><th>file</th><th>added</th><th>removed</th></tr></thead><tbody>
${rows}
</tbody></table>`
  const patches = files
    .map((file, i) => {
      const highlighted = highlightPatch(file)
      return `<section class="diff-file" id="file-${i + 1}">
<h2 class="diff-header"><code>${escapeHtml(file.name)}</code> <span class="added">+${file.added}</span> <span class="removed">−${file.removed}</span></h2>
<pre class="diff"><code>${file.lines.map((line, j) => renderDiffLine(line, highlighted[j])).join('')}</code></pre>
</section>`
    })
    .join('\n')
  return `${summary}\n${patches}`
}

function renderDiffLine(line: string, highlighted: string | undefined): string {
  if (line.startsWith('@@')) return `<span class="line hunk">${escapeHtml(line)}</span>`
  const marker = line[0]
  const kind = marker === '+' ? 'add' : marker === '-' ? 'del' : marker === ' ' ? 'context' : 'note'
  if (kind === 'note') return `<span class="line note">${escapeHtml(line)}</span>`
  return `<span class="line ${kind}"><span class="marker">${marker}</span>${(highlighted ?? escapeHtml(line.slice(1))) || ' '}</span>`
}

/**
 * The code of each patch line, highlighted (undefined for a hunk header or a note).
 *
 * A line on its own would lose what comes before it: a line inside a template literal or a block
 * comment that opened lines earlier would be coloured as code. So each side is highlighted as a
 * whole file (the old file for removed lines, the new one for added and context lines) and each
 * patch line takes its line, found by the hunk headers' line numbers. When the file's text is not
 * at hand (`parseDiff` alone) or does not match the patch, each hunk's side is highlighted as one
 * block instead: right within the hunk, and wrong only for a string or comment open at its start.
 */
export function highlightPatch(file: FileDiff): (string | undefined)[] {
  const language = languageForFile(file.after ?? file.before ?? file.name.split(' → ').at(-1)!)
  const result: (string | undefined)[] = new Array(file.lines.length).fill(undefined)
  // Each side's lines in order (context lines are on both), with the patch line each belongs to
  // and its 1-based line number in that side's file. A context line is shown from the new side.
  const sides = { old: [] as Placed[], new: [] as Placed[] }
  let hunk = -1
  let oldNumber = 0
  let newNumber = 0
  file.lines.forEach((line, index) => {
    const header = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line)
    if (header) {
      hunk++
      oldNumber = Number(header[1])
      newNumber = Number(header[2])
      return
    }
    if (hunk < 0) return
    const code = line.slice(1)
    if (line.startsWith('-') || line.startsWith(' ')) sides.old.push({ index, hunk, number: oldNumber++, code, shown: line.startsWith('-') })
    if (line.startsWith('+') || line.startsWith(' ')) sides.new.push({ index, hunk, number: newNumber++, code, shown: true })
  })
  for (const [placed, text] of [[sides.old, file.oldText], [sides.new, file.newText]] as const) {
    const whole = text?.split(/\r?\n/)
    if (text !== undefined && placed.every((line) => whole![line.number - 1] === line.code)) {
      const lines = highlightLines(text, language)
      for (const line of placed) if (line.shown) result[line.index] = lines[line.number - 1]
      continue
    }
    for (let start = 0, end = 0; start < placed.length; start = end) {
      while (end < placed.length && placed[end]!.hunk === placed[start]!.hunk) end++
      const group = placed.slice(start, end)
      const lines = highlightLines(group.map((line) => line.code).join('\n'), language)
      group.forEach((line, i) => line.shown && (result[line.index] = lines[i]))
    }
  }
  return result
}

interface Placed {
  index: number
  hunk: number
  number: number
  code: string
  shown: boolean
}
