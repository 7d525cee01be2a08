// The browser tests' harness: a real `lpx serve` (embedded mode, demo
// world, dev chain) on loopback ports, Debian's Chromium driven by
// playwright-core, signed API clients, an injected EIP-1193 wallet whose
// keys stay in Node (ethers signs), and the checks every test shares: no
// page errors, no console errors but the failed loads a test provokes on
// purpose, screenshots for a person to look at.
//
// LPX_BIN names a built lpx (api/web/test.sh builds one); without it the
// harness builds one into a temporary directory once per test file.

import { spawn, execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, mkdirSync, copyFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { ethers } from 'ethers';

const here = path.dirname(fileURLToPath(import.meta.url));
export const webDir = path.resolve(here, '..');
export const repoDir = path.resolve(webDir, '..', '..');
export const screenshotDir = path.join(webDir, 'screenshots');
export const docsImgDir = path.join(repoDir, 'docs', 'img');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// eventually retries fn (an async check that throws while it is not yet
// true) until it passes or timeout ms pass; then throws fn's last error.
export async function eventually(fn, { timeout = 15000, interval = 200, what = '' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      if (what && last instanceof Error) last.message = `${what} (after ${timeout} ms): ${last.message}`;
      throw last;
    }
    await sleep(interval);
  }
}

// ---------------------------------------------------------------- the server

function lpxBinary() {
  if (process.env.LPX_BIN) return process.env.LPX_BIN;
  const dir = mkdtempSync(path.join(tmpdir(), 'lpx-web-bin-'));
  const bin = path.join(dir, 'lpx');
  execFileSync('go', ['build', '-o', bin, './cmd/lpx'], { cwd: repoDir, stdio: 'inherit' });
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return bin;
}

