// The WebSocket API: one connection for the page, pings every second,
// resubscribes after a reconnect. Book channels are kept by Book, which
// checks prev_seq and the CRC-32 and resubscribes on a gap or a mismatch.

import { cmp } from './decimal.js';
import { session } from './api.js';

const PRIVATE = new Set(['orders', 'fills', 'balances']);

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(str) {
  const bytes = new TextEncoder().encode(str);
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// checksum is the book's CRC-32 over the top 10 levels, interleaved.
export function checksum(bids, asks) {
  const parts = [];
  for (let i = 0; i < 10; i++) {
    if (i < bids.length) parts.push(bids[i][0], bids[i][1]);
    if (i < asks.length) parts.push(asks[i][0], asks[i][1]);
  }
  return crc32(parts.join(':'));
}

class Conn {
  constructor() {
    this.ws = null;
    this.nextId = 1;
    this.pending = new Map();
    this.handlers = new Map(); // channel -> Set(fn)
    this.refs = new Map(); // channel -> count
    this.statusFns = new Set();
    this.open = false;
    this.timer = null;
  }

  url() {
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/v1/ws';
  }

  connect() {
    if (this.ws) return;
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.onopen = async () => {
      this.open = true;
      this.loggedOn = false;
      this.status(true);
      this.timer = setInterval(() => this.request('ping').catch(() => {}), 1000);
      const pub = [...this.refs.keys()].filter((c) => !PRIVATE.has(c));
      if (pub.length) this.request('subscribe', { channels: pub }).catch(() => {});
      await this.logon();
    };
    ws.onmessage = (ev) => {
      let m;
      try { m = JSON.parse(ev.data); } catch { return; }
      if (m.id !== undefined && this.pending.has(m.id)) {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error) p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
        else p.resolve(m.result);
        return;
      }
      if (m.channel && this.handlers.has(m.channel)) {
        for (const fn of this.handlers.get(m.channel)) fn(m.data, m);
      }
    };
    ws.onclose = () => {
      clearInterval(this.timer);
      this.ws = null;
      this.open = false;
      this.loggedOn = false;
      this.status(false);
      for (const p of this.pending.values()) p.reject(Object.assign(new Error('closed'), { code: 'network_error' }));
      this.pending.clear();
      if (this.refs.size) setTimeout(() => this.connect(), 1500);
    };
    ws.onerror = () => {};
  }

  // logon signs the connection in with the web session (once per
  // connection) and subscribes the private channels wanted.
  async logon() {
    const s = session();
    if (!this.open || this.loggedOn || !s || !s.token) return;
    this.loggedOn = true;
    this.token = s.token;
    try {
      await this.request('session.logon', { token: s.token });
    } catch (e) {
      console.info('websocket logon refused:', e.code || e.message);
      return;
    }
    const priv = [...this.refs.keys()].filter((c) => PRIVATE.has(c));
    if (priv.length) this.request('subscribe', { channels: priv }).catch(() => {});
  }

  // reset drops the connection after a sign-in or sign-out; it reconnects
  // if anything is subscribed.
  reset() {
    if (this.ws) this.ws.close();
  }

  status(up) {
    for (const fn of this.statusFns) fn(up);
  }

  request(method, params) {
    return new Promise((resolve, reject) => {
      if (!this.ws || this.ws.readyState !== 1) return reject(Object.assign(new Error('not connected'), { code: 'network_error' }));
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  // subscribe calls fn(data, message) for each push on channel; the
  // answer is the function that unsubscribes.
  subscribe(channel, fn) {
    if (!this.handlers.has(channel)) this.handlers.set(channel, new Set());
    this.handlers.get(channel).add(fn);
    const n = (this.refs.get(channel) || 0) + 1;
    this.refs.set(channel, n);
    if (n === 1 && this.open) {
      if (!PRIVATE.has(channel)) this.request('subscribe', { channels: [channel] }).catch(() => {});
      else if (this.loggedOn) this.request('subscribe', { channels: [channel] }).catch(() => {});
      else this.logon();
    }
    this.connect();
    return () => {
      this.handlers.get(channel)?.delete(fn);
      const left = (this.refs.get(channel) || 1) - 1;
      if (left <= 0) {
        this.refs.delete(channel);
        this.handlers.delete(channel);
        if (this.open) this.request('unsubscribe', { channels: [channel] }).catch(() => {});
      } else this.refs.set(channel, left);
    };
  }

  // resubscribe asks for a fresh snapshot of channel.
  async resubscribe(channel) {
    if (!this.open) return;
    try {
      await this.request('unsubscribe', { channels: [channel] });
      await this.request('subscribe', { channels: [channel] });
    } catch { /* the reconnect resubscribes */ }
  }
}

export const conn = new Conn();

// Book follows book.<market>: onChange(book) after each snapshot or update
// whose checksum matches. book = {seq, bids: [[p, s]], asks: [[p, s]]}.
export class Book {
  constructor(market, onChange) {
    this.market = market;
    this.channel = 'book.' + market;
    this.onChange = onChange;
    this.seq = null;
    this.bids = new Map();
    this.asks = new Map();
    this.resyncs = 0;
    this.off = conn.subscribe(this.channel, (d) => this.push(d));
  }

  close() {
    this.off();
  }

  sorted() {
    const bids = [...this.bids.entries()].sort((a, b) => cmp(b[0], a[0]));
    const asks = [...this.asks.entries()].sort((a, b) => cmp(a[0], b[0]));
    return { bids, asks };
  }

  push(d) {
    if (d.prev_seq === undefined || d.prev_seq === null) {
      this.bids = new Map((d.bids || []).map(([p, s]) => [p, s]));
      this.asks = new Map((d.asks || []).map(([p, s]) => [p, s]));
      this.seq = d.seq;
    } else {
      if (this.seq === null) return; // waiting for a snapshot
      if (d.prev_seq !== this.seq) return this.resync('gap');
      for (const [p, s] of d.bids || []) this.level(this.bids, p, s);
      for (const [p, s] of d.asks || []) this.level(this.asks, p, s);
      this.seq = d.seq;
    }
    const { bids, asks } = this.sorted();
    if (d.checksum !== undefined && checksum(bids, asks) !== d.checksum) return this.resync('checksum');
    this.onChange({ seq: this.seq, bids, asks });
  }

  level(side, p, s) {
    // A level is keyed by its price's value: "0.50" and "0.5" are one level.
    for (const k of side.keys()) {
      if (k !== p && cmp(k, p) === 0) side.delete(k);
    }
    if (/^[0.]+$/.test(s)) side.delete(p);
    else side.set(p, s);
  }

  resync(why) {
    this.resyncs++;
    this.seq = null;
    console.info(`book ${this.market}: ${why}, resubscribing`);
    conn.resubscribe(this.channel);
  }
}
