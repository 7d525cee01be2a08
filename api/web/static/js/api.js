// The REST API, with the web session's token.

const SESSION = 'lpx.session';

export class ApiError extends Error {
  constructor(code, message, status) {
    super(message || code);
    this.code = code;
    this.status = status;
  }
}

export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION) || 'null');
  } catch {
    return null;
  }
}

export function setSession(s) {
  if (s) sessionStorage.setItem(SESSION, JSON.stringify(s));
  else sessionStorage.removeItem(SESSION);
}

const listeners = new Set();
export function onSessionExpired(fn) {
  listeners.add(fn);
}

// call sends a request; body is JSON. It answers the decoded JSON (or null
// for 204) and throws an ApiError with the API's code otherwise.
export async function call(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  const s = session();
  if (s && s.token) headers.Authorization = 'Bearer ' + s.token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (e) {
    throw new ApiError('network_error', String(e && e.message ? e.message : e), 0);
  }
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = data && data.error ? data.error : { code: 'http_' + res.status, message: res.statusText };
    if (res.status === 401 && s && (err.code === 'session_expired' || err.code === 'unauthorized')) {
      setSession(null);
      listeners.forEach((fn) => fn());
    }
    throw new ApiError(err.code, err.message, res.status);
  }
  return data;
}

export const get = (path) => call('GET', path);
export const post = (path, body, opts) => call('POST', path, body ?? {}, opts);
export const patch = (path, body) => call('PATCH', path, body);
export const del = (path) => call('DELETE', path);

export function idemKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// Cached public data.
let infoP = null, assetsP = null, marketsP = null;
export function info() {
  if (!infoP) infoP = get('/v1/info').catch((e) => { infoP = null; throw e; });
  return infoP;
}
export function assets(refresh) {
  if (!assetsP || refresh) assetsP = get('/v1/assets').then((r) => r.assets).catch((e) => { assetsP = null; throw e; });
  return assetsP;
}
export function markets(refresh) {
  if (!marketsP || refresh) marketsP = get('/v1/markets').then((r) => r.markets).catch((e) => { marketsP = null; throw e; });
  return marketsP;
}
export async function assetMap() {
  const m = new Map();
  for (const a of await assets()) m.set(a.symbol, a);
  return m;
}
