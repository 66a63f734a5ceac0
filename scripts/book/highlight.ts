// A tiny syntax highlighter for the book's code blocks: enough to tell keywords, strings and
// comments apart, at build time, so the site needs no script and no CDN to colour code.
// Each token becomes <span class="tok-KIND">; the stylesheet gives the kinds their colours.

export type TokenKind = 'kw' | 'str' | 'com' | 'num' | 'fn' | 'ty' | 'attr' | 'var'

/** An ordered list of token patterns; the first that matches at a position wins. No capturing groups. */
type Rules = [TokenKind, RegExp][]

const TS_KEYWORDS =
  'abstract as async await break case catch class const continue declare default delete do else enum export extends false finally for from function if implements import in instanceof interface keyof let new null of private protected public readonly return satisfies static super switch this throw true try type typeof undefined var void while yield'
const PYTHON_KEYWORDS =
  'and as assert async await break class continue def del elif else except False finally for from global if import in is lambda None nonlocal not or pass raise return self True try while with yield'
const SH_KEYWORDS = 'case do done elif else esac exec export fi for function if in local return set then unset until while'

const STRING_DOUBLE = /"(?:\\.|[^"\\\n])*"/
const STRING_SINGLE = /'(?:\\.|[^'\\\n])*'/
const NUMBER = /\b(?:0x[\da-fA-F]+|\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?n?)\b/

const TS: Rules = [
  ['com', /\/\/[^\n]*|\/\*[\s\S]*?\*\//],
  ['str', /`(?:\\[\s\S]|[^`\\])*`/],
  ['str', STRING_SINGLE],
  ['str', STRING_DOUBLE],
  ['kw', words(TS_KEYWORDS)],
  ['num', NUMBER],
  ['ty', /\b[A-Z][\w$]*\b/],
  ['fn', /\b[a-z_$][\w$]*(?=\s*\()/],
]

const PYTHON: Rules = [
  ['com', /#[^\n]*/],
  ['str', /[rbf]?(?:"""[\s\S]*?"""|'''[\s\S]*?''')/],
  ['str', new RegExp(`[rbf]?(?:${STRING_SINGLE.source}|${STRING_DOUBLE.source})`)],
  ['kw', words(PYTHON_KEYWORDS)],
  ['attr', /@[\w.]+/],
  ['num', NUMBER],
  ['ty', /\b[A-Z][\w]*\b/],
  ['fn', /\b[a-z_][\w]*(?=\()/],
]

const SH: Rules = [
  ['com', /(?<![^\s])#[^\n]*/], // `#` starts a comment only at the start of a word
  ['str', STRING_SINGLE],
  ['str', STRING_DOUBLE],
  ['str', /\bhttps?:\/\/[^\s'"]+/],
  ['var', /\$\{[^}\n]*\}|\$[\w?@#]+/],
  ['kw', words(SH_KEYWORDS)],
  ['fn', /\b(?:npm|npx|node|curl|python3|git|tsx|cd|echo|printf|nc)\b(?!-)/],
  ['attr', /(?<=\s)--?[\w-]+/],
  ['num', NUMBER],
]

const HTTP: Rules = [
  ['kw', /^(?:GET|HEAD|POST|PUT|DELETE|OPTIONS|PATCH|TRACE|CONNECT)\b|\bHTTP\/\d(?:\.\d)?\b/m],
  ['num', /(?<=^HTTP\/\d(?:\.\d)? )\d{3}\b/m],
  ['attr', /^[\w-]+(?=:)/m],
  ['str', /(?<=^[\w-]+:[ \t]*)[^\n]+/m],
]

const JSON_RULES: Rules = [
  ['attr', /"(?:\\.|[^"\\\n])*"(?=\s*:)/],
  ['str', STRING_DOUBLE],
  ['kw', /\b(?:true|false|null)\b/],
  ['num', /-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b/],
]

const HTML: Rules = [
  ['com', /<!--[\s\S]*?-->/],
  ['kw', /<\/?[a-zA-Z][\w-]*|\/?>/],
  ['str', STRING_DOUBLE],
  ['str', STRING_SINGLE],
  ['attr', /(?<=\s)[a-zA-Z-:]+(?==)/],
]

const LANGUAGES: Record<string, Rules> = {
  ts: TS,
  typescript: TS,
  js: TS,
  javascript: TS,
  mjs: TS,
  python: PYTHON,
  py: PYTHON,
  sh: SH,
  bash: SH,
  shell: SH,
  console: SH,
  http: HTTP,
  json: JSON_RULES,
  html: HTML,
}

const patterns = new Map<Rules, RegExp>()

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;')
}

/** Is there a highlighter for this language name (a fence's info string, or a file extension)? */
export function isKnownLanguage(lang: string): boolean {
  return lang.toLowerCase() in LANGUAGES
}

/** HTML for `code`: escaped, and with token spans when the language is known. */
export function highlightCode(code: string, lang = ''): string {
  const rules = LANGUAGES[lang.toLowerCase()]
  if (!rules) return escapeHtml(code)
  const pattern = combinedPattern(rules)
  let html = ''
  let last = 0
  for (const match of code.matchAll(pattern)) {
    const index = match.slice(1).findIndex((group) => group !== undefined)
    if (match[0] === '' || index === -1) continue
    html += escapeHtml(code.slice(last, match.index)) + `<span class="tok-${rules[index]![0]}">${escapeHtml(match[0])}</span>`
    last = match.index + match[0].length
  }
  return html + escapeHtml(code.slice(last))
}

/** The language to highlight a file in, from its name: `static-files.ts` is ts. */
export function languageForFile(filePath: string): string {
  const extension = filePath.slice(filePath.lastIndexOf('.') + 1).toLowerCase()
  if (extension === 'htm') return 'html'
  return isKnownLanguage(extension) ? extension : ''
}

function combinedPattern(rules: Rules): RegExp {
  let pattern = patterns.get(rules)
  if (!pattern) {
    pattern = new RegExp(rules.map(([, rule]) => `(${rule.source})`).join('|'), 'gm')
    patterns.set(rules, pattern)
  }
  return pattern
}

function words(list: string): RegExp {
  return new RegExp(`\\b(?:${list.split(' ').join('|')})\\b`)
}
