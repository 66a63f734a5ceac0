// The login page's script. Plain JavaScript, no framework, nothing fetched from anywhere but the
// server that sent this page, so it works offline.
//
// The API the server implements (chapter 06), all JSON, all relative to this page's origin:
//
//   POST /api/login    Content-Type: application/json   {"username": "...", "password": "..."}
//     200 {"username": "...", "displayName": "..."}
//         + Set-Cookie: sid=...; HttpOnly; SameSite=Strict; Path=/; Max-Age=...
//     401 {"error": "Wrong username or password"}
//     400 / 411 / 413 / 415 {"error": "..."}   a body that is malformed, unsized, too big, or not JSON
//   GET /api/me
//     200 {"username": "...", "displayName": "..."}   the user whose sid cookie came with the request
//     401 {"error": "Not logged in"}
//   POST /api/logout
//     200 {"ok": true} + Set-Cookie: sid=; ...; Max-Age=0   the session ends on the server too
//
// Text from the server is only ever put on the page with textContent, never innerHTML: a display
// name like "<img onerror=...>" then shows as those characters instead of running as code.

'use strict'

const WIRE_LOG_ENTRIES = 6 // exchanges kept in "What went over the wire"

const loginPanel = document.getElementById('login-panel')
const welcomePanel = document.getElementById('welcome-panel')
const form = document.getElementById('login-form')
const usernameInput = document.getElementById('username')
const passwordInput = document.getElementById('password')
const loginButton = document.getElementById('login-button')
const logoutButton = document.getElementById('logout-button')
const welcomeTitle = document.getElementById('welcome-title')
const welcomeUsername = document.getElementById('welcome-username')
const statusLine = document.getElementById('status')
const wireLog = document.getElementById('wire-log')

form.addEventListener('submit', async (event) => {
  event.preventDefault() // no page load: the script sends the request itself
  const username = usernameInput.value.trim()
  const password = passwordInput.value
  if (!checkFilledIn(username, password)) return
  setBusy(loginButton, true, 'Logging in…')
  try {
    const answer = await callApi('POST', '/api/login', { username, password })
    if (answer.status === 200 && answer.data) {
      passwordInput.value = ''
      showWelcome(answer.data)
      showStatus(`Logged in as ${answer.data.username}.`, 'ok')
      welcomeTitle.focus()
    } else {
      showStatus(errorMessage(answer), 'error')
      passwordInput.select()
      passwordInput.focus()
    }
  } finally {
    setBusy(loginButton, false, 'Log in')
  }
})

logoutButton.addEventListener('click', async () => {
  setBusy(logoutButton, true, 'Logging out…')
  try {
    const answer = await callApi('POST', '/api/logout')
    if (answer.status === 200) {
      showLogin()
      showStatus('You are logged out.', 'ok')
      usernameInput.focus()
    } else {
      showStatus(errorMessage(answer), 'error')
    }
  } finally {
    setBusy(logoutButton, false, 'Log out')
  }
})

// After a reload the page knows nothing; the browser still has the cookie. Ask who we are.
async function restoreSession() {
  const answer = await callApi('GET', '/api/me')
  if (answer.status === 200 && answer.data) {
    showWelcome(answer.data)
  } else if (answer.status !== 401) {
    showStatus(`${errorMessage(answer)} (while asking GET /api/me who is logged in)`, 'error')
  }
}

/**
 * One request and its answer: { status, statusText, data } where data is the parsed JSON body, or
 * null if the body was not JSON (a server that has no such route yet answers with an HTML page).
 */
async function callApi(method, path, body) {
  const init = { method, headers: {} }
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  let response
  try {
    response = await fetch(path, init)
  } catch (error) {
    const answer = { status: 0, statusText: 'no answer', data: null, failure: String(error) }
    logExchange(method, path, body, answer)
    return answer
  }
  const text = await response.text()
  let data = null
  try {
    data = JSON.parse(text)
  } catch {
    // not JSON: errorMessage() says so
  }
  const answer = { status: response.status, statusText: response.statusText, data }
  logExchange(method, path, body, answer, text)
  return answer
}

function errorMessage(answer) {
  if (answer.status === 0) return 'Could not reach the server. Is it still running?'
  if (answer.data && typeof answer.data.error === 'string') return answer.data.error
  return `The server answered ${answer.status} ${answer.statusText} without a JSON error message.`
}

function checkFilledIn(username, password) {
  usernameInput.setAttribute('aria-invalid', String(username === ''))
  passwordInput.setAttribute('aria-invalid', String(password === ''))
  const empty = username === '' ? usernameInput : password === '' ? passwordInput : null
  if (!empty) return true
  showStatus(`Enter your ${empty.name}.`, 'error')
  empty.focus()
  return false
}

function showWelcome(user) {
  welcomeTitle.textContent = `Welcome, ${user.displayName || user.username}`
  welcomeUsername.textContent = user.username
  loginPanel.hidden = true
  welcomePanel.hidden = false
}

function showLogin() {
  welcomePanel.hidden = true
  loginPanel.hidden = false
}

function showStatus(message, kind) {
  statusLine.textContent = message
  statusLine.className = `status ${kind}`
}

function setBusy(button, busy, label) {
  button.disabled = busy
  button.textContent = label
  button.setAttribute('aria-busy', String(busy))
}

/** Add an exchange to "What went over the wire", newest first, the password masked. */
function logExchange(method, path, body, answer, text = '') {
  const shown = body && body.password !== undefined ? { ...body, password: '•••' } : body
  const item = document.createElement('li')
  const request = document.createElement('span')
  request.className = 'request'
  request.textContent = `→ ${method} ${path}${shown ? ` ${formatJson(shown)}` : ''}`
  const response = document.createElement('span')
  response.className = 'response'
  const reply = answer.data !== null ? formatJson(answer.data) : `${text.length} bytes, not JSON`
  response.textContent = answer.status === 0 ? `← ${answer.failure}` : `← ${answer.status} ${answer.statusText} ${reply}`
  item.append(request, response)
  if (path === '/api/login' && answer.status === 200) {
    const note = document.createElement('span')
    note.className = 'note'
    note.textContent = 'The answer also set the sid cookie. It is HttpOnly, so this script cannot see it; the browser sends it back by itself.'
    item.append(note)
  }
  wireLog.prepend(item)
  while (wireLog.children.length > WIRE_LOG_ENTRIES) wireLog.lastElementChild.remove()
}

/** JSON with a space after each colon and comma, so a long line can wrap between fields. */
function formatJson(value) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return JSON.stringify(value)
  return `{${Object.entries(value).map(([key, field]) => `${JSON.stringify(key)}: ${JSON.stringify(field)}`).join(', ')}}`
}

restoreSession()
