// Journey 3: a brand manager (a wallet linked to the demo brand ACME's
// account) issues points to a consumer on the brand console, the consumer
// redeems them on the wallet view, the brand fulfils the redemption, and
// the liabilities on the page are the API's. Journey 4 for the issue form.
// Screenshots of the brand console.

import { test, before, after } from 'node:test';
import {
  startServer, launchBrowser, newPage, signIn, go, keyFor, brandOf, linkWallet, eventually, sleep,
  pageBalances, nonzero, refuses, expectAlert, shoot, ethers, assert,
  guard,
} from './harness.mjs';

const guarded = (fn) => guard(() => [b?.watch, c?.watch].filter(Boolean), fn);

let server, browser, b, c; // b: the brand manager's page, c: the consumer's
let brandId, brandApi, consumerId, consumerApi;
const brandWallet = ethers.Wallet.createRandom();
const consumerWallet = ethers.Wallet.createRandom();
const reference = `web-issue-${Date.now()}`;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  brandId = brandOf(server, 'ACME');
  brandApi = await keyFor(server, brandId, ['read', 'withdraw', 'issue']);
  await linkWallet(brandApi, brandWallet);
  b = await newPage(browser, server, { wallet: brandWallet, name: 'brand' });
  c = await newPage(browser, server, { wallet: consumerWallet, name: 'consumer' });
});

after(async () => {
  for (const x of [b, c]) { try { if (x) await x.context.close(); } catch {} }
  try { if (browser) await browser.close(); } catch {}
  if (server) await server.stop();
});

async function liabilitiesMatchApi(what) {
  return eventually(async () => {
    const api = (await brandApi.get('/v1/brand/liabilities')).liabilities;
    const rows = await b.page.$$eval('[data-testid="liabilities"] [data-asset]', (r) => r.map((x) => ({
      asset: x.dataset.asset, issued: x.dataset.issued, held_by_customers: x.dataset.heldByCustomers,
      redeemed: x.dataset.redeemed, expired: x.dataset.expired,
    })));
    for (const l of api) assert.equal(l.redeemed_pending, '0.00', 'nothing is pending (data-redeemed is then unambiguous)');
    assert.deepEqual(rows, api.map((l) => ({
      asset: l.asset, issued: l.issued, held_by_customers: l.held_by_customers,
      redeemed: l.redeemed_fulfilled, expired: l.expired,
    })), 'the liabilities on the page are the API\'s');
    return api;
  }, { timeout: 15000, what });
}

test('the brand manager and the consumer sign in', guarded(async () => {
  await b.page.goto(server.base + '/#/brand');
  await c.page.goto(server.base + '/#/wallet');
  assert.equal(await signIn(b.page), brandId, 'the wallet linked to the brand signs in as the brand');
  consumerId = await signIn(c.page);
  assert.notEqual(consumerId, brandId);
  consumerApi = await keyFor(server, consumerId, ['read']);
  await go(b.page, '#/brand', 'brand');
  // The programs, with the supply the API reads from the chain.
  await eventually(async () => {
    const api = (await brandApi.get('/v1/brand/programs')).programs;
    const rows = await b.page.$$eval('[data-testid="programs"] [data-asset]', (r) => r.map((x) => ({ asset: x.dataset.asset, supply: x.dataset.supply })));
    assert.deepEqual(rows, api.map((p) => ({ asset: p.asset, supply: p.total_supply })), 'the programs on the page are the API\'s');
  }, { what: 'the programs' });
  await liabilitiesMatchApi('the first liabilities');
  b.watch.check();
  c.watch.check();
}));