// startServer runs `lpx serve` on a fresh data directory with free loopback
// ports, waits for the demo world to be seeded, /readyz to answer 200 and
// the demo market maker to quote both markets, and answers what it printed:
// the base URL, the dev chain's JSON-RPC URL and the admin key.
export async function startServer() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lpx-web-data-'));
  const bin = lpxBinary();
  const proc = spawn(bin, ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--dev-chain-rpc', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => { stdout += d; });
  proc.stderr.on('data', (d) => { stderr += d; if (stderr.length > 1 << 20) stderr = stderr.slice(-(1 << 19)); });
  let exited = null;
  proc.on('exit', (code, signal) => { exited = { code, signal }; });
  const killNow = () => { if (!exited) proc.kill('SIGKILL'); };
  process.on('exit', killNow);
  // A test run stopped by a signal (Ctrl-C, the runner's timeout) stops its server too.
  const onSignal = (sig) => { killNow(); process.exit(sig === 'SIGINT' ? 130 : 143); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const server = {
    proc, dataDir,
    get stdout() { return stdout; },
    get stderr() { return stderr; },
    async stop() {
      if (!exited) {
        proc.kill('SIGTERM');
        const deadline = Date.now() + 10000;
        while (!exited && Date.now() < deadline) await sleep(50);
        if (!exited) { proc.kill('SIGKILL'); while (!exited) await sleep(50); }
      }
      process.off('exit', killNow);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    const deadline = Date.now() + 120000;
    for (;;) {
      if (exited) throw new Error(`lpx serve exited (${JSON.stringify(exited)}):\n${stdout}\n${stderr.slice(-4000)}`);
      if (/try it: lpx demo --server/.test(stdout)) break;
      if (/could not be seeded/.test(stdout)) throw new Error(`lpx serve could not seed the demo world:\n${stdout}`);
      if (Date.now() > deadline) throw new Error(`lpx serve did not seed the demo world in 120 s:\n${stdout}\n${stderr.slice(-4000)}`);
      await sleep(100);
    }
    server.base = stdout.match(/lpx is serving on (http:\/\/\S+)/)[1];
    server.rpcUrl = stdout.match(/JSON-RPC (http:\/\/[0-9.:]+)/)[1];
    server.chainId = Number(stdout.match(/chain id (\d+)/)[1]);
    const key = stdout.match(/LPX-KEY:\s+(\S+)\s+secret:\s+(\S+)/);
    assert.ok(key, `no admin key in lpx serve's output:\n${stdout}`);
    server.admin = new Api(server.base, { key: key[1], secret: key[2] });
    await eventually(async () => {
      const r = await fetch(server.base + '/readyz');
      assert.equal(r.status, 200, '/readyz');
    }, { timeout: 60000, what: '/readyz' });
    // The demo market maker quotes both markets (the quotes need its book).
    const markets = (await server.admin.get('/v1/markets')).markets;
    for (const m of markets) {
      await eventually(async () => {
        const b = await server.admin.get(`/v1/markets/${m.symbol}/book?depth=5`);
        assert.ok(b.bids.length > 0 && b.asks.length > 0, `${m.symbol} is not quoted yet`);
      }, { timeout: 60000, what: `the demo market maker's quotes on ${m.symbol}` });
    }
    server.assets = (await server.admin.get('/v1/assets')).assets;
    server.markets = markets;
    return server;
  } catch (err) {
    await server.stop();
    throw err;
  }
}

// --------------------------------------------------------------- API clients

export class ApiError extends Error {
  constructor(method, p, status, body) {
    super(`${method} ${p}: ${status} ${JSON.stringify(body)}`);
    this.status = status;
    this.body = body;
    this.code = body?.error?.code;
  }
}

// Api calls the REST API signed with an HMAC key (LPX-KEY, LPX-TIMESTAMP in
// ms, LPX-SIGNATURE = base64(HMAC-SHA256(secret, ts + method + path + body)),
// as scripts/lpx-curl and api/client do), or with a session's bearer token,
// or with nothing for the public routes.
export class Api {
  constructor(base, { key, secret, token } = {}) {
    this.base = base;
    this.key = key;
    this.secret = secret;
    this.token = token;
    this.lastTs = 0;
  }

  // A signature is accepted once: two requests never share a timestamp.
  timestamp() {
    this.lastTs = Math.max(Date.now(), this.lastTs + 1);
    return String(this.lastTs);
  }

  async raw(method, p, body, headers = {}) {
    const text = body === undefined ? '' : JSON.stringify(body);
    const h = { ...headers };
    if (text) h['Content-Type'] = 'application/json';
    if (this.key) {
      const ts = this.timestamp();
      h['LPX-KEY'] = this.key;
      h['LPX-TIMESTAMP'] = ts;
      h['LPX-SIGNATURE'] = createHmac('sha256', this.secret).update(ts + method + p + text).digest('base64');
    } else if (this.token) {
      h.Authorization = `Bearer ${this.token}`;
    }
    const r = await fetch(this.base + p, { method, headers: h, body: text || undefined });
    const t = await r.text();
    let json = null;
    try { json = t ? JSON.parse(t) : null; } catch { json = t; }
    return { status: r.status, body: json, headers: r.headers };
  }

  async call(method, p, body, headers) {
    const r = await this.raw(method, p, body, headers);
    if (r.status < 200 || r.status > 299) throw new ApiError(method, p, r.status, r.body);
    return r.body;
  }

  get(p) { return this.call('GET', p); }
  post(p, body = {}, headers) { return this.call('POST', p, body, headers); }
  patch(p, body, headers) { return this.call('PATCH', p, body, headers); }
  del(p) { return this.call('DELETE', p); }

  // balances answers {ASSET: {available, held}} from GET /v1/balances.
  async balances() {
    const out = {};
    for (const b of (await this.get('/v1/balances')).balances) out[b.asset] = { available: b.available, held: b.held };
    return out;
  }
}

// keyFor makes (with the admin key) an HMAC key for an existing account.
export async function keyFor(server, account, scopes) {
  const k = await server.admin.post(`/v1/admin/accounts/${account}/keys`, { scopes, label: 'browser tests' });
  return new Api(server.base, { key: k.id, secret: k.secret });
}

// newAccount makes an account with an HMAC key; answers {id, api}.
export async function newAccount(server, kind, name, scopes) {
  const a = await server.admin.post('/v1/admin/accounts', { kind, name, scopes });
  return { id: a.id, api: new Api(server.base, { key: a.key.id, secret: a.key.secret }) };
}

// brandOf answers the demo brand account that owns an asset.
export function brandOf(server, symbol) {
  const a = server.assets.find((x) => x.symbol === symbol);
  assert.ok(a && a.brand, `no brand owns ${symbol}`);
  return a.brand;
}

// issue credits a customer with a brand's asset and waits until the mint is
// confirmed and credited (2-3 s on the dev chain).
export async function issue(brandApi, customer, asset, amount, reference = `t-${randomBytes(6).toString('hex')}`) {
  await brandApi.post('/v1/brand/issues', { customer: String(customer), asset, amount, reference });
  return eventually(async () => {
    const i = await brandApi.get(`/v1/brand/issues/${reference}`);
    assert.equal(i.status, 'credited', `issue ${reference} is ${i.status}`);
    return i;
  }, { timeout: 30000, interval: 300, what: `issue ${reference}` });
}

// linkWallet links an ethers wallet to the account of api (a key with the
// withdraw scope): the challenge, signed with personal_sign, then POST.
export async function linkWallet(api, wallet) {
  const ch = await api.post('/v1/wallets/challenge', { address: wallet.address });
  const signature = await wallet.signMessage(ch.message);
  return api.post('/v1/wallets', { message: ch.message, signature });
}

// ---------------------------------------------------------------- the browser

export const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

export function launchBrowser() {
  return chromium.launch({ executablePath: process.env.LPX_CHROMIUM || '/usr/bin/chromium', args: chromiumArgs });
}

// PageWatch records what a page does that a test checks at its end: page
// errors, console errors, and every request it sends. A console error is
// allowed only when it is the failed load of a request the test provoked
// on purpose (allow(status, method, pathPrefix) before provoking it).
export class PageWatch {
  constructor(page, name) {
    this.page = page;
    this.name = name;
    this.pageErrors = [];
    this.consoleErrors = [];
    this.requests = [];
    this.failures = []; // responses >= 400: {method, url, status}
    this.allowed = [];
    page.on('pageerror', (err) => this.pageErrors.push(String(err && err.stack || err)));
    page.on('console', (msg) => {
      if (msg.type() === 'error') this.consoleErrors.push({ text: msg.text(), url: msg.location()?.url || '' });
    });
    page.on('request', (req) => this.requests.push({ method: req.method(), url: req.url(), body: req.postData(), at: Date.now() }));
    page.on('response', (res) => {
      if (res.status() >= 400) this.failures.push({ method: res.request().method(), url: res.url(), status: res.status() });
    });
  }

  // allow lets one kind of failed load (a status, a method and a path
  // prefix under the server) be logged as a console error.
  allow(status, method, pathPrefix) {
    this.allowed.push({ status, method, pathPrefix });
  }

  mark() { return this.requests.length; }

  // writesSince answers the requests after mark that could change state.
  writesSince(mark) {
    return this.requests.slice(mark).filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method));
  }

  // check asserts no page error and no console error but allowed failed loads.
  // Each check looks at what happened since the previous one.
  check() {
    const pageErrors = this.pageErrors.splice(0);
    const consoleErrors = this.consoleErrors.splice(0);
    assert.deepEqual(pageErrors, [], `${this.name}: page errors`);
    const unexpected = [];
    for (const e of consoleErrors) {
      const m = e.text.match(/^Failed to load resource: the server responded with a status of (\d+)/);
      if (m) {
        const status = Number(m[1]);
        let u;
        try { u = new URL(e.url); } catch { u = null; }
        const failure = this.failures.find((f) => f.url === e.url && f.status === status);
        const ok = u && this.allowed.some((a) => a.status === status && u.pathname.startsWith(a.pathPrefix) &&
          (!failure || !a.method || a.method === failure.method));
        if (ok) continue;
      }
      unexpected.push({ text: e.text.slice(0, 160), url: e.url });
    }
    assert.deepEqual(unexpected, [], `${this.name}: console errors`);
  }
}

