// #/wallet : deposit (vault address, pending deposits with their
// confirmations; from the demo wallet, a button that sends the transfer),
// linked wallets (challenge and signature), withdraw, redeem.

import * as api from '../api.js';
import * as auth from '../auth.js';
import { t, dateTime, current } from '../i18n.js';
import { esc, amt, showError, clientError, busy, every, assetOptions, statusWord, signInPrompt, short } from '../ui.js';
import * as dec from '../decimal.js';

const ERC20 = ['function transfer(address to, uint256 amount) returns (bool)', 'function balanceOf(address) view returns (uint256)'];

export async function render(main, ctx) {
  main.innerHTML = `<h1>${esc(t('wallet.title'))}</h1>`;
  if (!ctx.session) {
    main.insertAdjacentHTML('beforeend', signInPrompt());
    return null;
  }
  const s = ctx.session;
  const assets = await api.assets();
  const chainAssets = assets.filter((a) => !a.expired);
  const redeemable = assets.filter((a) => (a.kind === 'points' || a.kind === 'coupon') && !a.expired);
  const isDemo = s.wallet === 'demo';
  main.insertAdjacentHTML('beforeend', `
    ${isDemo ? `<section class="card demo" aria-labelledby="demo-h">
      <h2 id="demo-h">${esc(t('wallet.demoTitle'))}</h2>
      <p class="note">${esc(t('wallet.demoNote'))}</p>
      <p>${esc(t('wallet.demoAddress'))} <code data-testid="demo-address">${esc(s.address)}</code></p>
      <div class="table-wrap" tabindex="0"><table data-testid="demo-balances"><thead><tr><th scope="col">${esc(t('col.asset'))}</th><th scope="col" class="num">${esc(t('wallet.onChain'))}</th></tr></thead><tbody></tbody></table></div>
      <div class="alerts" id="demo-alerts"></div>
      <button type="button" data-testid="faucet">${esc(t('wallet.faucet'))}</button>
      <p class="note" id="faucet-result" aria-live="polite"></p>
    </section>` : ''}
    <section class="card" aria-labelledby="dep-h">
      <h2 id="dep-h">${esc(t('wallet.deposit'))}</h2>
      <div class="field">
        <label for="deposit-asset">${esc(t('col.asset'))}</label>
        <select id="deposit-asset">${assetOptions(chainAssets, 'ACME')}</select>
      </div>
      <div class="alerts" id="dep-alerts"></div>
      <dl id="dep-info">
        <dt>${esc(t('wallet.vault'))}</dt><dd><code data-testid="deposit-address" id="deposit-address"></code></dd>
        <dt>${esc(t('wallet.token'))}</dt><dd><code id="deposit-token"></code></dd>
        <dt>${esc(t('wallet.confirmations'))}</dt><dd id="deposit-conf"></dd>
      </dl>
      <p class="note">${esc(t('wallet.depositNote'))}</p>
      <form id="deposit-form" class="form" novalidate>
        <div class="field">
          <label for="deposit-amount">${esc(t('wallet.sendAmount'))}</label>
          <input id="deposit-amount" type="text" inputmode="decimal" autocomplete="off">
        </div>
        <div class="alerts" id="send-alerts"></div>
        <button type="submit" data-testid="deposit-send" class="primary">${esc(t(isDemo ? 'wallet.sendDemo' : 'wallet.sendWallet'))}</button>
        <p class="note" id="send-result" aria-live="polite"></p>
      </form>
      <h3>${esc(t('wallet.deposits'))}</h3>
      <div class="table-wrap" tabindex="0"><table data-testid="deposits">
        <thead><tr><th scope="col">${esc(t('col.time'))}</th><th scope="col">${esc(t('col.asset'))}</th><th scope="col" class="num">${esc(t('col.amount'))}</th><th scope="col">${esc(t('col.status'))}</th><th scope="col">${esc(t('wallet.confirmations'))}</th></tr></thead>
        <tbody></tbody></table></div>
    </section>
    <section class="card" aria-labelledby="wal-h">
      <h2 id="wal-h">${esc(t('wallet.linked'))}</h2>
      <div class="table-wrap" tabindex="0"><table data-testid="wallets"><thead><tr><th scope="col">${esc(t('wallet.address'))}</th><th scope="col">${esc(t('wallet.linkedAt'))}</th><th scope="col">${esc(t('col.actions'))}</th></tr></thead><tbody></tbody></table></div>
      <form id="link-form" class="form" novalidate>
        <div class="field">
          <label for="link-address">${esc(t('wallet.linkAddress'))}</label>
          <input id="link-address" type="text" autocomplete="off" spellcheck="false" placeholder="0x…">
        </div>
        <div class="alerts" id="link-alerts"></div>
        <button type="submit" data-testid="link-submit">${esc(t('wallet.link'))}</button>
        <p class="note">${esc(t('wallet.linkNote'))}</p>
      </form>
    </section>
    <section class="card" aria-labelledby="wd-h">
      <h2 id="wd-h">${esc(t('wallet.withdraw'))}</h2>
      <form id="withdraw-form" class="form" novalidate>
        <div class="field"><label for="withdraw-asset">${esc(t('col.asset'))}</label>
          <select id="withdraw-asset">${assetOptions(chainAssets, 'ACME')}</select></div>
        <div class="field"><label for="withdraw-amount">${esc(t('col.amount'))}</label>
          <input id="withdraw-amount" type="text" inputmode="decimal" autocomplete="off"></div>
        <div class="field"><label for="withdraw-to">${esc(t('wallet.to'))}</label>
          <input id="withdraw-to" type="text" list="linked-list" autocomplete="off" spellcheck="false" placeholder="0x…" aria-describedby="withdraw-to-hint">
          <datalist id="linked-list"></datalist>
          <p class="hint" id="withdraw-to-hint">${esc(t('wallet.toHint'))}</p></div>
        <div class="alerts" id="wd-alerts"></div>
        <button type="submit" class="primary" data-testid="withdraw-submit">${esc(t('wallet.withdrawSubmit'))}</button>
      </form>
      <h3>${esc(t('wallet.withdrawals'))}</h3>
      <div class="table-wrap" tabindex="0"><table data-testid="withdrawals">
        <thead><tr><th scope="col">${esc(t('col.id'))}</th><th scope="col">${esc(t('col.asset'))}</th><th scope="col" class="num">${esc(t('col.amount'))}</th><th scope="col">${esc(t('wallet.to'))}</th><th scope="col">${esc(t('col.status'))}</th></tr></thead>
        <tbody></tbody></table></div>
    </section>
    <section class="card" aria-labelledby="rd-h">
      <h2 id="rd-h">${esc(t('wallet.redeem'))}</h2>
      <form id="redeem-form" class="form" novalidate>
        <div class="field"><label for="redeem-asset">${esc(t('col.asset'))}</label>
          <select id="redeem-asset">${assetOptions(redeemable, 'COFFEE')}</select></div>
        <div class="field"><label for="redeem-amount">${esc(t('col.amount'))}</label>
          <input id="redeem-amount" type="text" inputmode="decimal" autocomplete="off"></div>
        <div class="alerts" id="rd-alerts"></div>
        <button type="submit" class="primary" data-testid="redeem-submit">${esc(t('wallet.redeemSubmit'))}</button>
      </form>
      <div id="receipt-box" aria-live="polite"></div>
      <h3>${esc(t('wallet.redemptions'))}</h3>
      <div class="table-wrap" tabindex="0"><table data-testid="redemptions">
        <thead><tr><th scope="col">${esc(t('col.time'))}</th><th scope="col">${esc(t('col.asset'))}</th><th scope="col" class="num">${esc(t('col.amount'))}</th><th scope="col">${esc(t('wallet.receipt'))}</th><th scope="col">${esc(t('col.status'))}</th></tr></thead>
        <tbody></tbody></table></div>
    </section>`);

  const $ = (q) => main.querySelector(q);
  const bySym = new Map(assets.map((a) => [a.symbol, a]));
  const cleanups = [];
  let stopped = false;
  const depInfo = new Map(); // asset -> deposit-address answer

  async function depositAddress(sym) {
    if (!depInfo.has(sym)) depInfo.set(sym, await api.get(`/v1/deposit-address?asset=${encodeURIComponent(sym)}`));
    return depInfo.get(sym);
  }

  async function showDeposit() {
    const sym = $('#deposit-asset').value;
    try {
      const d = await depositAddress(sym);
      $('#deposit-address').textContent = d.address;
      $('#deposit-token').textContent = d.token;
      $('#deposit-conf').textContent = String(d.confirmations_required);
      showError($('#dep-alerts'), null);
    } catch (e) {
      $('#deposit-address').textContent = '';
      $('#deposit-token').textContent = '';
      showError($('#dep-alerts'), e);
    }
  }
  $('#deposit-asset').addEventListener('change', showDeposit);
  showDeposit();

  // The demo wallet's (or browser wallet's) transfer to the vault.
  $('#deposit-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const box = $('#send-alerts');
    const sym = $('#deposit-asset').value;
    const a = bySym.get(sym);
    const c = dec.check($('#deposit-amount').value, a.scale);
    if (c.code) return showError(box, clientError(c.code, { scale: a.scale }));
    await busy(ev.submitter || $('[data-testid="deposit-send"]'), async () => {
      try {
        const d = await depositAddress(sym);
        const e = await auth.ethers();
        const signer = await auth.signer();
        if (!signer) throw clientError('no_wallet');
        const raw = dec.toUnits(c.value, a.scale) * 10n ** BigInt(d.decimals - d.scale);
        const token = new e.Contract(d.token, ERC20, signer);
        const have = await token.balanceOf(await signer.getAddress());
        if (have < raw) throw clientError('insufficient_balance');
        const tx = await token.transfer(d.address, raw);
        $('#send-result').innerHTML = `${esc(t('wallet.sent'))} <code data-testid="deposit-tx">${esc(tx.hash)}</code>`;
        showError(box, null);
        loadDeposits();
      } catch (err) {
        showError(box, err.code && typeof err.code === 'string' && !err.shortMessage ? err : { code: err.code === 'ACTION_REJECTED' ? 'user_rejected' : 'wallet_error', message: err.shortMessage || err.message });
      }
    });
  });

  async function loadDeposits() {
    const r = await api.get('/v1/deposits?limit=20');
    if (stopped) return;
    $('[data-testid="deposits"] tbody').innerHTML = r.deposits.map((d) => `<tr data-status="${esc(d.status)}" data-confirmations="${esc(d.confirmations ?? '')}" data-asset="${esc(d.asset)}" data-amount="${esc(d.amount)}" data-tx="${esc(d.tx_hash)}">
      <td>${esc(dateTime(d.created_at))}</td><td>${esc(d.asset)}</td><td class="num">${amt(d.amount)}</td><td>${esc(statusWord(d.status))}</td>
      <td>${d.status === 'pending' ? esc(t('wallet.confOf', { n: d.confirmations ?? '?', of: d.confirmations_required ?? '?' })) : '–'}</td></tr>`).join('')
      || `<tr><td colspan="5" class="note">${esc(t('wallet.noDeposits'))}</td></tr>`;
  }

  async function loadWithdrawals() {
    const r = await api.get('/v1/withdrawals?limit=20');
    if (stopped) return;
    $('[data-testid="withdrawals"] tbody').innerHTML = r.withdrawals.map((w) => `<tr data-id="${esc(w.id)}" data-status="${esc(w.status)}">
      <td>${esc(w.id)}</td><td>${esc(w.asset)}</td><td class="num">${amt(w.amount)}</td><td><code title="${esc(w.to || '')}">${esc(short(w.to || ''))}</code></td>
      <td>${esc(statusWord(w.status))}${w.failure_reason ? ` <span class="note">(${esc(w.failure_reason)})</span>` : ''}</td></tr>`).join('')
      || `<tr><td colspan="5" class="note">${esc(t('wallet.noWithdrawals'))}</td></tr>`;
  }

  let linked = [];
  async function loadWallets() {
    const r = await api.get('/v1/wallets');
    if (stopped) return;
    linked = r.wallets;
    const html = linked.map((w) => `<tr data-address="${esc(w.address)}"><td><code>${esc(w.address)}</code></td><td>${esc(dateTime(w.linked_at))}</td>
      <td><button type="button" data-testid="unlink" data-address="${esc(w.address)}" aria-label="${esc(t('wallet.unlinkN', { address: w.address }))}">${esc(t('wallet.unlink'))}</button></td></tr>`).join('')
      || `<tr><td colspan="3" class="note">${esc(t('wallet.noWallets'))}</td></tr>`;
    const tb = $('[data-testid="wallets"] tbody');
    if (tb.dataset.sig !== html.length + ':' + linked.map((w) => w.address).join()) {
      tb.innerHTML = html;
      tb.dataset.sig = html.length + ':' + linked.map((w) => w.address).join();
    }
    $('#linked-list').innerHTML = linked.map((w) => `<option value="${esc(w.address)}"></option>`).join('');
    const to = $('#withdraw-to');
    if (!to.value && linked.length && document.activeElement !== to) to.value = linked[0].address;
  }

  async function loadRedemptions() {
    const r = await api.get('/v1/redemptions?limit=20');
    if (stopped) return;
    $('[data-testid="redemptions"] tbody').innerHTML = r.redemptions.map((x) => `<tr data-redemption-id="${esc(x.id)}" data-status="${esc(x.status)}">
      <td>${esc(dateTime(x.created_at))}</td><td>${esc(x.asset)}</td><td class="num">${amt(x.amount)}</td><td><code>${esc(x.receipt)}</code></td><td>${esc(statusWord(x.status))}</td></tr>`).join('')
      || `<tr><td colspan="5" class="note">${esc(t('wallet.noRedemptions'))}</td></tr>`;
  }

  $('[data-testid="wallets"] tbody').addEventListener('click', async (ev) => {
    const b = ev.target.closest('button[data-testid="unlink"]');
    if (!b) return;
    await busy(b, async () => {
      try {
        await api.del(`/v1/wallets/${encodeURIComponent(b.dataset.address)}`);
        showError($('#link-alerts'), null);
      } catch (e) { showError($('#link-alerts'), e); }
      $('[data-testid="wallets"] tbody').dataset.sig = '';
      await loadWallets().catch(() => {});
    });
  });

  $('#link-address').value = s.address || '';
  $('#link-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const box = $('#link-alerts');
    const address = $('#link-address').value.trim();
    if (!/^0x[0-9a-fA-F]{40}$/.test(address)) return showError(box, clientError('invalid_address'));
    await busy($('[data-testid="link-submit"]'), async () => {
      try {
        const ch = await api.post('/v1/wallets/challenge', { address });
        const signature = await auth.signWith(ch.address, ch.message);
        await api.post('/v1/wallets', { message: ch.message, signature });
        showError(box, null);
        $('[data-testid="wallets"] tbody').dataset.sig = '';
        await loadWallets();
      } catch (e) { showError(box, e); }
    });
  });

  $('#withdraw-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const box = $('#wd-alerts');
    const a = bySym.get($('#withdraw-asset').value);
    const c = dec.check($('#withdraw-amount').value, a.scale);
    if (c.code) return showError(box, clientError(c.code, { scale: a.scale }));
    const to = $('#withdraw-to').value.trim();
    if (!/^0x[0-9a-fA-F]{40}$/.test(to)) return showError(box, clientError('invalid_address'));
    await busy($('[data-testid="withdraw-submit"]'), async () => {
      try {
        const bal = (await api.get('/v1/balances')).balances.find((b) => b.asset === a.symbol);
        if (!bal || dec.cmp(bal.available, c.value) < 0) throw clientError('insufficient_balance');
        await api.post('/v1/withdrawals', { asset: a.symbol, amount: c.value, to }, { idempotencyKey: api.idemKey() });
        showError(box, null);
        $('#withdraw-amount').value = '';
        await loadWithdrawals();
      } catch (e) { showError(box, e); }
    });
  });

  $('#redeem-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const box = $('#rd-alerts');
    const a = bySym.get($('#redeem-asset').value);
    if (!a) return showError(box, clientError('not_redeemable'));
    const c = dec.check($('#redeem-amount').value, a.scale);
    if (c.code) return showError(box, clientError(c.code, { scale: a.scale }));
    await busy($('[data-testid="redeem-submit"]'), async () => {
      try {
        const bal = (await api.get('/v1/balances')).balances.find((b) => b.asset === a.symbol);
        if (!bal || dec.cmp(bal.available, c.value) < 0) throw clientError('insufficient_balance');
        const r = await api.post('/v1/redemptions', { asset: a.symbol, amount: c.value }, { idempotencyKey: api.idemKey() });
        showError(box, null);
        $('#receipt-box').innerHTML = `<div class="receipt" data-testid="receipt" data-code="${esc(r.receipt)}" data-redemption-id="${esc(r.id)}">
          <p>${esc(t('wallet.receiptText', { amount: dec.format(r.amount, current()), asset: r.asset }))}</p>
          <p class="code" aria-label="${esc(t('wallet.receipt'))}">${esc(r.receipt)}</p></div>`;
        $('#redeem-amount').value = '';
        await loadRedemptions();
      } catch (e) { showError(box, e); }
    });
  });

  // The demo wallet's on-chain balances and the faucet.
  if (isDemo) {
    const demoBody = $('[data-testid="demo-balances"] tbody');
    const loadChain = async () => {
      const e = await auth.ethers();
      const w = await auth.demoWallet(false);
      if (!w || !w.provider) return;
      const rows = [];
      const eth = await w.provider.getBalance(w.address);
      rows.push(`<tr data-asset="ETH" data-balance="${esc(e.formatEther(eth))}"><th scope="row">ETH ${esc(t('wallet.gas'))}</th><td class="num">${amt(e.formatEther(eth))}</td></tr>`);
      for (const a of assets) {
        let d;
        try { d = await depositAddress(a.symbol); } catch { continue; }
        const bal = await new e.Contract(d.token, ERC20, w.provider).balanceOf(w.address);
        const s2 = dec.trimZeros(dec.fromUnits(bal, d.decimals));
        rows.push(`<tr data-asset="${esc(a.symbol)}" data-balance="${esc(s2)}"><th scope="row">${esc(a.symbol)}</th><td class="num">${amt(s2)}</td></tr>`);
      }
      if (!stopped) demoBody.innerHTML = rows.join('');
    };
    cleanups.push(every(4000, loadChain));
    $('[data-testid="faucet"]').addEventListener('click', async (ev) => {
      await busy(ev.currentTarget, async () => {
        try {
          const r = await auth.faucet(s.address);
          $('#faucet-result').textContent = t('wallet.faucetDone', { gas: r.gas, tokens: r.tokens.map((x) => `${dec.format(x.amount, current())} ${x.asset}`).join(', ') || '–' });
          showError($('#demo-alerts'), null);
          loadChain();
        } catch (e) { showError($('#demo-alerts'), e); }
      });
    });
  }

  cleanups.push(every(2000, () => Promise.all([loadDeposits(), loadWithdrawals()])));
  cleanups.push(every(5000, () => Promise.all([loadWallets(), loadRedemptions()])));
  return () => { stopped = true; cleanups.forEach((c) => c()); };
}
