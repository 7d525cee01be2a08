// #/swap : from, to, amount; a live quote, asked again whenever a book of
// its route moves (the books' WebSocket channels) and every few seconds
// regardless; a slippage setting; the swap and the new balances.

import * as api from '../api.js';
import { t } from '../i18n.js';
import { esc, amt, showError, clientError, busy, assetOptions } from '../ui.js';
import * as dec from '../decimal.js';
import { conn } from '../ws.js';

export async function render(main, ctx) {
  const assets = (await api.assets()).filter((a) => !a.expired);
  const bySym = new Map(assets.map((a) => [a.symbol, a]));
  const has = (s) => bySym.has(s);
  const from0 = has('ACME') ? 'ACME' : assets[0]?.symbol;
  const to0 = has('COFFEE') && from0 !== 'COFFEE' ? 'COFFEE' : assets.find((a) => a.symbol !== from0)?.symbol;
  main.innerHTML = `
    <h1>${esc(t('swap.title'))}</h1>
    <form id="swap-form" class="card form" novalidate>
      <div class="row2">
        <div class="field">
          <label for="swap-from">${esc(t('swap.from'))}</label>
          <select id="swap-from" name="from">${assetOptions(assets, from0)}</select>
        </div>
        <button type="button" class="flip" id="swap-flip" aria-label="${esc(t('swap.flip'))}" title="${esc(t('swap.flip'))}">⇄</button>
        <div class="field">
          <label for="swap-to">${esc(t('swap.to'))}</label>
          <select id="swap-to" name="to">${assetOptions(assets, to0)}</select>
        </div>
      </div>
      <div class="field">
        <label for="swap-amount">${esc(t('swap.amount'))}</label>
        <input id="swap-amount" name="amount" type="text" inputmode="decimal" autocomplete="off" spellcheck="false" aria-describedby="swap-amount-hint">
        <p class="hint" id="swap-amount-hint"></p>
      </div>
      <div class="field">
        <label for="swap-slippage">${esc(t('swap.slippage'))}</label>
        <input id="swap-slippage" name="slippage" type="text" inputmode="decimal" value="${document.documentElement.lang === 'de' ? '0,5' : '0.5'}" autocomplete="off" aria-describedby="swap-slippage-hint">
        <p class="hint" id="swap-slippage-hint">${esc(t('swap.slippageHint'))}</p>
      </div>
      <div class="alerts" id="swap-alerts"></div>
      <section class="quote" data-testid="quote" aria-live="polite" aria-labelledby="quote-h">
        <h2 id="quote-h">${esc(t('swap.quote'))}</h2>
        <dl id="quote-body"><dt>${esc(t('swap.quote'))}</dt><dd>${esc(t('swap.quoteNone'))}</dd></dl>
        <div class="alerts" id="quote-alerts"></div>
      </section>
      <button type="submit" data-testid="swap-submit" class="primary">${esc(t('swap.submit'))}</button>
      ${ctx.session ? '' : `<p class="note">${esc(t('auth.needed'))}</p>`}
    </form>
    <section data-testid="swap-result" id="swap-result" hidden aria-live="polite"></section>`;

  const $ = (s) => main.querySelector(s);
  const fromSel = $('#swap-from'), toSel = $('#swap-to'), amountIn = $('#swap-amount'), slipIn = $('#swap-slippage');
  const alerts = $('#swap-alerts'), quoteAlerts = $('#quote-alerts'), quoteEl = $('[data-testid="quote"]'), quoteBody = $('#quote-body');
  const resultEl = $('#swap-result');
  let quote = null;
  let quoteKey = '';
  let stopped = false;
  let balances = null;

  function hint() {
    const a = bySym.get(fromSel.value);
    $('#swap-amount-hint').textContent = a ? t('form.scaleHint', { asset: a.symbol, scale: a.scale }) : '';
  }

  // validate answers {from, to, amount, slippage} or {error}.
  function validate(withBalance) {
    const from = fromSel.value, to = toSel.value;
    if (from === to) return { error: clientError('same_asset') };
    const fa = bySym.get(from);
    const c = dec.check(amountIn.value, fa.scale);
    if (c.code) return { error: clientError(c.code, { scale: fa.scale, asset: fa.symbol }) };
    const sl = dec.normalize(slipIn.value);
    if (sl === null || dec.cmp(sl, '50') > 0 || dec.decimals(sl) > 4) return { error: clientError('invalid_slippage') };
    if (withBalance && balances) {
      const b = balances.find((x) => x.asset === from);
      if (!b || dec.cmp(b.available, c.value) < 0) return { error: clientError('insufficient_balance') };
    }
    return { from, to, amount: c.value, slippage: sl };
  }

  function showQuote(q, slippage) {
    const ta = bySym.get(q.to);
    const min = dec.minReceive(q.amount_out, slippage, ta.scale);
    const impact = dec.fromUnits(BigInt(q.price_impact_bps), 2);
    const fees = q.legs.map((l) => `${amt(l.fee)} ${esc(l.fee_asset)} <span class="note">(${esc(l.market)})</span>`).join('<br>');
    quoteEl.dataset.out = q.amount_out;
    quoteEl.dataset.minReceive = min;
    const html = `
      <dt>${esc(t('swap.out'))}</dt><dd class="big"><span class="out">${amt(q.amount_out)}</span> ${esc(q.to)}</dd>
      <dt>${esc(t('swap.spend'))}</dt><dd>${amt(q.amount_in)} ${esc(q.from)}${dec.isZero(q.unspent) ? '' : ` <span class="note">(${esc(t('swap.unspent', { n: dec.format(q.unspent, document.documentElement.lang), asset: q.from }))})</span>`}</dd>
      <dt>${esc(t('swap.price'))}</dt><dd>${esc(t('swap.priceText', { price: dec.format(q.average_price, document.documentElement.lang), from: q.from, to: q.to }))}</dd>
      <dt>${esc(t('swap.impact'))}</dt><dd>${amt(impact)} %</dd>
      <dt>${esc(t('swap.route'))}</dt><dd>${q.route.map(esc).join(' → ')}</dd>
      <dt>${esc(t('swap.fees'))}</dt><dd>${fees || '–'}</dd>
      <dt>${esc(t('swap.minReceive'))}</dt><dd data-testid="min-receive" data-value="${esc(min)}">${amt(min)} ${esc(q.to)}</dd>`;
    // Redrawn only when it changed: a screen reader hears a new quote, not a tick.
    if (html !== lastQuoteHtml) { quoteBody.innerHTML = html; lastQuoteHtml = html; }
  }
  let lastQuoteHtml = '';

  function clearQuote(msg) {
    quote = null;
    delete quoteEl.dataset.out;
    delete quoteEl.dataset.minReceive;
    const html = `<dt>${esc(t('swap.quote'))}</dt><dd>${esc(msg || t('swap.quoteNone'))}</dd>`;
    if (html !== lastQuoteHtml) { quoteBody.innerHTML = html; lastQuoteHtml = html; }
  }

  async function requote() {
    const v = validate(false);
    if (v.error) {
      clearQuote();
      showError(quoteAlerts, null);
      return;
    }
    const key = `${v.from}|${v.to}|${v.amount}`;
    try {
      const q = await api.get(`/v1/quote?from=${encodeURIComponent(v.from)}&to=${encodeURIComponent(v.to)}&amount=${encodeURIComponent(v.amount)}`);
      if (stopped) return;
      const now = validate(false);
      if (now.error || `${now.from}|${now.to}|${now.amount}` !== key) return; // the form moved on
      quote = q;
      quoteKey = key;
      follow(q.legs.map((l) => l.market));
      showQuote(q, now.slippage);
      showError(quoteAlerts, null);
    } catch (e) {
      if (stopped) return;
      clearQuote(t('swap.quoteFailed'));
      showError(quoteAlerts, e);
    }
  }

  async function loadBalances() {
    if (!api.session()) return;
    try {
      balances = (await api.get('/v1/balances')).balances;
    } catch { /* shown elsewhere */ }
  }

  // The quote follows the books of its route: a push on one of them asks
  // again (at most every 200 ms); without pushes it is asked every 5 s.
  let timer = null;
  let nextAt = 0; // when the next quote is asked
  let asking = false, moved = false; // a quote in flight; a book moved meanwhile
  function at(ms) {
    clearTimeout(timer);
    nextAt = Date.now() + ms;
    timer = setTimeout(async () => {
      asking = true;
      moved = false;
      await requote();
      asking = false;
      if (!stopped) at(moved ? 200 : 5000);
    }, ms);
  }
  function schedule(now) { at(now ? 0 : 200); }
  // A book push brings the next quote forward, never puts it off: books
  // that move all the time still get a fresh quote every 200 ms.
  function nudge() {
    if (asking) moved = true;
    else if (nextAt - Date.now() > 200) at(200);
  }
  const followed = new Map(); // market -> unsubscribe
  function follow(markets) {
    for (const [m, unsubscribe] of followed) {
      if (!markets.includes(m)) { unsubscribe(); followed.delete(m); }
    }
    for (const m of markets) {
      if (!followed.has(m)) followed.set(m, conn.subscribe(`book.${m}`, nudge));
    }
  }

  // What the form refuses is said as it is typed (an empty amount is not an error yet).
  function checkForm() {
    const v = validate(false);
    if (v.error && !(amountIn.value.trim() === '' && v.error.code === 'invalid_decimal')) showError(alerts, v.error);
    else showError(alerts, null);
    return v;
  }
  fromSel.addEventListener('change', () => { hint(); checkForm(); schedule(true); });
  toSel.addEventListener('change', () => { checkForm(); schedule(true); });
  amountIn.addEventListener('input', () => { checkForm(); schedule(false); });
  slipIn.addEventListener('input', () => { const v = checkForm(); if (quote && !v.error) showQuote(quote, v.slippage); });
  $('#swap-flip').addEventListener('click', () => {
    const f = fromSel.value;
    fromSel.value = toSel.value;
    toSel.value = f;
    hint();
    checkForm();
    schedule(true);
  });

  $('#swap-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const btn = $('[data-testid="swap-submit"]');
    if (!api.session()) { showError(alerts, clientError('sign_in_required')); return; }
    await loadBalances();
    const v = validate(true);
    if (v.error) { showError(alerts, v.error); return; }
    await busy(btn, async () => {
      try {
        let q = quote;
        if (!q || quoteKey !== `${v.from}|${v.to}|${v.amount}`) {
          q = await api.get(`/v1/quote?from=${encodeURIComponent(v.from)}&to=${encodeURIComponent(v.to)}&amount=${encodeURIComponent(v.amount)}`);
        }
        const min = dec.minReceive(q.amount_out, v.slippage, bySym.get(v.to).scale);
        const r = await api.post('/v1/swaps', { from: v.from, to: v.to, amount: v.amount, min_receive: min }, { idempotencyKey: api.idemKey() });
        showError(alerts, null);
        await loadBalances();
        const bal = (s) => balances?.find((b) => b.asset === s)?.available ?? '0';
        resultEl.hidden = false;
        resultEl.dataset.received = r.received;
        resultEl.dataset.spent = r.spent;
        resultEl.innerHTML = `
          <h2>${esc(t('swap.done'))}</h2>
          <dl>
            <dt>${esc(t('swap.spent'))}</dt><dd>${amt(r.spent)} ${esc(r.from)}</dd>
            <dt>${esc(t('swap.received'))}</dt><dd class="big">${amt(r.received)} ${esc(r.to)}</dd>
            <dt>${esc(t('swap.price'))}</dt><dd>${esc(t('swap.priceText', { price: dec.format(r.average_price, document.documentElement.lang), from: r.from, to: r.to }))}</dd>
            ${r.hub_left && !dec.isZero(r.hub_left) ? `<dt>${esc(t('swap.hubLeft'))}</dt><dd>${amt(r.hub_left)} ${esc(r.route[1])}</dd>` : ''}
            <dt>${esc(t('swap.newBalances'))}</dt>
            <dd data-testid="swap-balances">${amt(bal(r.from))} ${esc(r.from)} · ${amt(bal(r.to))} ${esc(r.to)}</dd>
          </dl>`;
        resultEl.focus?.();
      } catch (e) {
        showError(alerts, e);
      }
    });
  });

  hint();
  loadBalances();
  return () => { stopped = true; clearTimeout(timer); follow([]); };
}
