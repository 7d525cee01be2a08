// lpx's web page: hash routes, sign-in, and the views under js/views/.

import * as i18n from './js/i18n.js';
import * as api from './js/api.js';
import * as auth from './js/auth.js';
import { esc, showError, busy } from './js/ui.js';
import { conn } from './js/ws.js';
import * as home from './js/views/home.js';
import * as swap from './js/views/swap.js';
import * as market from './js/views/market.js';
import * as wallet from './js/views/wallet.js';
import * as brand from './js/views/brand.js';

const t = i18n.t;
const views = { home, swap, market, wallet, brand };
let cleanup = null;
let renderSeq = 0;
let demoMode = false;

function route() {
  const h = location.hash.replace(/^#/, '') || '/';
  const parts = h.split('/').filter(Boolean);
  switch (parts[0]) {
    case undefined: return { view: 'home', params: {} };
    case 'swap': return { view: 'swap', params: {} };
    case 'market': return { view: 'market', params: { market: decodeURIComponent(parts[1] || 'ACME-LPX').toUpperCase() } };
    case 'wallet': return { view: 'wallet', params: {} };
    case 'brand': return { view: 'brand', params: {} };
    default: return { view: 'home', params: {} };
  }
}

async function render() {
  const seq = ++renderSeq;
  if (cleanup) { try { cleanup(); } catch (e) { console.error(e); } cleanup = null; }
  const { view, params } = route();
  const main = document.getElementById('main');
  main.dataset.view = view;
  main.replaceChildren();
  document.querySelectorAll('[data-nav]').forEach((a) => {
    if (a.dataset.nav === view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  const ctx = { session: api.session(), params, demoMode, rerender: render, refreshAuth: renderAuth };
  try {
    const c = await views[view].render(main, ctx);
    if (seq !== renderSeq) { if (c) c(); return; }
    cleanup = c || null;
  } catch (e) {
    console.error(e);
    const box = document.createElement('div');
    main.append(box);
    showError(box, e);
  }
  document.title = `${t('nav.' + view)} · lpx`;
}

function renderAuth() {
  const el = document.getElementById('auth');
  const s = api.session();
  if (s) {
    el.innerHTML = `
      <p data-testid="account" data-account="${esc(s.account)}" data-address="${esc(s.address)}">
        <span>${esc(t('auth.account'))} <strong>${esc(s.account)}</strong></span>
        <span class="kind">${esc(t('account.' + s.kind))}${s.wallet === 'demo' ? ' · ' + esc(t('auth.demoWallet')) : ''}</span>
        <span class="addr" title="${esc(s.address)}"><span class="visually-hidden">${esc(t('auth.address'))} </span><code>${esc(s.address)}</code></span>
      </p>
      <button type="button" data-testid="signout">${esc(t('auth.signout'))}</button>
      <div class="alerts"></div>`;
    el.querySelector('[data-testid="signout"]').addEventListener('click', async (ev) => {
      await busy(ev.currentTarget, () => auth.signOut());
      conn.reset();
      renderAuth();
      render();
    });
  } else {
    el.innerHTML = `
      <button type="button" data-testid="signin-wallet">${esc(t('auth.signinWallet'))}</button>
      ${demoMode ? `<button type="button" data-testid="signin-demo" class="demo">${esc(t('auth.signinDemo'))}</button>
      <span class="note demo-note">${esc(t('auth.demoNote'))}</span>` : ''}
      <div class="alerts"></div>`;
    const alerts = el.querySelector('.alerts');
    el.querySelector('[data-testid="signin-wallet"]').addEventListener('click', (ev) => signIn(ev.currentTarget, alerts, () => auth.signInInjected()));
    el.querySelector('[data-testid="signin-demo"]')?.addEventListener('click', (ev) => signIn(ev.currentTarget, alerts, () => auth.signInDemo()));
  }
}

async function signIn(btn, alerts, fn) {
  showError(alerts, null);
  try {
    await busy(btn, fn);
  } catch (e) {
    showError(alerts, e);
    return;
  }
  conn.reset();
  renderAuth();
  render();
}

async function start() {
  await i18n.init();
  const sel = document.getElementById('lang');
  sel.value = i18n.current();
  sel.addEventListener('change', async () => {
    await i18n.set(sel.value);
    i18n.apply();
    renderAuth();
    render();
  });
  i18n.apply();
  try {
    const info = await api.info();
    demoMode = !!(info && info.demo);
  } catch {
    demoMode = false;
  }
  api.onSessionExpired(() => { conn.reset(); renderAuth(); render(); });
  renderAuth();
  window.addEventListener('hashchange', () => {
    render();
    document.getElementById('main').focus({ preventScroll: true });
  });
  await render();
  document.documentElement.dataset.ready = 'true';
}

start().catch((e) => {
  console.error(e);
  const m = document.getElementById('main');
  m.textContent = String(e);
});