test('journey 3: issue, redeem, fulfil; the liabilities are the API\'s', guarded(async () => {
  const bp = b.page;
  const cp = c.page;
  const before = (await brandApi.get('/v1/brand/liabilities')).liabilities.find((l) => l.asset === 'ACME');

  // The brand issues 50.00 ACME to the consumer.
  await bp.fill('#issue-customer', consumerId);
  await bp.selectOption('#issue-asset', 'ACME');
  await bp.fill('#issue-amount', '50.00');
  await bp.fill('#issue-reference', reference);
  await bp.locator('[data-testid="issue-submit"]').click();
  const result = bp.locator('[data-testid="issue-result"]');
  await result.waitFor({ state: 'visible' });
  assert.ok(['pending', 'minting', 'credited'].includes(await result.getAttribute('data-status')), 'the issue is accepted');
  const iss = await eventually(async () => {
    const i = await brandApi.get(`/v1/brand/issues/${reference}`);
    assert.deepEqual([i.customer, i.asset, i.amount, i.status], [consumerId, 'ACME', '50.00', 'credited']);
    return i;
  }, { timeout: 30000, what: 'the issue' });
  assert.ok(iss);

  // The consumer sees the points, and redeems 20.00 of them.
  await go(cp, '#/wallet', 'wallet');
  await eventually(async () => {
    const api = await consumerApi.balances();
    assert.deepEqual(api.ACME, { available: '50.00', held: '0.00' });
    assert.deepEqual(nonzero(await pageBalances(cp)), api, 'the consumer\'s balances on the page are the API\'s');
  }, { timeout: 20000, what: 'the consumer\'s balance' });
  await cp.selectOption('#redeem-asset', 'ACME');
  await cp.fill('#redeem-amount', '20.00');
  await cp.locator('[data-testid="redeem-submit"]').click();
  const receipt = cp.locator('[data-testid="receipt"]');
  await receipt.waitFor({ state: 'visible' });
  const code = await receipt.getAttribute('data-code');
  const mine = (await consumerApi.get('/v1/redemptions')).redemptions;
  assert.equal(mine.length, 1);
  assert.equal(code, mine[0].receipt, 'the receipt on the page is the API\'s');
  const red = mine[0];

  // The brand sees it pending (after opening its console again) and fulfils it.
  await go(bp, '#/', 'home');
  await go(bp, '#/brand', 'brand');
  const row = bp.locator(`[data-testid="brand-redemptions"] [data-redemption-id="${red.id}"]`);
  await eventually(async () => {
    assert.equal(await row.getAttribute('data-status', { timeout: 1000 }), 'pending');
  }, { what: 'the pending redemption on the brand console' });
  const brandList = (await brandApi.get('/v1/brand/redemptions?status=pending')).redemptions;
  assert.deepEqual(brandList.map((r) => [r.id, r.receipt]), [[red.id, red.receipt]], 'the API has it pending for the brand');
  await row.locator('[data-testid="fulfil"]').click();
  await eventually(async () => {
    const r = (await brandApi.get('/v1/brand/redemptions')).redemptions.find((x) => x.id === red.id);
    assert.equal(r.status, 'fulfilled', 'the API has it fulfilled');
    assert.equal(await row.getAttribute('data-status', { timeout: 1000 }), 'fulfilled', 'the page has it fulfilled');
  }, { what: 'the fulfilment' });

  // The liabilities, on the page and in the API.
  const api = await liabilitiesMatchApi('the liabilities after the fulfilment');
  const after = api.find((l) => l.asset === 'ACME');
  const d = (x, y) => (Number(x) - Number(y)).toFixed(2);
  assert.equal(d(after.issued, before.issued), '50.00', 'issued grew by the issue');
  assert.equal(d(after.redeemed_fulfilled, before.redeemed_fulfilled), '20.00', 'redeemed grew by the redemption');
  assert.equal(d(after.held_by_customers, before.held_by_customers), '30.00', 'customers hold the rest');
  const chart = bp.locator('[data-testid="liabilities-chart"]');
  await chart.waitFor({ state: 'visible' });
  const box = await chart.boundingBox();
  assert.ok(box && box.width > 100 && box.height > 50, `the liabilities chart has a size (${JSON.stringify(box)})`);
  // The consumer's balance on the page and in the API.
  await eventually(async () => {
    const bal = await consumerApi.balances();
    assert.deepEqual(bal.ACME, { available: '30.00', held: '0.00' });
    assert.deepEqual(nonzero(await pageBalances(cp)), bal);
  }, { what: 'the consumer\'s balance after the redemption' });
  b.watch.check();
  c.watch.check();
}));

test('journey 4: the issue form refuses bad input and sends nothing', guarded(async () => {
  const { page, watch } = b;
  await go(page, '#/brand', 'brand');
  const before = (await brandApi.get('/v1/brand/liabilities')).liabilities;
  await page.fill('#issue-customer', consumerId);
  await page.selectOption('#issue-asset', 'ACME');
  let n = 0;
  for (const [amount, code] of [['1.234', 'too_many_decimals'], ['0', 'not_positive'], ['50.001', 'too_many_decimals'], ['0.00', 'not_positive']]) {
    await page.fill('#issue-amount', amount);
    await page.fill('#issue-reference', `${reference}-bad-${n++}`);
    await refuses(page, watch, '[data-testid="issue-submit"]', code, `an issue of ${amount}`);
  }
  for (let i = 0; i < n; i++) {
    const r = await brandApi.raw('GET', `/v1/brand/issues/${reference}-bad-${i}`);
    assert.equal(r.status, 404, 'no issue was made');
  }
  const after = (await brandApi.get('/v1/brand/liabilities')).liabilities;
  assert.deepEqual(after.map((l) => [l.asset, l.issued]), before.map((l) => [l.asset, l.issued]), 'nothing was issued');
  watch.check();
}));

test('an issue the API refuses shows the API\'s code (a failed load the test provokes)', guarded(async () => {
  const { page, watch } = b;
  await go(page, '#/brand', 'brand');
  const ref = `${reference}-unknown`;
  await page.fill('#issue-customer', '999999');
  await page.selectOption('#issue-asset', 'ACME');
  await page.fill('#issue-amount', '1.00');
  await page.fill('#issue-reference', ref);
  // Chromium logs the 404 answer as a console error: this one, on purpose.
  watch.allow(404, 'POST', '/v1/brand/issues');
  const mark = watch.mark();
  await page.locator('[data-testid="issue-submit"]').click();
  await expectAlert(page, 'unknown_account');
  const sent = watch.writesSince(mark);
  assert.deepEqual(sent.map((r) => [r.method, new URL(r.url).pathname]), [['POST', '/v1/brand/issues']], 'the page asked the API once');
  const direct = await brandApi.raw('POST', '/v1/brand/issues', { customer: '999999', asset: 'ACME', amount: '1.00', reference: `${ref}-direct` });
  assert.deepEqual([direct.status, direct.body?.error?.code], [404, 'unknown_account'], 'the API refuses it so');
  assert.equal((await brandApi.raw('GET', `/v1/brand/issues/${ref}`)).status, 404, 'no issue was made');
  watch.check();
}));

test('screenshots: brand', guarded(async () => {
  const { page, watch } = b;
  await go(page, '#/', 'home');
  await go(page, '#/brand', 'brand');
  await page.locator('[data-testid="liabilities"] [data-asset]').first().waitFor();
  await shoot(page, 'brand', { docsAs: 'brand.png' });
  watch.check();
}));
