// Draws the page's ```mermaid blocks with the copy of mermaid served beside the book (no CDN),
// in the reader's colour scheme.
const dark = window.matchMedia('(prefers-color-scheme: dark)').matches
window.mermaid.initialize({ startOnLoad: true, theme: dark ? 'dark' : 'default', securityLevel: 'strict' })
