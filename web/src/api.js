// Talking to minqing serve. The session lives in the HttpOnly cookie the server sets at sign-in:
// this code never sees or stores the token. Every POST says X-Requested-With (the server's CSRF
// check for cookie-authenticated writes).

export class ApiError extends Error {
  constructor(status, message, body = null) {
    super(message);
    this.status = status;
    this.body = body; // the server's JSON answer, when it sent one (a 412 names the current version)
  }
}

async function answer(res) {
  if (res.ok) return res.status === 204 ? null : res.json();
  throw await apiError(res);
}

// The ApiError of a failed answer, with the server's JSON detail when there is one.
export async function apiError(res) {
  let detail = res.statusText;
  let body = null;
  try {
    body = await res.json();
    detail = body.detail || body.error || detail;
  } catch {
    // not JSON: keep the status text
  }
  return new ApiError(res.status, detail, body);
}

export async function get(path, params) {
  const url = params ? `${path}?${new URLSearchParams(params)}` : path;
  return answer(await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } }));
}

export async function post(path, body) {
  const headers = { 'X-Requested-With': 'minqing', Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return answer(await fetch(path, {
    method: 'POST', credentials: 'same-origin', headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  }));
}

// A request whose answer's ETag matters (reading a feature to edit it, writing it): {body, etag}.
// Writes say X-Requested-With like every POST; `headers` adds If-Match or a Content-Type.
export async function send(method, path, { body, headers = {} } = {}) {
  const h = { 'X-Requested-With': 'minqing', Accept: 'application/geo+json, application/json', ...headers };
  if (body !== undefined && !h['Content-Type']) h['Content-Type'] = 'application/geo+json';
  const res = await fetch(path, {
    method, credentials: 'same-origin', headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw await apiError(res);
  return { body: res.status === 204 ? null : await res.json(), etag: res.headers.get('ETag') };
}
