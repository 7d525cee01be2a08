// #/market/<SYMBOL> : the live book (WebSocket, prev_seq and CRC-32
// checked), recent trades, candles and depth charts, limit orders (place,
// amend, cancel), open orders and history.

import * as api from '../api.js';
import { t, dateTime, current } from '../i18n.js';
import { esc, amt, showError, clientError, busy, sideWord, statusWord, every } from '../ui.js';
import * as dec from '../decimal.js';
import { Book, conn } from '../ws.js';

let lwcP = null;
function lwc() {
  if (!lwcP) lwcP = import('../../vendor/lightweight-charts.standalone.production.mjs');
  return lwcP;
}

function chartColors() {
  const dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
  return dark
    ? { bg: '#16181d', text: '#d8dbe2', grid: '#2a2e37', up: '#3fb68b', down: '#ff6b6b' }
    : { bg: '#ffffff', text: '#1d2129', grid: '#eceef2', up: '#0a7f55', down: '#c62828' };
}

export async function render(main, ctx) {
  const symbol = ctx.params.market;
  const markets = await api.markets();
  const m = markets.find((x) => x.symbol === symbol);
  if (!m) {
    main.innerHTML = `<h1>${esc(t('market.title'))}</h1><div class="alerts"></div>
      <ul class="markets">${markets.map((x) => `<li><a href="#/market/${esc(x.symbol)}">${esc(x.symbol)}</a></li>`).join('')}</ul>`;
    showError(main.querySelector('.alerts'), clientError('unknown_market'));
    return null;
  }
  const am = await api.assetMap();
  const base = am.get(m.base), quote = am.get(m.quote);
  const signedIn = !!ctx.session;
  main.innerHTML = `
    <h1>${esc(t('market.title'))} ${esc(m.symbol)}</h1>
    <nav class="subnav" aria-label="${esc(t('market.others'))}">
      ${markets.map((x) => `<a href="#/market/${esc(x.symbol)}"${x.symbol === symbol ? ' aria-current="page"' : ''}>${esc(x.symbol)}</a>`).join(' ')}
    </nav>
    <p class="ticker" id="ticker" aria-live="off"></p>
    ${m.status === 'halted' ? `<p class="alert-static">${esc(t('market.halted'))}</p>` : ''}
    <div class="alerts" id="mk-alerts"></div>
    <div class="market-grid">
      <section class="card" aria-labelledby="book-h">
        <h2 id="book-h">${esc(t('market.book'))}</h2>
        <div class="table-wrap" tabindex="0">
        <table data-testid="book" class="book">
          <thead><tr><th scope="col">${esc(t('col.side'))}</th><th scope="col" class="num">${esc(t('col.price'))} (${esc(m.quote)})</th><th scope="col" class="num">${esc(t('col.size'))} (${esc(m.base)})</th></tr></thead>
          <tbody id="asks"></tbody>
          <tbody id="spread"><tr><td colspan="3" class="spread note"></td></tr></tbody>
          <tbody id="bids"></tbody>
        </table>
        </div>
        <p class="note" id="book-status"></p>
      </section>
      <section class="card" aria-labelledby="trades-h">
        <h2 id="trades-h">${esc(t('market.trades'))}</h2>
        <div class="table-wrap scroll-y" tabindex="0">
        <table data-testid="trades">
          <thead><tr><th scope="col">${esc(t('col.time'))}</th><th scope="col">${esc(t('col.side'))}</th><th scope="col" class="num">${esc(t('col.price'))}</th><th scope="col" class="num">${esc(t('col.size'))}</th></tr></thead>
          <tbody></tbody>
        </table>
        </div>
      </section>
      <section class="card chart-card" aria-labelledby="candles-h">
        <h2 id="candles-h">${esc(t('market.candles'))}</h2>
        <div class="chart" id="candles" data-testid="candles-chart" role="img" aria-label="${esc(t('market.candlesAria', { market: m.symbol }))}"></div>
      </section>
      <section class="card chart-card" aria-labelledby="depth-h">
        <h2 id="depth-h">${esc(t('market.depth'))}</h2>
        <div class="chart" id="depth" data-testid="depth-chart" role="img" aria-label="${esc(t('market.depthAria', { market: m.symbol }))}"></div>
        <p class="legend note"><span class="sw bid" aria-hidden="true"></span> ${esc(t('market.depthBids'))} · <span class="sw ask" aria-hidden="true"></span> ${esc(t('market.depthAsks'))}</p>
      </section>
      <section class="card" aria-labelledby="order-h">
        <h2 id="order-h">${esc(t('market.place'))}</h2>
        <form id="order-form" class="form" novalidate>
          <div class="field">
            <label for="order-side">${esc(t('col.side'))}</label>
            <select id="order-side" name="side">
              <option value="buy">${esc(t('side.buy'))} (${esc(t('market.buyWhat', { base: m.base }))})</option>
              <option value="sell">${esc(t('side.sell'))} (${esc(t('market.sellWhat', { base: m.base }))})</option>
            </select>
          </div>
          <div class="field">
            <label for="order-price">${esc(t('col.price'))} (${esc(m.quote)})</label>
            <input id="order-price" name="price" type="text" inputmode="decimal" autocomplete="off" aria-describedby="order-price-hint">
            <p class="hint" id="order-price-hint">${esc(t('market.tickHint', { tick: dec.format(m.tick, current()) }))}</p>
          </div>
          <div class="field">
            <label for="order-size">${esc(t('col.size'))} (${esc(m.base)})</label>
            <input id="order-size" name="size" type="text" inputmode="decimal" autocomplete="off" aria-describedby="order-size-hint">
            <p class="hint" id="order-size-hint">${esc(t('market.lotHint', { lot: dec.format(m.lot, current()), min: dec.format(m.min_size, current()) }))}</p>
          </div>
          <div class="alerts" id="order-alerts"></div>
          <button type="submit" class="primary" data-testid="order-submit">${esc(t('market.submit'))}</button>
          <p class="note" id="order-result" aria-live="polite"></p>
          ${signedIn ? '' : `<p class="note">${esc(t('auth.needed'))}</p>`}
        </form>
      </section>
      <section class="card wide" aria-labelledby="open-h">
        <h2 id="open-h">${esc(t('market.open'))}</h2>
        <div class="alerts" id="open-alerts"></div>
        <div class="table-wrap" tabindex="0">
        <table data-testid="open-orders">
          <thead><tr><th scope="col">${esc(t('col.id'))}</th><th scope="col">${esc(t('col.side'))}</th><th scope="col" class="num">${esc(t('col.price'))}</th><th scope="col" class="num">${esc(t('col.size'))}</th><th scope="col" class="num">${esc(t('col.filled'))}</th><th scope="col">${esc(t('col.actions'))}</th></tr></thead>
          <tbody></tbody>
        </table>
        </div>
        <div id="amend-box"></div>
      </section>
      <section class="card wide" aria-labelledby="hist-h">
        <h2 id="hist-h">${esc(t('market.history'))}</h2>
        <div class="table-wrap" tabindex="0">
        <table data-testid="order-history">
          <thead><tr><th scope="col">${esc(t('col.time'))}</th><th scope="col">${esc(t('col.side'))}</th><th scope="col" class="num">${esc(t('col.price'))}</th><th scope="col" class="num">${esc(t('col.size'))}</th><th scope="col" class="num">${esc(t('col.filled'))}</th><th scope="col">${esc(t('col.status'))}</th></tr></thead>
          <tbody></tbody>
        </table>
        </div>
      </section>
    </div>`;

  const $ = (s) => main.querySelector(s);
  const alerts = $('#mk-alerts');
  const cleanups = [];
  let stopped = false;
  const colors = chartColors();

  // The book.
  const bookStatus = $('#book-status');
  let lastBook = { bids: [], asks: [] };
  let depthUpdate = null;
  const book = new Book(symbol, (b) => {
    lastBook = b;
    const row = (side, [p, s]) => `<tr data-side="${side}" data-price="${esc(p)}" data-size="${esc(s)}" class="${side}">
      <td>${esc(t(side === 'bid' ? 'market.bid' : 'market.ask'))}</td><td class="num">${amt(p)}</td><td class="num">${amt(s)}</td></tr>`;
    $('#asks').innerHTML = b.asks.slice(0, 10).reverse().map((l) => row('ask', l)).join('');
    $('#bids').innerHTML = b.bids.slice(0, 10).map((l) => row('bid', l)).join('');
    const spread = b.bids.length && b.asks.length
      ? t('market.spread', { n: dec.format(dec.fromUnits(dec.toUnitsDown(b.asks[0][0], m.price_scale) - dec.toUnitsDown(b.bids[0][0], m.price_scale), m.price_scale), current()) })
      : '';
    $('.spread').textContent = spread;
    bookStatus.textContent = t('market.bookSeq', { seq: b.seq });
    if (depthUpdate) depthUpdate(b);
  });
  cleanups.push(() => book.close());
  const connStatus = (up) => { if (!up) bookStatus.textContent = t('market.reconnecting'); };
  conn.statusFns.add(connStatus);
  cleanups.push(() => conn.statusFns.delete(connStatus));

  // Trades.
  const tradesBody = $('[data-testid="trades"] tbody');
  let trades = [];
  const drawTrades = () => {
    tradesBody.innerHTML = trades.slice(0, 50).map((tr) => `<tr data-price="${esc(tr.price)}" data-size="${esc(tr.size)}" data-side="${esc(tr.side)}" class="${tr.side === 'buy' ? 'bid' : 'ask'}">
      <td><time datetime="${esc(tr.time)}">${esc(new Date(tr.time).toLocaleTimeString(current() === 'de' ? 'de-DE' : 'en-GB'))}</time></td>
      <td class="side-${esc(tr.side)}">${esc(sideWord(tr.side))}</td><td class="num">${amt(tr.price)}</td><td class="num">${amt(tr.size)}</td></tr>`).join('');
  };
  api.get(`/v1/markets/${encodeURIComponent(symbol)}/trades?limit=50`).then((r) => {
    const seen = new Set(trades.map((x) => x.time + x.price + x.size));
    trades = trades.concat(r.trades.filter((x) => !seen.has(x.time + x.price + x.size)));
    drawTrades();
  }).catch((e) => showError(alerts, e));
  cleanups.push(conn.subscribe('trades.' + symbol, (d) => {
    trades.unshift(d);
    trades.length = Math.min(trades.length, 100);
    drawTrades();
  }));

  // Ticker.
  const ticker = $('#ticker');
  const drawTicker = (k) => {
    ticker.innerHTML = k.last
      ? `${esc(t('market.last'))} <strong>${amt(k.last)} ${esc(m.quote)}</strong> · ${esc(t('market.high'))} ${amt(k.high)} · ${esc(t('market.low'))} ${amt(k.low)} · ${esc(t('market.volume'))} ${amt(k.volume)} ${esc(m.base)}`
      : esc(t('market.noTrades'));
  };
  api.get(`/v1/markets/${encodeURIComponent(symbol)}/ticker`).then(drawTicker).catch(() => {});
  cleanups.push(conn.subscribe('ticker.' + symbol, drawTicker));

  // Charts.
  lwc().then((L) => {
    if (stopped) return;
    const common = {
      autoSize: true,
      layout: { background: { type: L.ColorType.Solid, color: colors.bg }, textColor: colors.text, attributionLogo: false },
      grid: { vertLines: { color: colors.grid }, horzLines: { color: colors.grid } },
    };
    const cc = L.createChart($('#candles'), { ...common, timeScale: { timeVisible: true, secondsVisible: false } });
    const candles = cc.addSeries(L.CandlestickSeries, {
      upColor: colors.up, downColor: colors.down, borderUpColor: colors.up, borderDownColor: colors.down, wickUpColor: colors.up, wickDownColor: colors.down,
      priceFormat: { type: 'price', precision: m.price_scale, minMove: Number(m.tick) },
    });
    const vol = cc.addSeries(L.HistogramSeries, { priceScaleId: 'vol', priceFormat: { type: 'volume' }, color: colors.grid });
    cc.priceScale('vol').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    const toBar = (c) => ({ time: Math.floor(Date.parse(c.start) / 1000), open: +c.open, high: +c.high, low: +c.low, close: +c.close });
    api.get(`/v1/markets/${encodeURIComponent(symbol)}/candles?interval=1m&limit=300`).then((r) => {
      if (stopped) return;
      candles.setData(r.candles.map(toBar));
      vol.setData(r.candles.map((c) => ({ time: Math.floor(Date.parse(c.start) / 1000), value: +c.volume })));
      cc.timeScale().fitContent();
    }).catch(() => {});
    cleanups.push(conn.subscribe(`candles.${symbol}.1m`, (c) => {
      try {
        candles.update(toBar(c));
        vol.update({ time: Math.floor(Date.parse(c.start) / 1000), value: +c.volume });
      } catch { /* an older bar */ }
    }));
    cleanups.push(() => cc.remove());

    const fmtPrice = (p) => Number(p).toFixed(m.price_scale);
    const dc = L.createOptionsChart($('#depth'), {
      ...common, handleScroll: false, handleScale: false,
      localization: { precision: m.price_scale, timeFormatter: fmtPrice },
    });
    const bidS = dc.addSeries(L.AreaSeries, { lineColor: colors.up, topColor: colors.up + '66', bottomColor: colors.up + '11', lineType: 1, priceFormat: { type: 'volume' } });
    const askS = dc.addSeries(L.AreaSeries, { lineColor: colors.down, topColor: colors.down + '66', bottomColor: colors.down + '11', lineType: 1, priceFormat: { type: 'volume' } });
    depthUpdate = (b) => {
      let cum = 0;
      const bids = b.bids.slice(0, 50).map(([p, s]) => { cum += +s; return { time: +p, value: cum }; }).reverse();
      cum = 0;
      const asks = b.asks.slice(0, 50).map(([p, s]) => { cum += +s; return { time: +p, value: cum }; });
      try {
        bidS.setData(bids);
        askS.setData(asks);
        dc.timeScale().fitContent();
      } catch (e) { console.debug(e); }
    };
    depthUpdate(lastBook);
    cleanups.push(() => { depthUpdate = null; dc.remove(); });
  }).catch((e) => console.error(e));

  // Orders.
  const orderAlerts = $('#order-alerts');
  const openBody = $('[data-testid="open-orders"] tbody');
  const histBody = $('[data-testid="order-history"] tbody');
  const amendBox = $('#amend-box');
  let amending = null;
  let lastOpen = '', lastHist = '';

  async function loadOrders() {
    if (!api.session()) return;
    const [open, hist] = await Promise.all([
      api.get(`/v1/orders?status=open&market=${encodeURIComponent(symbol)}&limit=100`),
      api.get(`/v1/orders?status=closed&market=${encodeURIComponent(symbol)}&limit=20`),
    ]);
    if (stopped) return;
    const openHtml = open.orders.map((o) => `<tr data-order-id="${esc(o.id)}" data-side="${esc(o.side)}" data-price="${esc(o.price ?? '')}" data-size="${esc(o.size ?? '')}" data-remaining="${esc(o.remaining)}" class="${o.side === 'buy' ? 'bid' : 'ask'}">
      <td>${esc(o.id)}</td><td class="side-${esc(o.side)}">${esc(sideWord(o.side))}</td><td class="num">${amt(o.price)}</td><td class="num">${amt(o.size)}</td><td class="num">${amt(o.filled)}</td>
      <td class="actions"><button type="button" data-testid="order-amend" data-id="${esc(o.id)}" aria-label="${esc(t('market.amendN', { id: o.id }))}">${esc(t('market.amend'))}</button>
      <button type="button" data-testid="order-cancel" data-id="${esc(o.id)}" aria-label="${esc(t('market.cancelN', { id: o.id }))}">${esc(t('market.cancel'))}</button></td></tr>`).join('')
      || `<tr><td colspan="6" class="note">${esc(t('market.noOpen'))}</td></tr>`;
    // Redraw only what changed, so that keyboard focus stays put.
    if (openHtml !== lastOpen) { openBody.innerHTML = openHtml; lastOpen = openHtml; }
    const histHtml = hist.orders.map((o) => `<tr data-order-id="${esc(o.id)}" data-status="${esc(o.status)}">
      <td>${esc(dateTime(o.updated_at || o.created_at))}</td><td class="side-${esc(o.side)}">${esc(sideWord(o.side))}</td><td class="num">${amt(o.price)}</td><td class="num">${amt(o.size)}</td><td class="num">${amt(o.filled)}</td><td>${esc(statusWord(o.status))}${o.cancel_reason ? ` <span class="note">(${esc(t('reason.' + o.cancel_reason))})</span>` : ''}</td></tr>`).join('')
      || `<tr><td colspan="6" class="note">${esc(t('market.noHistory'))}</td></tr>`;
    if (histHtml !== lastHist) { histBody.innerHTML = histHtml; lastHist = histHtml; }
  }

  // cost is what a buy of size at price holds, in quote units: price ×
  // size at the quote's scale, rounded up, plus the most taker fee.
  function cost(price, size) {
    const pu = dec.toUnitsDown(price, m.price_scale), su = dec.toUnitsDown(size, base.scale);
    const exp = m.price_scale + base.scale - quote.scale;
    const n = pu * su;
    let notional;
    if (exp >= 0) {
      const den = 10n ** BigInt(exp);
      notional = (n + den - 1n) / den;
    } else {
      notional = n * 10n ** BigInt(-exp);
    }
    const fee = (notional * BigInt(m.taker_bps) + 9999n) / 10000n;
    return notional + fee;
  }

  async function available() {
    const bal = (await api.get('/v1/balances')).balances;
    const get = (sym) => bal.find((b) => b.asset === sym);
    const units = (sym, sc) => { const b = get(sym); return b ? dec.toUnitsDown(b.available, sc) : 0n; };
    return { base: units(m.base, base.scale), quote: units(m.quote, quote.scale) };
  }

  function validOrder(price, size) {
    const p = dec.check(price, m.price_scale);
    if (p.code) return { error: clientError(p.code, { scale: m.price_scale }) };
    const s = dec.check(size, base.scale);
    if (s.code) return { error: clientError(s.code, { scale: base.scale }) };
    return { price: p.value, size: s.value };
  }

  $('#order-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!api.session()) return showError(orderAlerts, clientError('sign_in_required'));
    const v = validOrder($('#order-price').value, $('#order-size').value);
    if (v.error) return showError(orderAlerts, v.error);
    const side = $('#order-side').value;
    await busy($('[data-testid="order-submit"]'), async () => {
      try {
        const have = await available();
        if (side === 'buy' ? have.quote < cost(v.price, v.size) : have.base < dec.toUnitsDown(v.size, base.scale)) {
          throw clientError('insufficient_balance');
        }
        const o = await api.post('/v1/orders', { market: symbol, side, type: 'limit', price: v.price, size: v.size });
        showError(orderAlerts, null);
        $('#order-result').textContent = t('market.placed', { id: o.id, status: statusWord(o.status), filled: dec.format(o.filled, current()) });
        await loadOrders();
      } catch (e) {
        showError(orderAlerts, e);
      }
    });
  });

  openBody.addEventListener('click', async (ev) => {
    const btn = ev.target.closest('button');
    if (!btn) return;
    const id = btn.dataset.id;
    const openAlerts = $('#open-alerts');
    if (btn.dataset.testid === 'order-cancel') {
      await busy(btn, async () => {
        try {
          await api.del(`/v1/orders/${encodeURIComponent(id)}`);
          lastOpen = '';
          showError(openAlerts, null);
          if (amending === id) { amending = null; amendBox.replaceChildren(); }
        } catch (e) { showError(openAlerts, e); }
        await loadOrders().catch(() => {});
      });
    } else if (btn.dataset.testid === 'order-amend') {
      const tr = btn.closest('tr');
      amending = id;
      amendBox.innerHTML = `
        <form class="form amend card" id="amend-form" novalidate aria-labelledby="amend-h">
          <h3 id="amend-h">${esc(t('market.amendTitle', { id }))}</h3>
          <div class="field"><label for="amend-price">${esc(t('col.price'))} (${esc(m.quote)})</label>
            <input id="amend-price" type="text" inputmode="decimal" value="${esc(tr.dataset.price)}" autocomplete="off"></div>
          <div class="field"><label for="amend-size">${esc(t('market.newSize'))} (${esc(m.base)})</label>
            <input id="amend-size" type="text" inputmode="decimal" value="${esc(tr.dataset.size)}" autocomplete="off"></div>
          <div class="alerts"></div>
          <button type="submit" class="primary" data-testid="amend-submit">${esc(t('market.amendSubmit'))}</button>
          <button type="button" id="amend-cancel">${esc(t('form.close'))}</button>
        </form>`;
      const f = amendBox.querySelector('form');
      f.querySelector('#amend-price').focus();
      f.querySelector('#amend-cancel').addEventListener('click', () => { amending = null; amendBox.replaceChildren(); btn.focus(); });
      f.addEventListener('submit', async (e2) => {
        e2.preventDefault();
        const box = f.querySelector('.alerts');
        const body = {};
        const pIn = f.querySelector('#amend-price').value.trim(), sIn = f.querySelector('#amend-size').value.trim();
        if (pIn !== '' && pIn !== tr.dataset.price) {
          const p = dec.check(pIn, m.price_scale);
          if (p.code) return showError(box, clientError(p.code, { scale: m.price_scale }));
          body.price = p.value;
        }
        if (sIn !== '' && sIn !== tr.dataset.size) {
          const s = dec.check(sIn, base.scale);
          if (s.code) return showError(box, clientError(s.code, { scale: base.scale }));
          body.size = s.value;
        }
        if (!Object.keys(body).length) return showError(box, clientError('nothing_to_amend'));
        await busy(f.querySelector('[data-testid="amend-submit"]'), async () => {
          try {
            // The amended order must fit in what is available plus what it holds now.
            const o = tr.dataset;
            const filled = dec.toUnitsDown(o.size, base.scale) - dec.toUnitsDown(o.remaining, base.scale);
            const newPrice = body.price ?? o.price, newSize = body.size ?? o.size;
            const newLeft = dec.toUnitsDown(newSize, base.scale) - filled;
            if (newLeft > 0n) {
              const have = await available();
              const leftStr = dec.fromUnits(newLeft, base.scale);
              const short = o.side === 'buy'
                ? have.quote + cost(o.price, o.remaining) < cost(newPrice, leftStr)
                : have.base + dec.toUnitsDown(o.remaining, base.scale) < newLeft;
              if (short) throw clientError('insufficient_balance');
            }
            await api.patch(`/v1/orders/${encodeURIComponent(id)}`, body);
            amending = null;
            amendBox.replaceChildren();
            await loadOrders();
          } catch (e) { showError(box, e); }
        });
      });
    }
  });

  if (signedIn) {
    let pending = null;
    cleanups.push(conn.subscribe('orders', () => {
      clearTimeout(pending);
      pending = setTimeout(() => loadOrders().catch(() => {}), 150);
    }));
    cleanups.push(() => clearTimeout(pending));
    cleanups.push(every(3000, () => loadOrders().catch((e) => showError($('#open-alerts'), e))));
  } else {
    openBody.innerHTML = `<tr><td colspan="6" class="note">${esc(t('auth.needed'))}</td></tr>`;
  }

  return () => {
    stopped = true;
    for (const c of cleanups) { try { c(); } catch (e) { console.debug(e); } }
  };
}