// guard wraps a test's body: when it fails, the console errors and page
// errors its actions cause are still coming in; they are the failed test's
// (drained here), not charged to the next test.
export function guard(watches, fn) {
  return async (t) => {
    try {
      return await fn(t);
    } catch (err) {
      await sleep(500);
      for (const w of watches()) { w.pageErrors.splice(0); w.consoleErrors.splice(0); }
      throw err;
    }
  };
}

// installWallet injects an EIP-1193 provider as window.ethereum before any
// script of the page runs. Its request() calls back into Node, where the
// ethers wallet answers: accounts (in lower case, as MetaMask answers
// them), the chain id, personal_sign (signed here, the key never enters
// the page), transactions (signed here, sent to the dev chain), and any
// other JSON-RPC method forwarded to the dev chain. calls records every
// method asked.
export async function installWallet(context, wallet, server) {
  const provider = new ethers.JsonRpcProvider(server.rpcUrl, server.chainId, { staticNetwork: true });
  const signer = wallet.connect(provider);
  const calls = [];
  const address = wallet.address.toLowerCase();
  await context.exposeFunction('__lpxWalletRequest', async (method, paramsJSON) => {
    const params = paramsJSON ? JSON.parse(paramsJSON) : [];
    calls.push({ method, params });
    try {
      switch (method) {
        case 'eth_requestAccounts':
        case 'eth_accounts':
          return { result: [address] };
        case 'eth_chainId':
          return { result: '0x' + server.chainId.toString(16) };
        case 'net_version':
          return { result: String(server.chainId) };
        case 'wallet_switchEthereumChain':
        case 'wallet_addEthereumChain': {
          const id = Number(params[0]?.chainId);
          if (id !== server.chainId) return { error: { code: 4902, message: `unknown chain ${params[0]?.chainId}` } };
          return { result: null };
        }
        case 'wallet_requestPermissions':
        case 'wallet_getPermissions':
          return { result: [{ parentCapability: 'eth_accounts' }] };
        case 'personal_sign': {
          const [data, who] = params;
          if (String(who).toLowerCase() !== address) return { error: { code: 4100, message: `not this wallet's account: ${who}` } };
          const msg = /^0x[0-9a-fA-F]*$/.test(data) ? ethers.getBytes(data) : data;
          return { result: await wallet.signMessage(msg) };
        }
        case 'eth_sendTransaction': {
          const tx = { ...params[0] };
          delete tx.from;
          delete tx.gas;
          const sent = await signer.sendTransaction(tx);
          return { result: sent.hash };
        }
        default:
          return { result: await provider.send(method, params) };
      }
    } catch (err) {
      return { error: { code: -32603, message: String(err && err.message || err) } };
    }
  });
  await context.addInitScript(() => {
    const listeners = {};
    const ethereum = {
      isLpxTestWallet: true,
      async request({ method, params } = {}) {
        const answer = await window.__lpxWalletRequest(method, params === undefined ? '' : JSON.stringify(params));
        if (answer.error) {
          const err = new Error(answer.error.message);
          err.code = answer.error.code;
          throw err;
        }
        return answer.result;
      },
      on(ev, fn) { (listeners[ev] ||= []).push(fn); return ethereum; },
      removeListener(ev, fn) { listeners[ev] = (listeners[ev] || []).filter((f) => f !== fn); return ethereum; },
      off(ev, fn) { return ethereum.removeListener(ev, fn); },
    };
    window.ethereum = ethereum;
    window.dispatchEvent(new Event('ethereum#initialized'));
  });
  return { calls, provider, signer, address: wallet.address };
}

