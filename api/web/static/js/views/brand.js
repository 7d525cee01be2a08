// #/brand : the brand console: token programs with their on-chain supply,
// issue to a customer with a reference, redemptions to fulfil or reject,
// liabilities as numbers and as a chart over time.

import * as api from '../api.js';
import { t, dateTime, current } from '../i18n.js';
import { esc, amt, showError, clientError, busy, every, statusWord, kindWord, signInPrompt } from '../ui.js';
import * as dec from '../decimal.js';

const SERIES = [
  ['issued', 'liab.issued'],
  ['held_by_customers', 'liab.heldByCustomers'],
  ['redeemed', 'liab.redeemed'],
  ['expired', 'liab.expired'],
];

export async function render(main, ctx) {
  main.innerHTML = `<h1>${esc(t('brand.title'))}</h1>`;
  if (!ctx.session) {
    main.insertAdjacentHTML('beforeend', `<p>${esc(t('brand.intro'))}</p>` + signInPrompt());
    return null;
  }
  if (ctx.session.kind !== 'brand') {
    main.insertAdjacentHTML('beforeend', `<p>${esc(t('brand.intro'))}</p><p class="note" data-testid="not-brand">${esc(t('brand.notBrand'))}</p>`);
    return null;
  }
  main.insertAdjacentHTML('beforeend', `
    <div class="alerts" id="brand-alerts"></div>
    <section class="card wide" aria-labelledby="prog-h">
      <h2 id="prog-h">${esc(t('brand.programs'))}</h2>
      <div class="table-wrap" tabindex="0"><table data-testid="programs">
        <thead><tr><th scope="col">${esc(t('col.asset'))}</th><th scope="col">${esc(t('brand.name'))}</th><th scope="col">${esc(t('col.kind'))}</th><th scope="col" class="num">${esc(t('brand.supply'))}</th><th scope="col">${esc(t('wallet.token'))}</th><th scope="col">${esc(t('col.expires'))}</th></tr></thead>
        <tbody></tbody></table></div>
    </section>
    <section class="card" aria-labelledby="issue-h">
      <h2 id="issue-h">${esc(t('brand.issue'))}</h2>
      <form id="issue-form" class="form" novalidate>
        <div class="field"><label for="issue-customer">${esc(t('brand.customer'))}</label>
          <input id="issue-customer" type="text" inputmode="numeric" autocomplete="off"></div>
        <div class="field"><label for="issue-asset">${esc(t('col.asset'))}</label>
          <select id="issue-asset"></select></div>
        <div class="field"><label for="issue-amount">${esc(t('col.amount'))}</label>
          <input id="issue-amount" type="text" inputmode="decimal" autocomplete="off"></div>
        <div class="field"><label for="issue-reference">${esc(t('brand.reference'))}</label>
          <input id="issue-reference" type="text" autocomplete="off" spellcheck="false" aria-describedby="issue-reference-hint">
          <p class="hint" id="issue-reference-hint">${esc(t('brand.referenceHint'))}</p></div>
        <div class="alerts" id="issue-alerts"></div>
        <button type="submit" class="primary" data-testid="issue-submit">${esc(t('brand.issueSubmit'))}</button>
      </form>
      <div id="issue-result-box" aria-live="polite"></div>
    </section>
    <section class="card wide" aria-labelledby="red-h">
      <h2 id="red-h">${esc(t('brand.redemptions'))}</h2>
      <div class="alerts" id="red-alerts"></div>
      <div class="table-wrap" tabindex="0"><table data-testid="brand-redemptions">
        <thead><tr><th scope="col">${esc(t('col.id'))}</th><th scope="col">${esc(t('col.time'))}</th><th scope="col">${esc(t('brand.customer'))}</th><th scope="col">${esc(t('col.asset'))}</th><th scope="col" class="num">${esc(t('col.amount'))}</th><th scope="col">${esc(t('wallet.receipt'))}</th><th scope="col">${esc(t('col.status'))}</th><th scope="col">${esc(t('col.actions'))}</th></tr></thead>
        <tbody></tbody></table></div>
    </section>
    <section class="card wide" aria-labelledby="liab-h">
      <h2 id="liab-h">${esc(t('brand.liabilities'))}</h2>
      <div class="table-wrap" tabindex="0"><table data-testid="liabilities">
        <thead><tr><th scope="col">${esc(t('col.asset'))}</th><th scope="col" class="num">${esc(t('liab.issued'))}</th><th scope="col" class="num">${esc(t('liab.heldByCustomers'))}</th><th scope="col" class="num">${esc(t('liab.heldByBrand'))}</th><th scope="col" class="num">${esc(t('liab.redeemedPending'))}</th><th scope="col" class="num">${esc(t('liab.redeemed'))}</th><th scope="col" class="num">${esc(t('liab.expired'))}</th><th scope="col" class="num">${esc(t('liab.chainSupply'))}</th></tr></thead>
        <tbody></tbody></table></div>
      <div class="chart-controls">
        <div class="field inline"><label for="liab-asset">${esc(t('col.asset'))}</label><select id="liab-asset"></select></div>
        <div class="field inline"><label for="liab-interval">${esc(t('brand.interval'))}</label>
          <select id="liab-interval"><option value="1h">${esc(t('brand.hourly'))}</option><option value="1d">${esc(t('brand.daily'))}</option></select></div>
      </div>
      <div class="chart" id="liab-chart" data-testid="liabilities-chart" role="img" aria-label="${esc(t('brand.chartAria'))}"></div>
      <p class="legend note" id="liab-legend"></p>
      <div class="alerts" id="chart-alerts"></div>
    </section>`);

  const $ = (q) => main.querySelector(q);
  const cleanups = [];
  let stopped = false;
  let programs = [];

  $('#issue-reference').value = 'web-' + new Date().toISOString().replace(/[-:T.Z]/g, '').slice(0, 14);

  async function loadPrograms() {
    const r = await api.get('/v1/brand/programs');
    if (stopped) return;
    programs = r.programs;
    $('[data-testid="programs"] tbody').innerHTML = programs.map((p) => `<tr data-asset="${esc(p.asset)}" data-supply="${esc(p.total_supply ?? '')}">
      <th scope="row">${esc(p.asset)}</th><td>${esc(p.name)}</td><td>${esc(kindWord(p.kind))}</td><td class="num">${p.total_supply !== undefined ? amt(p.total_supply) : esc(t('brand.supplyUnknown'))}</td>
      <td><code>${esc(p.token)}</code></td><td>${p.expires_at ? esc(dateTime(p.expires_at)) : '–'}</td></tr>`).join('')
      || `<tr><td colspan="6" class="note">${esc(t('brand.noPrograms'))}</td></tr>`;
    const sel = $('#issue-asset');
    const opts = programs.map((p) => `<option value="${esc(p.asset)}">${esc(p.asset)} · ${esc(p.name)}</option>`).join('');
    if (sel.dataset.opts !== opts) {
      const v = sel.value;
      sel.innerHTML = opts;
      sel.dataset.opts = opts;
      if (v) sel.value = v;
      const ls = $('#liab-asset');
      const lv = ls.value;
      ls.innerHTML = opts;
      if (lv) ls.value = lv;
      loadChart();
    }
  }

  let lastRed = '';
  async function loadRedemptions() {
    const r = await api.get('/v1/brand/redemptions?limit=50');
    if (stopped) return;
    const html = r.redemptions.map((x) => `<tr data-redemption-id="${esc(x.id)}" data-status="${esc(x.status)}" data-receipt="${esc(x.receipt)}">
      <td>${esc(x.id)}</td><td>${esc(dateTime(x.created_at))}</td><td>${esc(x.account)}</td><td>${esc(x.asset)}</td><td class="num">${amt(x.amount)}</td><td><code>${esc(x.receipt)}</code></td><td>${esc(statusWord(x.status))}</td>
      <td class="actions">${x.status === 'pending' ? `<button type="button" data-testid="fulfil" data-id="${esc(x.id)}" aria-label="${esc(t('brand.fulfilN', { receipt: x.receipt }))}">${esc(t('brand.fulfil'))}</button>
        <button type="button" data-testid="reject" data-id="${esc(x.id)}" aria-label="${esc(t('brand.rejectN', { receipt: x.receipt }))}">${esc(t('brand.reject'))}</button>` : '–'}</td></tr>`).join('')
      || `<tr><td colspan="8" class="note">${esc(t('brand.noRedemptions'))}</td></tr>`;
    if (html !== lastRed) { $('[data-testid="brand-redemptions"] tbody').innerHTML = html; lastRed = html; }
  }

  async function loadLiabilities() {
    const r = await api.get('/v1/brand/liabilities');
    if (stopped) return;
    $('[data-testid="liabilities"] tbody').innerHTML = r.liabilities.map((l) => `<tr data-asset="${esc(l.asset)}" data-issued="${esc(l.issued)}" data-held-by-customers="${esc(l.held_by_customers)}" data-held-by-brand="${esc(l.held_by_brand)}" data-redeemed-pending="${esc(l.redeemed_pending)}" data-redeemed="${esc(l.redeemed_fulfilled)}" data-expired="${esc(l.expired)}" data-chain-supply="${esc(l.chain_supply ?? '')}">
      <th scope="row">${esc(l.asset)}</th><td class="num">${amt(l.issued)}</td><td class="num">${amt(l.held_by_customers)}</td><td class="num">${amt(l.held_by_brand)}</td><td class="num">${amt(l.redeemed_pending)}</td><td class="num">${amt(l.redeemed_fulfilled)}</td><td class="num">${amt(l.expired)}</td><td class="num">${l.chain_supply !== null ? amt(l.chain_supply) : '–'}</td></tr>`).join('')
      || `<tr><td colspan="8" class="note">${esc(t('brand.noPrograms'))}</td></tr>`;
  }

  $('[data-testid="brand-redemptions"] tbody').addEventListener('click', async (ev) => {
    const b = ev.target.closest('button[data-id]');
    if (!b) return;
    const action = b.dataset.testid === 'fulfil' ? 'fulfil' : 'reject';
    await busy(b, async () => {
      try {
        await api.post(`/v1/brand/redemptions/${encodeURIComponent(b.dataset.id)}/${action}`, {});
        showError($('#red-alerts'), null);
      } catch (e) { showError($('#red-alerts'), e); }
      lastRed = '';
      await Promise.all([loadRedemptions(), loadLiabilities()]).catch(() => {});
    });
  });

  let issuePoll = null;
  function showIssue(r) {
    $('#issue-result-box').innerHTML = `<p data-testid="issue-result" data-status="${esc(r.status)}" data-reference="${esc(r.reference)}">
      ${esc(t('brand.issued', { amount: dec.format(r.amount, current()), asset: r.asset, customer: r.customer, reference: r.reference }))}
      <strong>${esc(statusWord(r.status))}</strong>${r.failure_reason ? ` (${esc(r.failure_reason)})` : ''}</p>`;
  }
  $('#issue-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const box = $('#issue-alerts');
    const customer = $('#issue-customer').value.trim();
    if (!/^[1-9][0-9]*$/.test(customer)) return showError(box, clientError('invalid_customer'));
    const p = programs.find((x) => x.asset === $('#issue-asset').value);
    if (!p) return showError(box, clientError('unknown_asset'));
    const c = dec.check($('#issue-amount').value, p.scale);
    if (c.code) return showError(box, clientError(c.code, { scale: p.scale }));
    const reference = $('#issue-reference').value.trim();
    if (!/^[A-Za-z0-9._:~-]{1,200}$/.test(reference)) return showError(box, clientError('invalid_reference'));
    await busy($('[data-testid="issue-submit"]'), async () => {
      try {
        const r = await api.post('/v1/brand/issues', { customer, asset: p.asset, amount: c.value, reference });
        showError(box, null);
        showIssue(r);
        $('#issue-reference').value = 'web-' + new Date().toISOString().replace(/[-:T.Z]/g, '').slice(0, 17);
        if (issuePoll) issuePoll();
        issuePoll = every(1500, async () => {
          if (r.status === 'credited' || r.status === 'failed') { issuePoll && issuePoll(); return; }
          const x = await api.get(`/v1/brand/issues/${encodeURIComponent(reference)}`);
          if (stopped) return;
          r.status = x.status;
          showIssue(x);
          if (x.status === 'credited' || x.status === 'failed') { issuePoll(); loadLiabilities(); loadPrograms(); }
        });
      } catch (e) { showError(box, e); }
    });
  });
  cleanups.push(() => issuePoll && issuePoll());

  // The liabilities chart.
  let chart = null, series = {}, L = null;
  async function loadChart() {
    const asset = $('#liab-asset').value;
    if (!asset) return;
    const interval = $('#liab-interval').value;
    let r;
    try {
      r = await api.get(`/v1/brand/liabilities/history?asset=${encodeURIComponent(asset)}&interval=${interval}`);
      showError($('#chart-alerts'), null);
    } catch (e) {
      showError($('#chart-alerts'), e);
      return;
    }
    if (stopped) return;
    if (!L) L = await import('../../vendor/lightweight-charts.standalone.production.mjs');
    if (!chart) {
      const dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
      chart = L.createChart($('#liab-chart'), {
        autoSize: true,
        layout: { background: { type: L.ColorType.Solid, color: dark ? '#16181d' : '#ffffff' }, textColor: dark ? '#d8dbe2' : '#1d2129', attributionLogo: false },
        grid: { vertLines: { color: dark ? '#2a2e37' : '#eceef2' }, horzLines: { color: dark ? '#2a2e37' : '#eceef2' } },
        timeScale: { timeVisible: interval === '1h' },
      });
      const styles = [[0, '#1f6feb'], [2, '#0a7f55'], [1, '#8250df'], [3, '#b35900']];
      SERIES.forEach(([k], i) => {
        series[k] = chart.addSeries(L.LineSeries, { color: styles[i][1], lineStyle: styles[i][0], lineWidth: 2, title: t(SERIES[i][1]) });
      });
      $('#liab-legend').innerHTML = SERIES.map(([, label], i) => `<span class="line-key line-${i}">${esc(t(label))}</span>`).join(' · ');
      cleanups.push(() => chart.remove());
    }
    const points = r.points || r.history || r.liabilities || [];
    for (const [k] of SERIES) {
      const data = points.map((pt) => {
        const v = k === 'redeemed' ? (pt.redeemed ?? pt.redeemed_fulfilled) : pt[k];
        return { time: Math.floor(Date.parse(pt.time || pt.start || pt.at) / 1000), value: Number(v ?? 0) };
      }).filter((x) => !isNaN(x.time)).sort((a, b) => a.time - b.time)
        .filter((x, i, arr) => i === 0 || arr[i - 1].time !== x.time);
      series[k].setData(data);
    }
    chart.timeScale().fitContent();
  }
  $('#liab-asset').addEventListener('change', loadChart);
  $('#liab-interval').addEventListener('change', loadChart);

  cleanups.push(every(4000, () => Promise.all([loadPrograms(), loadLiabilities()]).catch((e) => showError($('#brand-alerts'), e))));
  cleanups.push(every(3000, () => loadRedemptions().catch((e) => showError($('#red-alerts'), e))));
  cleanups.push(every(60000, () => loadChart()));
  return () => { stopped = true; cleanups.forEach((c) => c()); };
}
