// Where each repository path lives in the book, and how a markdown link becomes a book link.
// Explainers become pages; any other file or folder a link names is rendered (or copied) into the
// site under its own repository path, so that every internal link the book prints answers 200.

import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import path from 'node:path'

/** How the book shows a repository path that is not an explainer. */
export type ExtraKind = 'source' | 'folder' | 'raw'

export interface Extra {
  /** Relative to the repository: `chapters/05-static-files/src/static-files.ts`. */
  repoPath: string
  kind: ExtraKind
  sitePath: string
}

const MAX_SOURCE_BYTES = 512 * 1024 // 512 KiB: bigger files are copied as they are, not rendered
const RENDERED_AS_TEXT = /\.(ts|mts|js|mjs|cjs|json|md|txt|html|htm|css|py|sh|yml|yaml|toml)$|(^|\/)[^./]+$/i
const EXTERNAL = /^(?:[a-z][a-z\d+.-]*:|\/\/)/i // http:, mailto:, data:, protocol-relative

export class LinkMap {
  /** Repository paths (markdown files and chapter folders) of the book's own pages, to site paths. */
  private readonly pages = new Map<string, string>()
  /** Files and folders that links named, to render after the explainers. */
  readonly extras = new Map<string, Extra>()

  /** What git tracks (files and their folders), or undefined outside a git checkout. */
  private readonly tracked: Set<string> | undefined

  constructor(private readonly repoRoot: string) {
    this.tracked = trackedPaths(repoRoot)
  }

  /**
   * Whether the book may show this path. In a git checkout only what git tracks: a learner's
   * stray `echo.py` or a build's output is not published with the book. Elsewhere (an unpacked
   * tarball) everything but dot files and node_modules.
   */
  isPublished(repoPath: string): boolean {
    if (isHidden(repoPath)) return false
    return repoPath === '' || this.tracked === undefined || this.tracked.has(repoPath)
  }

  /** Register a page: links to `repoPath` (a README.md, or its folder) lead to `sitePath`. */
  addPage(repoPath: string, sitePath: string): void {
    this.pages.set(repoPath, sitePath)
  }

  /**
   * The href to print on the page at `fromSitePath` for a link written in `fromRepoFile`, or
   * undefined when its target is not in the repository (an explainer not written yet).
   */
  resolve(href: string, fromRepoFile: string, fromSitePath: string): string | undefined {
    if (href === '' || href.startsWith('#') || EXTERNAL.test(href)) return href
    const [, pathPart = '', suffix = ''] = /^([^?#]*)(.*)$/.exec(href)!
    if (pathPart.startsWith('/')) return undefined // an absolute path means nothing inside the repository
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(fromRepoFile), safeDecode(pathPart)))
    const sitePath = this.sitePathFor(target === '.' ? '' : target.replace(/\/+$/, ''))
    if (sitePath === undefined) return undefined
    return relativeHref(fromSitePath, sitePath) + suffix
  }

  /** The site path for a repository path, registering it as an extra if it is new; undefined if missing. */
  sitePathFor(repoPath: string): string | undefined {
    if (repoPath.startsWith('..')) return undefined
    const page = this.pages.get(repoPath)
    if (page !== undefined) return page
    const known = this.extras.get(repoPath)
    if (known) return known.sitePath
    const absolute = path.join(this.repoRoot, repoPath)
    if (!this.isPublished(repoPath) || !existsSync(absolute)) return undefined
    const stats = statSync(absolute)
    const kind: ExtraKind = stats.isDirectory() ? 'folder' : RENDERED_AS_TEXT.test(repoPath) && stats.size <= MAX_SOURCE_BYTES ? 'source' : 'raw'
    const sitePath = kind === 'folder' ? `${repoPath}/index.html` : kind === 'source' ? `${repoPath}.html` : repoPath
    this.extras.set(repoPath, { repoPath, kind, sitePath })
    return sitePath
  }
}

/** A relative href from one site page to another, so the site works from any folder, even file://. */
export function relativeHref(fromSitePath: string, toSitePath: string): string {
  const relative = path.posix.relative(path.posix.dirname(fromSitePath), toSitePath)
  return relative.split('/').map(encodeURIComponent).join('/') || path.posix.basename(toSitePath)
}

function trackedPaths(repoRoot: string): Set<string> | undefined {
  const listed = spawnSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8' })
  if (listed.status !== 0 || listed.error) return undefined
  const paths = new Set<string>()
  for (const file of listed.stdout.split('\0')) {
    if (file === '') continue
    paths.add(file)
    for (let folder = path.posix.dirname(file); folder !== '.' && !paths.has(folder); folder = path.posix.dirname(folder)) paths.add(folder)
  }
  return paths
}

/** Dot files, and folders nobody reads (the workbook's servers would not serve dot files anyway). */
function isHidden(repoPath: string): boolean {
  return repoPath.split('/').some((segment) => segment.startsWith('.') || segment === 'node_modules')
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
