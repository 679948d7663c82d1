// Talking to minqing serve. The session lives in the HttpOnly cookie the server sets at sign-in:
// this code never sees or stores the token. Every POST says X-Requested-With (the server's CSRF
// check for cookie-authenticated writes).

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function answer(res) {
  if (res.ok) return res.status === 204 ? null : res.json();
  throw await apiError(res);
}

// The ApiError of a failed answer, with the server's JSON detail when there is one.
export async function apiError(res) {
  let detail = res.statusText;
  try {
    const body = await res.json();
    detail = body.detail || body.error || detail;
  } catch {
    // not JSON: keep the status text
  }
  return new ApiError(res.status, detail);
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
