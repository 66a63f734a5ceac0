// The book's highlighter on the workbook's own code. The assertions compare one token's colour
// with another's (a keyword against a keyword, a string against a string), never with a colour
// value, so they hold whatever the theme; a "colour" here is the attributes of the span around a
// character, so they read class-based markup just as well.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { diffChapters, renderDiff } from './diff-page.ts'
import { highlightCode } from './highlight.ts'

const REQUEST_PARSER = path.join(import.meta.dirname, '..', '..', 'final', 'src', 'request-parser.ts')

/** The source text back out of highlighted HTML, and for each of its characters the attributes of the innermost span around it ('' for none). */
function colours(html: string): { text: string; colourAt: string[] } {
  const unescape = (text: string) => text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&')
  const stack: string[] = []
  let text = ''
  const colourAt: string[] = []
  for (const [, open, close, plain] of html.matchAll(/<span([^>]*)>|(<\/span>)|([^<]+)/g)) {
    if (open !== undefined) stack.push(open.trim())
    else if (close) stack.pop()
    else {
      const chunk = unescape(plain!)
      text += chunk
      for (let i = 0; i < chunk.length; i++) colourAt.push(stack.at(-1) ?? '')
    }
  }
  return { text, colourAt }
}

/** The colour of the first character of `word` in line `line` (1-based) of the highlighted code, checking the word is there. */
function colourOf(highlighted: { text: string; colourAt: string[] }, line: number, word: string): string {
  const lines = highlighted.text.split('\n')
  const column = lines[line - 1]!.indexOf(word)
  expect(column, `"${word}" on line ${line}: ${lines[line - 1]}`).toBeGreaterThanOrEqual(0)
  const offset = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0) + column
  return highlighted.colourAt[offset]!
}

describe('the book highlighter', () => {
  it('colours the code after the backtick inside TOKEN in final/src/request-parser.ts as code, not as one long string', () => {
    const source = readFileSync(REQUEST_PARSER, 'utf8')
    const highlighted = colours(highlightCode(source, 'ts'))
    expect(highlighted.text).toBe(source)
    const lines = source.split('\n')
    const tokenLine = lines.findIndex((line) => line.startsWith('const TOKEN = ') && line.includes('`')) + 1
    expect(tokenLine, 'the TOKEN regex with a backtick in it').toBeGreaterThan(0)
    const importLine = lines.findIndex((line) => line.startsWith('import ')) + 1
    const keyword = colourOf(highlighted, importLine, 'import')
    const string = colourOf(highlighted, importLine, "'./")
    expect(keyword, 'a keyword is coloured').not.toBe('')
    expect(string, 'a string is coloured, and not as a keyword').not.toBe('')
    expect(string).not.toBe(keyword)

    // Every declaration after TOKEN starts with a keyword coloured like `import` above it.
    const declarations = lines.map((line, i) => [i + 1, /^(?:export )?(?:function|const|class)\b/.exec(line)?.[0]] as const).filter(([number, match]) => number > tokenLine && match)
    expect(declarations.length).toBeGreaterThan(10)
    const wrong = declarations.filter(([number, match]) => colourOf(highlighted, number, match!.split(' ')[0]!) !== keyword).map(([number]) => `${number}: ${lines[number - 1]}`)
    expect(wrong, 'these lines do not start with a keyword colour').toEqual([])

    // No string-coloured run reaches past the end of its line: the file has no multi-line string.
    const stringRuns = [...highlighted.text].map((char, i) => (highlighted.colourAt[i] === string ? char : '\u0000')).join('').split('\u0000')
    expect(stringRuns.filter((run) => run.includes('\n'))).toEqual([])
  })

  it('colours override as a keyword in TypeScript', () => {
    const code = "class Handler extends Base {\n  override allowedMethods(): string[] {\n    return ['GET']\n  }\n}\n"
    const highlighted = colours(highlightCode(code, 'ts'))
    expect(highlighted.text).toBe(code)
    const keyword = colourOf(highlighted, 1, 'class')
    expect(keyword).not.toBe('')
    expect(colourOf(highlighted, 2, 'override')).toBe(keyword)
    expect(colourOf(highlighted, 2, 'allowedMethods')).not.toBe(keyword)
    expect(colourOf(highlighted, 3, "'GET'")).not.toBe(keyword)
  })

  it('adds no script, no link and no class: only spans with colours in their style, the source text escaped', () => {
    const samples: [string, string][] = [
      [readFileSync(REQUEST_PARSER, 'utf8'), 'ts'],
      ['<!doctype html>\n<script src="https://cdn.example.com/x.js"></script>\n<p class="a">hi</p>\n', 'html'],
      ["curl -s -H 'Content-Type: application/json' http://127.0.0.1:8888/api/login # log in\n", 'sh'],
      ['{"username": "dongdong", "password": "<let-me-in>"}', 'json'],
      ['def handle(self):\n    """A docstring"""\n    return 1\n', 'python'],
      ['body { color: red; }\n', 'css'],
      ['const a = `<b>${1}</b>`', 'js'],
      ['<script>alert(1)</script>', 'no-such-language'],
    ]
    for (const [code, lang] of samples) {
      const html = highlightCode(code, lang)
      expect(colours(html).text, lang).toBe(code)
      expect(html).not.toMatch(/<script/i)
      const markup = html.match(/<[^>]*>/g) ?? []
      const foreign = markup.filter((tag) => tag !== '</span>' && !/^<span style="(?:--shiki-[a-z-]+:[#\w]+;?)+">$/.test(tag))
      expect(foreign, lang).toEqual([])
    }
  })

  it('colours a diff line by what comes before its hunk: a line inside a template literal opened above the hunk is string', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'book-highlight-'))
    try {
      const page = (word: string) => ['export const page = `', '<!doctype html>', '<title>a page</title>', '<p>one</p>', '<p>two</p>', '<p>three</p>', `<p>for ${word} in the list</p>`, '<p>four</p>', '<p>five</p>', '<p>six</p>', '`', 'export function size(): number {', '  return page.length', '}', ''].join('\n')
      for (const [dir, word] of [['a', 'each'], ['b', 'every']] as const) {
        mkdirSync(path.join(root, dir, 'src'), { recursive: true })
        writeFileSync(path.join(root, dir, 'src', 'page.ts'), page(word))
      }
      const files = diffChapters(root, 'a', 'b')
      expect(files.map((file) => file.name)).toEqual(['src/page.ts'])
      const html = renderDiff(files)
      const lineOf = (prefix: string) => {
        const match = new RegExp(`<span class="line ${prefix}"><span class="marker">.</span>(.*?)</span>(?=<span class="line|</code>)`).exec(html)
        expect(match, `a ${prefix} line in ${html}`).not.toBeNull()
        return colours(match![1]!)
      }
      const string = colourOf(colours(highlightCode("const s = 'x'", 'ts')), 1, "'x'")
      const keyword = colourOf(colours(highlightCode("const s = 'x'", 'ts')), 1, 'const')
      const added = lineOf('add')
      const removed = lineOf('del')
      expect(added.text).toBe('<p>for every in the list</p>')
      expect(removed.text).toBe('<p>for each in the list</p>')
      // `for` and `in` are keywords in code, and plain text in a template literal.
      for (const line of [added, removed]) {
        expect(colourOf(line, 1, 'for')).toBe(string)
        expect(colourOf(line, 1, ' in ')).toBe(string)
        expect(colourOf(line, 1, 'for')).not.toBe(keyword)
      }
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
