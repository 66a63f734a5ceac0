// A document root for the static-file suites, with the traps a root must withstand beside it:
//   <base>/site/...            the root the server is given
//   <base>/site-secret/...     a sibling whose name starts with the root's (the startsWith trap)
//   <base>/outside.txt         a file just above the root
//   <base>/site/link-out       a symbolic link from inside the root to outside.txt

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** Every file outside the root holds this; no response may ever contain it. */
export const SECRET = 'TOP-SECRET-do-not-serve'

export interface FixtureSite {
  base: string
  root: string
  /** The files inside the root, by URL path, with their bytes. */
  files: Map<string, Buffer>
  cleanup(): void
}

const TEXT_FILES: Record<string, string> = {
  'index.html': '<!doctype html><title>root index</title><h1>root index</h1>\n',
  'style.css': 'body { color: #333 }\n',
  'app.js': 'console.log("hi")\n',
  'data.json': '{"ok":true}\n',
  'notes.txt': 'plain notes\n',
  'logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
  'a..b.txt': 'dots in the middle of a name are fine\n',
  'dir with space/file name.txt': 'space in the path\n',
  '你好.txt': '你好，世界\n',
  'sub/index.html': '<!doctype html><title>sub index</title>\n',
  'sub/page.html': '<!doctype html><title>sub page</title>\n',
  'empty-dir/.keep': '',
}

// Small but real headers of each binary type, so a server that sniffs content would still agree.
const BINARY_FILES: Record<string, Buffer> = {
  'image.png': Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
  'photo.jpg': Buffer.from('ffd8ffe000104a464946', 'hex'),
  'anim.gif': Buffer.from('474946383961010001000000', 'hex'),
  'favicon.ico': Buffer.from('00000100010010100000', 'hex'),
  'module.wasm': Buffer.from('0061736d01000000', 'hex'),
  'paper.pdf': Buffer.from('%PDF-1.4\n%%EOF\n'),
  'blob.unknownext': Buffer.from([0, 1, 2, 3, 255]),
}

export function createSite(): FixtureSite {
  const base = mkdtempSync(path.join(tmpdir(), 'workbook-site-'))
  const root = path.join(base, 'site')
  const files = new Map<string, Buffer>()
  const put = (relative: string, data: Buffer) => {
    const full = path.join(root, relative)
    mkdirSync(path.dirname(full), { recursive: true })
    writeFileSync(full, data)
    files.set(`/${relative}`, data)
  }
  for (const [name, text] of Object.entries(TEXT_FILES)) put(name, Buffer.from(text))
  for (const [name, data] of Object.entries(BINARY_FILES)) put(name, data)
  files.delete('/empty-dir/.keep')
  writeFileSync(path.join(root, '.env'), `SECRET=${SECRET}\n`) // a dot file is never served
  mkdirSync(path.join(base, 'site-secret'))
  writeFileSync(path.join(base, 'site-secret', 'secret.txt'), `${SECRET}\n`)
  writeFileSync(path.join(base, 'outside.txt'), `${SECRET}\n`)
  symlinkSync(path.join(base, 'outside.txt'), path.join(root, 'link-out'))
  symlinkSync(path.join(base, 'site-secret'), path.join(root, 'dir-out'))
  symlinkSync('notes.txt', path.join(root, 'link-in'))
  return { base, root, files, cleanup: () => rmSync(base, { recursive: true, force: true }) }
}