// newPage opens a browser context (its own cookies and storage) with an
// optional wallet, and a page with its watch.
export async function newPage(browser, server, { wallet, name = 'page', width = 1280 } = {}) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'en-US' });
  const w = wallet ? await installWallet(context, wallet, server) : null;
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const watch = new PageWatch(page, name);
  return { context, page, watch, wallet: w };
}

// signIn clicks the wallet sign-in and waits for the signed-in account.
export async function signIn(page) {
  await page.locator('[data-testid="signin-wallet"]').first().click();
  const acct = page.locator('[data-testid="account"]').first();
  await acct.waitFor({ state: 'visible', timeout: 20000 });
  const id = await acct.getAttribute('data-account');
  assert.match(String(id), /^[0-9]+$/, 'data-account is an account id');
  return id;
}

// go navigates by the page's own links (the hash routes) and waits for the view.
export async function go(page, hash, view) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.locator(`main[data-view="${view}"]`).waitFor({ state: 'attached' });
}

// ---------------------------------------------------------------- page readers

// pageBalances reads the balances table (on the home view when the current
// view has none: it goes there and comes back).
export async function pageBalances(page) {
  if (await page.locator('table[data-testid="balances"]').count() === 0) {
    const hash = await page.evaluate(() => location.hash);
    const view = await page.locator('main').getAttribute('data-view');
    await go(page, '#/', 'home');
    await page.locator('table[data-testid="balances"]').waitFor({ state: 'attached' });
    await sleep(300);
    const b = await readBalances(page);
    await go(page, hash, view);
    return b;
  }
  return readBalances(page);
}

function readBalances(page) {
  return page.$$eval('table[data-testid="balances"] tr[data-asset]', (rows) => {
    const out = {};
    for (const r of rows) out[r.dataset.asset] = { available: r.dataset.available, held: r.dataset.held };
    return out;
  });
}

// nonzero drops the assets with nothing available and nothing held (the API leaves them out).
export function nonzero(bal) {
  const out = {};
  for (const [k, v] of Object.entries(bal)) if (!(Number(v.available) === 0 && Number(v.held) === 0)) out[k] = v;
  return out;
}

