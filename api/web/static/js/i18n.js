// English and German: chosen from navigator.languages, switchable,
// remembered in localStorage.

const KEY = 'lpx.lang';
export const LANGS = ['en', 'de'];
let lang = 'en';
let dict = {};
let fallback = {};

export function current() {
  return lang;
}

function pick() {
  const saved = localStorage.getItem(KEY);
  if (LANGS.includes(saved)) return saved;
  for (const l of navigator.languages || [navigator.language || 'en']) {
    const base = String(l).toLowerCase().split('-')[0];
    if (LANGS.includes(base)) return base;
  }
  return 'en';
}

async function load(l) {
  const r = await fetch(`i18n/${l}.json`);
  return r.json();
}

export async function init() {
  fallback = await load('en');
  await set(pick(), false);
}

export async function set(l, remember = true) {
  if (!LANGS.includes(l)) l = 'en';
  dict = l === 'en' ? fallback : await load(l);
  lang = l;
  document.documentElement.lang = l;
  if (remember) localStorage.setItem(KEY, l);
}

// t is the string of key with {name} placeholders filled in.
export function t(key, vars) {
  let s = dict[key] ?? fallback[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
  return s;
}

// has says whether key has a string.
export function has(key) {
  return key in dict || key in fallback;
}

// apply fills [data-i18n] (text), [data-i18n-aria] (aria-label) and
// [data-i18n-ph] (placeholder) under root.
export function apply(root = document) {
  root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll('[data-i18n-aria]').forEach((el) => el.setAttribute('aria-label', t(el.dataset.i18nAria)));
  root.querySelectorAll('[data-i18n-ph]').forEach((el) => el.setAttribute('placeholder', t(el.dataset.i18nPh)));
}

export function dateTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  if (isNaN(d)) return iso;
  return d.toLocaleString(lang === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}
