// Bytes as a student reads them: CR and LF made visible, one wire line per printed line.

const MAX_SHOWN = 2_000 // characters; a 200 MiB body is summarised, not printed

export function showBytes(data: Buffer | string, indent = '  '): string {
  const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data
  if (buf.length === 0) return `${indent}(nothing)`
  let text = ''
  for (const byte of buf.subarray(0, MAX_SHOWN)) text += showByte(byte)
  const lines = text.split(/(?<=\\n)/).map((line) => indent + line)
  if (buf.length > MAX_SHOWN) lines.push(`${indent}... (${buf.length - MAX_SHOWN} more bytes)`)
  return lines.join('\n')
}

function showByte(byte: number): string {
  if (byte === 0x0d) return '\\r'
  if (byte === 0x0a) return '\\n'
  if (byte === 0x09) return '\\t'
  if (byte === 0x5c) return '\\\\'
  if (byte >= 0x20 && byte < 0x7f) return String.fromCharCode(byte)
  return `\\x${byte.toString(16).padStart(2, '0')}`
}