export async function pageBook(page) {
  return page.$$eval('[data-testid="book"] [data-side]', (rows) => rows.map((r) => ({ side: r.dataset.side, price: r.dataset.price, size: r.dataset.size })));
}

export async function pageTrades(page) {
  return page.$$eval('[data-testid="trades"] [data-price]', (rows) => rows.map((r) => ({ price: r.dataset.price, size: r.dataset.size })));
}

// alertCode waits for a visible role=alert with a data-code and answers the code.
export async function alertCodes(page) {
  return page.$$eval('[role="alert"][data-code]', (els) => els
    .filter((e) => e.offsetParent !== null || e.getClientRects().length > 0)
    .map((e) => e.dataset.code));
}

export async function expectAlert(page, code, timeout = 10000) {
  await eventually(async () => {
    assert.ok((await alertCodes(page)).includes(code), `visible alerts ${JSON.stringify(await alertCodes(page))} lack ${code}`);
  }, { timeout, interval: 100 });
}

// refuses clicks a form's submit with bad input in it and checks that the
// page refuses it: a new visible role=alert with the code appears (the
// alerts on the page before the click do not count), and the page sends
// nothing that could change state (no POST, PATCH, DELETE) meanwhile.
export async function refuses(page, watch, submit, code, what) {
  await page.$$eval('[role="alert"]', (els) => { for (const e of els) e.__lpxSeen = true; });
  const mark = watch.mark();
  await page.locator(submit).click();
  await eventually(async () => {
    const fresh = await page.$$eval('[role="alert"][data-code]', (els) => els
      .filter((e) => !e.__lpxSeen && e.getClientRects().length > 0)
      .map((e) => e.dataset.code));
    assert.ok(fresh.includes(code), `${what}: new visible alerts ${JSON.stringify(fresh)} lack ${code}`);
  }, { timeout: 10000, interval: 100 });
  await sleep(300);
  assert.deepEqual(watch.writesSince(mark), [], `${what}: nothing sent that changes state`);
}

// ---------------------------------------------------------------- screenshots

// shoot writes the view in English and German at 360 and 1280 px wide to
// api/web/screenshots/<view>-<width>-<lang>.png, checks that the language
// switch changes <html lang> and the page's text, and leaves the page in
// English at 1280 px. It answers the files written.
// prepare, if given, runs after each language switch (which re-renders the
// view) to fill the view's forms for the picture.
export async function shoot(page, view, { docsAs, prepare } = {}) {
  mkdirSync(screenshotDir, { recursive: true });
  const files = [];
  const texts = {};
  for (const lang of ['en', 'de']) {
    await page.selectOption('#lang', lang);
    await eventually(async () => assert.equal(await page.evaluate(() => document.documentElement.lang), lang, '<html lang>'), { timeout: 5000 });
    if (prepare) await prepare();
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await sleep(300);
      const f = path.join(screenshotDir, `${view}-${width}-${lang}.png`);
      await page.screenshot({ path: f, fullPage: true });
      files.push(f);
      if (width === 1280) texts[lang] = await page.evaluate(() => document.querySelector('main').innerText);
      if (width === 360) {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `the ${view} view (${lang}) is ${overflow} px wider than a 360 px screen`);
      }
      await accessible(page, `the ${view} view (${lang}, ${width} px)`);
    }
  }
  assert.notEqual(texts.de, texts.en, `the ${view} view reads the same in German as in English`);
  await page.selectOption('#lang', 'en');
  await page.setViewportSize({ width: 1280, height: 900 });
  // The README's pictures change (addresses, times) at every run: they are
  // refreshed only when asked, LPX_UPDATE_DOCS_IMAGES=1 api/web/test.sh.
  if (docsAs && process.env.LPX_UPDATE_DOCS_IMAGES === '1') {
    mkdirSync(docsImgDir, { recursive: true });
    copyFileSync(path.join(screenshotDir, `${view}-1280-en.png`), path.join(docsImgDir, docsAs));
  }
  return files;
}

// accessible fails on any WCAG 2.1 A or AA violation axe-core finds in the
// page as it is (labels, names, contrast, structure, ARIA). axe runs
// through the DevTools protocol, so the page's Content-Security-Policy
// stays as it is for everything else.
const axeSource = readFileSync(path.join(webDir, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
export async function accessible(page, what) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], `${what}: accessibility violations`);
}

export { ethers, assert, existsSync };
