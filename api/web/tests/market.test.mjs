// Journey 2: the market page's book and trades update live while other
// clients place and fill orders through the API (signed with HMAC keys);
// order entry on the page (place, amend, cancel, each checked in the API);
// journey 4 for the order form. Screenshots of the market view.

import { test, before, after } from 'node:test';
import {
  startServer, launchBrowser, newPage, signIn, go, keyFor, newAccount, brandOf, issue, eventually, sleep,
  pageBalances, nonzero, pageBook, pageTrades, refuses, shoot, ethers, assert, Api,
  guard,
} from './harness.mjs';

const guarded = (fn) => guard(() => [s?.watch].filter(Boolean), fn);

const MARKET = 'ACME-LPX';
let server, browser, s, pub;
let maker, taker; // {id, api}: other clients trading through the API
const wallet = ethers.Wallet.createRandom();
let account, reader;

before(async () => {
  server = await startServer();
  pub = new Api(server.base);
  browser = await launchBrowser();
  s = await newPage(browser, server, { wallet, name: 'market' });
  const acme = await keyFor(server, brandOf(server, 'ACME'), ['read', 'issue']);
  const lpx = await keyFor(server, brandOf(server, 'LPX'), ['read', 'issue']);
  maker = await newAccount(server, 'consumer', 'maker', ['read', 'trade']);
  taker = await newAccount(server, 'consumer', 'taker', ['read', 'trade']);
  await Promise.all([issue(acme, maker.id, 'ACME', '20.00'), issue(lpx, taker.id, 'LPX', '20.00')]);
  s.acme = acme;
  s.lpx = lpx;
});

after(async () => {
  try { if (s) await s.context.close(); } catch {}
  try { if (browser) await browser.close(); } catch {}
  if (server) await server.stop();
});

// bookMatchesApi: the page's book is the API's (each side's top levels,
// as many as the page shows, at least 5 or all the API has).
async function bookMatchesApi(what) {
  await eventually(async () => {
    const rows = await pageBook(s.page);
    const api = await pub.get(`/v1/markets/${MARKET}/book?depth=50`);
    for (const side of ['bid', 'ask']) {
      const mine = rows.filter((r) => r.side === side).map((r) => [r.price, r.size]);
      const theirs = api[side + 's'];
      mine.sort((a, b) => (side === 'bid' ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0])));
      assert.ok(mine.length >= Math.min(theirs.length, 5), `${side}s: the page shows ${mine.length} levels of ${theirs.length}`);
      assert.deepEqual(mine, theirs.slice(0, mine.length), `${side}s on the page are the API's`);
    }
  }, { timeout: 10000, what });
}

async function tradesMatchApi(what) {
  await eventually(async () => {
    const rows = await pageTrades(s.page);
    const api = (await pub.get(`/v1/markets/${MARKET}/trades?limit=50`)).trades.map((t) => ({ price: t.price, size: t.size }));
    assert.ok(rows.length >= Math.min(api.length, 5), `the page shows ${rows.length} trades of ${api.length}`);
    assert.deepEqual(rows, api.slice(0, rows.length), 'the trades on the page are the API\'s, newest first');
  }, { timeout: 10000, what });
}

test('journey 2: the book and the trades update live', guarded(async () => {
  const { page, watch } = s;
  await page.goto(`${server.base}/#/market/${MARKET}`);
  await page.locator('main[data-view="market"]').waitFor();
  await page.locator('[data-testid="book"] [data-side="bid"]').first().waitFor();
  await bookMatchesApi('the first book');
  await page.evaluate(() => { window.__lpxNotReloaded = true; });

  // Another client offers 4 ACME at 0.50, inside the market maker's spread.
  const ask = await maker.api.post('/v1/orders', { market: MARKET, side: 'sell', type: 'limit', price: '0.50', size: '4.00' });
  assert.equal(ask.status, 'open');
  await eventually(async () => {
    const rows = await pageBook(page);
    assert.ok(rows.some((r) => r.side === 'ask' && r.price === '0.50' && r.size === '4.00'), 'the new ask is on the page');
  }, { timeout: 10000, what: 'the new ask' });
  await bookMatchesApi('after the new ask');

  // A third client takes it: a trade, and the ask leaves the book.
  const bid = await taker.api.post('/v1/orders', { market: MARKET, side: 'buy', type: 'limit', price: '0.50', size: '4.00' });
  assert.equal(bid.status, 'filled');
  await eventually(async () => {
    const trades = (await pub.get(`/v1/markets/${MARKET}/trades?limit=5`)).trades;
    assert.deepEqual([trades[0]?.price, trades[0]?.size], ['0.50', '4.00'], 'the API\'s newest trade');
  }, { what: 'the trade in the API' });
  await eventually(async () => {
    const t = await pageTrades(page);
    assert.deepEqual(t[0], { price: '0.50', size: '4.00' }, 'the newest trade on the page');
    assert.ok(!(await pageBook(page)).some((r) => r.price === '0.50'), 'the filled ask left the page\'s book');
  }, { timeout: 10000, what: 'the trade' });
  await tradesMatchApi('after the trade');
  await bookMatchesApi('after the trade');
  assert.equal(await page.evaluate(() => window.__lpxNotReloaded), true, 'the page was not reloaded');
  watch.check();
}));

