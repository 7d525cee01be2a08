// Decimal amounts as strings and BigInt units: money never goes through a
// JS float here.

import { current } from './i18n.js';

const DEC = /^[0-9]+(\.[0-9]+)?$/;

// normalize turns what a person typed into a plain decimal string (spaces
// and a leading "+" are dropped) or null when it is not one. In German a
// comma is the decimal mark ("1,5" is 1.5); in English a comma is refused
// rather than guessed at ("1,234" could mean 1234 or 1.234).
export function normalize(input) {
  let s = String(input ?? '').trim().replace(/[\s\u00a0\u202f']/g, '');
  if (s.startsWith('+')) s = s.slice(1);
  if (current() === 'de' && s.includes(',') && !s.includes('.')) s = s.replace(',', '.');
  if (s.startsWith('.')) s = '0' + s;
  if (s.endsWith('.')) s = s.slice(0, -1);
  return DEC.test(s) ? s : null;
}

// decimals is how many places a plain decimal string has.
export function decimals(s) {
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}

// toUnits is s in units of 10^-scale; s must have at most scale places.
export function toUnits(s, scale) {
  const [i, f = ''] = s.split('.');
  if (f.length > scale) throw new Error('too_many_decimals');
  return BigInt(i + f.padEnd(scale, '0'));
}

// toUnitsDown is s in units of 10^-scale, extra places cut off.
export function toUnitsDown(s, scale) {
  const [i, f = ''] = s.split('.');
  return BigInt(i + f.slice(0, scale).padEnd(scale, '0'));
}

// fromUnits writes units of 10^-scale as a decimal string with exactly
// scale places.
export function fromUnits(u, scale) {
  const neg = u < 0n;
  let s = (neg ? -u : u).toString();
  if (scale > 0) {
    s = s.padStart(scale + 1, '0');
    s = s.slice(0, -scale) + '.' + s.slice(-scale);
  }
  return (neg ? '-' : '') + s;
}

// cmp compares two plain decimal strings: -1, 0 or 1.
export function cmp(a, b) {
  const sc = Math.max(decimals(a), decimals(b));
  const x = toUnits(a, sc), y = toUnits(b, sc);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function isZero(s) {
  return /^[0.]+$/.test(s);
}

// check parses an amount for a form: {value} (a plain decimal string) or
// {code} (invalid_decimal, not_positive, too_many_decimals).
export function check(input, scale) {
  const s = normalize(input);
  if (s === null) return { code: 'invalid_decimal' };
  if (isZero(s)) return { code: 'not_positive' };
  if (scale !== undefined && decimals(s) > scale) return { code: 'too_many_decimals', scale };
  return { value: s };
}

// minReceive is amountOut × (1 − slippagePercent/100), rounded down at
// scale, but at least one unit when the quote gives something: a small
// quote of a coarse token (1 coupon, 1% slippage) must not round down to
// no protection at all.
export function minReceive(amountOut, slippagePercent, scale) {
  const out = toUnitsDown(amountOut, scale);
  const slip = toUnitsDown(slippagePercent, 6); // percent with 6 places
  const whole = 100n * 1000000n;
  if (slip >= whole) return fromUnits(0n, scale);
  let min = (out * (whole - slip)) / whole;
  if (min === 0n && out > 0n) min = 1n;
  return fromUnits(min, scale);
}

// format writes a plain decimal string for people: grouped thousands and
// the language's decimal mark, every digit kept.
export function format(s, lang) {
  if (s === null || s === undefined || s === '') return '–';
  s = String(s);
  const neg = s.startsWith('-');
  if (neg) s = s.slice(1);
  const [i, f] = s.split('.');
  const group = lang === 'de' ? '.' : ',';
  const mark = lang === 'de' ? ',' : '.';
  const gi = i.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return (neg ? '−' : '') + gi + (f !== undefined ? mark + f : '');
}

// toNumber is for charts only, never for money.
export function toNumber(s) {
  return Number(s);
}

// trimZeros drops trailing zeros after the decimal mark (the value stays exact).
export function trimZeros(s) {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}
