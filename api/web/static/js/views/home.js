// #/ : the account's balances per token, with the brand's name and kind,
// and each coupon's expiry.

import * as api from '../api.js';
import { t, dateTime } from '../i18n.js';
import { esc, amt, showError, every, kindWord } from '../ui.js';
import { conn } from '../ws.js';

export async function render(main, ctx) {
  main.innerHTML = `
    <h1>${esc(t('home.title'))}</h1>
    <div class="alerts"></div>
    <section id="home-body"></section>
    <section aria-labelledby="mk-h">
      <h2 id="mk-h">${esc(t('home.markets'))}</h2>
      <ul class="markets" id="market-list"></ul>
    </section>`;
  const alerts = main.querySelector('.alerts');
  const body = main.querySelector('#home-body');
  api.markets().then((ms) => {
    main.querySelector('#market-list').innerHTML = ms.map((m) =>
      `<li><a href="#/market/${esc(m.symbol)}">${esc(m.symbol)}</a> <span class="note">${esc(t('market.status.' + m.status))}</span></li>`).join('');
  }).catch((e) => showError(alerts, e));

  if (!ctx.session) {
    body.innerHTML = `<p>${esc(t('home.intro'))}</p><p class="note">${esc(t('auth.needed'))}</p>`;
    return null;
  }
  body.innerHTML = `
    <div class="table-wrap" tabindex="0">
    <table data-testid="balances">
      <caption class="visually-hidden">${esc(t('home.title'))}</caption>
      <thead><tr>
        <th scope="col">${esc(t('col.asset'))}</th>
        <th scope="col">${esc(t('col.brand'))}</th>
        <th scope="col">${esc(t('col.kind'))}</th>
        <th scope="col" class="num">${esc(t('col.available'))}</th>
        <th scope="col" class="num">${esc(t('col.held'))}</th>
        <th scope="col">${esc(t('col.expires'))}</th>
      </tr></thead>
      <tbody></tbody>
    </table>
    </div>
    <p class="note empty" hidden>${esc(t('home.empty'))}</p>`;
  const tbody = body.querySelector('tbody');
  const empty = body.querySelector('.empty');
  let lastHtml = null;
  const load = async () => {
    let bal, am;
    try {
      [bal, am] = await Promise.all([api.get('/v1/balances'), api.assetMap()]);
      showError(alerts, null);
    } catch (e) {
      showError(alerts, e);
      return;
    }
    const rows = bal.balances.map((b) => {
      const a = am.get(b.asset) || { symbol: b.asset, kind: 'token' };
      const expiry = a.kind === 'coupon'
        ? (a.expires_at ? `${a.expired ? esc(t('home.expired')) + ' ' : ''}<time datetime="${esc(a.expires_at)}">${esc(dateTime(a.expires_at))}</time>` : esc(t('home.noExpiry')))
        : '–';
      return `<tr data-asset="${esc(b.asset)}" data-available="${esc(b.available)}" data-held="${esc(b.held)}">
        <th scope="row">${esc(b.asset)}${a.name && a.name !== a.symbol ? `<br><span class="note">${esc(a.name)}</span>` : ''}</th>
        <td>${esc(a.brand_name || (a.brand ? t('home.brandN', { id: a.brand }) : '–'))}</td>
        <td>${esc(kindWord(a.kind))}</td>
        <td class="num">${amt(b.available)}</td>
        <td class="num">${amt(b.held)}</td>
        <td>${expiry}</td>
      </tr>`;
    });
    const html = rows.join('');
    if (html !== lastHtml) { tbody.innerHTML = html; lastHtml = html; }
    empty.hidden = rows.length > 0;
  };
  // Pushed balance changes (after a WebSocket logon) redraw at once; a
  // slower poll covers a connection that could not log on.
  let pending = null;
  const offPush = conn.subscribe('balances', () => {
    clearTimeout(pending);
    pending = setTimeout(load, 100);
  });
  const stop = every(4000, load);
  return () => { stop(); offPush(); clearTimeout(pending); };
}