test('order entry on the page: place, amend, cancel', guarded(async () => {
  const { page, watch } = s;
  account = await signIn(page);
  reader = await keyFor(server, account, ['read']);
  await issue(s.lpx, account, 'LPX', '10.00');
  await go(page, `#/market/${MARKET}`, 'market');

  await page.selectOption('#order-side', 'buy');
  await page.fill('#order-price', '0.45');
  await page.fill('#order-size', '2.00');
  await page.locator('[data-testid="order-submit"]').click();
  let order;
  await eventually(async () => {
    const open = (await reader.get(`/v1/orders?market=${MARKET}`)).orders.filter((o) => ['open', 'partially_filled'].includes(o.status));
    assert.equal(open.length, 1, 'one open order in the API');
    order = open[0];
    assert.deepEqual([order.side, order.price, order.remaining], ['buy', '0.45', '2.00']);
    const ids = await page.$$eval('[data-testid="open-orders"] [data-order-id]', (r) => r.map((x) => x.dataset.orderId));
    assert.deepEqual(ids, [order.id], 'the open orders on the page are the API\'s');
  }, { what: 'the placed order' });
  await bookMatchesApi('after the page\'s order');
  assert.ok(Number((await reader.balances()).LPX.held) >= 0.9, 'the API holds price x size');
  await eventually(async () => assert.deepEqual(nonzero(await pageBalances(page)), await reader.balances(), 'the page\'s balances are the API\'s'), { what: 'balances with the order' });

  // Amend to 3.00 at 0.44.
  const row = page.locator(`[data-testid="open-orders"] [data-order-id="${order.id}"]`);
  await row.locator('[data-testid="order-amend"]').click();
  await page.fill('#amend-price', '0.44');
  await page.fill('#amend-size', '3.00');
  await page.locator('[data-testid="amend-submit"]').click();
  await eventually(async () => {
    const o = await reader.get(`/v1/orders/${order.id}`);
    assert.deepEqual([o.price, o.remaining], ['0.44', '3.00'], 'the API\'s order is amended');
  }, { what: 'the amendment' });
  await bookMatchesApi('after the amendment');

  // Cancel it.
  await page.locator(`[data-testid="open-orders"] [data-order-id="${order.id}"] [data-testid="order-cancel"]`).click();
  await eventually(async () => {
    const o = await reader.get(`/v1/orders/${order.id}`);
    assert.equal(o.status, 'canceled');
    assert.equal(await page.locator('[data-testid="open-orders"] [data-order-id]').count(), 0, 'no open order on the page');
  }, { what: 'the cancel' });
  await eventually(async () => {
    const api = await reader.balances();
    assert.deepEqual(api.LPX, { available: '10.00', held: '0.00' });
    assert.deepEqual(nonzero(await pageBalances(page)), api, 'the page\'s balances are the API\'s');
  }, { what: 'balances after the cancel' });
  watch.check();
}));

test('journey 4: the order form refuses bad input and sends nothing', guarded(async () => {
  const { page, watch } = s;
  await go(page, `#/market/${MARKET}`, 'market');
  const before = await reader.balances();
  const ordersBefore = (await reader.get(`/v1/orders?market=${MARKET}`)).orders.length;
  await page.selectOption('#order-side', 'buy');
  for (const [price, size, code] of [
    ['0.455', '2.00', 'too_many_decimals'],
    ['0.45', '2.001', 'too_many_decimals'],
    ['0.45', '0', 'not_positive'],
    ['0', '2.00', 'not_positive'],
    ['0.45', '1000.00', 'insufficient_balance'],
  ]) {
    await page.fill('#order-price', price);
    await page.fill('#order-size', size);
    await refuses(page, watch, '[data-testid="order-submit"]', code, `an order of ${size} at ${price}`);
  }
  assert.deepEqual(await reader.balances(), before, 'the API\'s balances are unchanged');
  assert.equal((await reader.get(`/v1/orders?market=${MARKET}`)).orders.length, ordersBefore, 'no order was placed');
  watch.check();
}));

test('screenshots: market', guarded(async () => {
  const { page, watch } = s;
  // A resting order of the consumer's for the open-orders table.
  await page.selectOption('#order-side', 'buy');
  await page.fill('#order-price', '0.40');
  await page.fill('#order-size', '1.00');
  await page.locator('[data-testid="order-submit"]').click();
  await page.locator('[data-testid="open-orders"] [data-order-id]').first().waitFor();
  await shoot(page, 'market');
  watch.check();
}));

test('journey 4: the amend form refuses bad input and sends nothing', guarded(async () => {
  const { page, watch } = s;
  await go(page, `#/market/${MARKET}`, 'market');
  const open = (await reader.get(`/v1/orders?market=${MARKET}&status=open`)).orders;
  assert.equal(open.length, 1, 'the consumer has one open order (from the screenshots)');
  const order = open[0];
  const before = await reader.balances();
  const row = page.locator(`[data-testid="open-orders"] [data-order-id="${order.id}"]`);
  for (const [price, size, code] of [
    ['0.405', order.remaining, 'too_many_decimals'],
    [order.price, '0', 'not_positive'],
    [order.price, '100.00', 'insufficient_balance'],
  ]) {
    if (!(await page.locator('#amend-price').isVisible())) await row.locator('[data-testid="order-amend"]').click();
    await page.fill('#amend-price', price);
    await page.fill('#amend-size', size);
    await refuses(page, watch, '[data-testid="amend-submit"]', code, `an amendment to ${size} at ${price}`);
  }
  const after = await reader.get(`/v1/orders/${order.id}`);
  assert.deepEqual([after.status, after.price, after.remaining], ['open', order.price, order.remaining], 'the API\'s order is unchanged');
  assert.deepEqual(await reader.balances(), before, 'the API\'s balances are unchanged');
  watch.check();
}));
