// Small helpers for the views.

import { t, current, has } from './i18n.js';
import { format } from './decimal.js';

export function esc(v) {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

// amt writes an amount for people, in the page's language, every digit kept.
export function amt(s) {
  return esc(format(s, current()));
}

export function errText(code, message, vars) {
  const key = 'err.' + code;
  if (has(key)) return t(key, vars);
  return t('err.other', { message: message || code });
}

// showError puts an alert with the API's code into box (or clears it with null).
export function showError(box, err, vars) {
  if (!box) return;
  box.replaceChildren();
  if (!err) return;
  const code = err.code || 'internal';
  const p = document.createElement('p');
  p.className = 'alert';
  p.setAttribute('role', 'alert');
  p.dataset.code = code;
  const text = document.createElement('span');
  text.textContent = errText(code, err.message, vars || err.vars);
  const c = document.createElement('code');
  c.textContent = code;
  p.append(text, ' ', '(', c, ')');
  box.append(p);
}

export function clientError(code, vars) {
  return { code, message: code, vars };
}

export function sideWord(side) {
  return t('side.' + side);
}

export function kindWord(kind) {
  return t('kind.' + kind);
}

export function statusWord(status) {
  return has('status.' + status) ? t('status.' + status) : status;
}

export function assetLabel(a) {
  if (!a) return '';
  const name = a.name && a.name !== a.symbol ? ` · ${a.name}` : '';
  return `${a.symbol}${name}`;
}

export function assetOptions(list, selected) {
  return list.map((a) => `<option value="${esc(a.symbol)}"${a.symbol === selected ? ' selected' : ''}>${esc(assetLabel(a))}</option>`).join('');
}

export function short(addr) {
  if (!addr) return '';
  return addr.slice(0, 6) + '…' + addr.slice(-4);
}

// busy disables a button while fn runs.
export async function busy(btn, fn) {
  if (btn) { btn.disabled = true; btn.setAttribute('aria-busy', 'true'); }
  try {
    return await fn();
  } finally {
    if (btn) { btn.disabled = false; btn.removeAttribute('aria-busy'); }
  }
}

// every runs fn now and every ms while the view lives; answers a stop function.
export function every(ms, fn) {
  let stopped = false;
  let timer = null;
  const run = async () => {
    if (stopped) return;
    try { await fn(); } catch (e) { console.debug(e); }
    if (!stopped) timer = setTimeout(run, ms);
  };
  run();
  return () => { stopped = true; clearTimeout(timer); };
}

export function signInPrompt() {
  return `<p class="note">${esc(t('auth.needed'))}</p>`;
}
