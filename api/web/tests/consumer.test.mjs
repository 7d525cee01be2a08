// Journey 1 (a consumer signs in with a wallet, sees balances, gets a
// quote, swaps; the balances change on the page and in the API), the
// wallet view (a deposit from the wallet on chain, a withdrawal to it, a
// redemption with its receipt), and journey 4 for the swap, withdraw and
// redeem forms (bad input shows the error and sends nothing). Screenshots
// of the home, swap and wallet views.

import { test, before, after } from 'node:test';
import {
  startServer, launchBrowser, newPage, signIn, go, keyFor, newAccount, brandOf, issue, eventually, sleep,
  pageBalances, nonzero, refuses, shoot, ethers, assert, Api,
  guard,
} from './harness.mjs';

const guarded = (fn) => guard(() => [s?.watch].filter(Boolean), fn);

let server, browser, s;
const wallet = ethers.Wallet.createRandom();
let account; // the consumer's account id, made by its first sign-in
let reader; // an HMAC key with scope read for that account: what the API says
let acmeBrand;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  s = await newPage(browser, server, { wallet, name: 'consumer' });
  acmeBrand = await keyFor(server, brandOf(server, 'ACME'), ['read', 'issue']);
});

after(async () => {
  try { if (s) await s.context.close(); } catch {}
  try { if (browser) await browser.close(); } catch {}
  if (server) await server.stop();
});

async function balancesMatchApi(what) {
  await eventually(async () => {
    const api = await reader.balances();
    assert.deepEqual(nonzero(await pageBalances(s.page)), api, `${what}: the page's balances are the API's`);
  }, { timeout: 15000, what });
}

test('the home page loads signed out, without errors', guarded(async () => {
  const { page, watch } = s;
  await page.goto(server.base + '/');
  await page.locator('main[data-view="home"]').waitFor();
  for (const href of ['#/', '#/swap', '#/wallet', '#/brand']) {
    assert.ok(await page.locator(`a[href="${href}"]`).count() > 0, `a link to ${href}`);
  }
  assert.ok(await page.locator('a[href^="#/market/"]').count() > 0, 'a link to a market');
  assert.equal(await page.locator('#lang').getAttribute('aria-label'), 'Language');
  assert.deepEqual(await page.$$eval('#lang option', (o) => o.map((x) => x.value)), ['en', 'de']);
  await page.locator('[data-testid="signin-wallet"]').first().waitFor();
  assert.equal(await page.locator('[data-testid="account"]').count(), 0, 'signed out: no account');
  watch.check();
}));

test('the demo sign-in (no browser wallet): a new account with its wallet linked', guarded(async () => {
  const d = await newPage(browser, server, { name: 'demo sign-in' });
  try {
    await d.page.goto(server.base + '/');
    await d.page.locator('[data-testid="signin-demo"]').first().click();
    const acct = d.page.locator('[data-testid="account"]').first();
    await acct.waitFor({ state: 'visible', timeout: 20000 });
    const id = await acct.getAttribute('data-account');
    const api = await keyFor(server, id, ['read']);
    const wallets = (await api.get('/v1/wallets')).wallets;
    assert.equal(wallets.length, 1, 'the demo wallet is linked to the new account');
    // The faucet gave the demo wallet gas on the dev chain.
    const provider = new ethers.JsonRpcProvider(server.rpcUrl, server.chainId, { staticNetwork: true });
    await eventually(async () => assert.ok(await provider.getBalance(wallets[0].address) > 0n, 'the demo wallet has gas'), { timeout: 20000, what: 'the faucet' });
    provider.destroy();
    d.watch.check();
  } finally {
    await d.context.close();
  }
}));

test('journey 1: sign in with a wallet, see balances, quote, swap', guarded(async () => {
  const { page, watch } = s;
  account = await signIn(page);
  assert.ok(s.wallet.calls.some((c) => c.method === 'personal_sign'), 'the wallet signed the sign-in message');
  reader = await keyFor(server, account, ['read']);
  // The first sign-in made a consumer account with this wallet linked.
  const wallets = (await reader.get('/v1/wallets')).wallets;
  assert.deepEqual(wallets.map((w) => w.address), [wallet.address], 'the API links the wallet to the signed-in account');

  // The brand issues points to the consumer: the page shows them.
  await go(page, '#/swap', 'swap');
  await issue(acmeBrand, account, 'ACME', '100.00');
  await balancesMatchApi('after the issue');
  assert.deepEqual((await pageBalances(page)).ACME, { available: '100.00', held: '0.00' });

  // A quote, as the API quotes it.
  await page.selectOption('#swap-from', 'ACME');
  await page.selectOption('#swap-to', 'COFFEE');
  await page.fill('#swap-amount', '40');
  await page.fill('#swap-slippage', '1');
  for (const id of ['swap-from', 'swap-to', 'swap-amount', 'swap-slippage']) {
    assert.ok(await page.locator(`label[for="${id}"]`).count() > 0 || await page.locator(`label:has(#${id})`).count() > 0, `#${id} has a label`);
  }
  let quote;
  await eventually(async () => {
    quote = await new Api(server.base).get('/v1/quote?from=ACME&to=COFFEE&amount=40');
    const out = await page.locator('[data-testid="quote"]').getAttribute('data-out');
    assert.equal(out, quote.amount_out, 'the quote on the page is the API\'s');
  }, { what: 'the quote' });
  assert.ok(Number(quote.amount_out) > 0);

  // The book moves (another trader bids above the market maker for ACME):
  // the page's quote follows it through the books' WebSocket channels,
  // well before its 5 s fallback would ask again.
  const lpxBrand = await keyFor(server, brandOf(server, 'LPX'), ['read', 'issue']);
  const trader = await newAccount(server, 'consumer', 'bidder', ['read', 'trade']);
  await issue(lpxBrand, trader.id, 'LPX', '1000.00');
  const book = await new Api(server.base).get('/v1/markets/ACME-LPX/book?depth=1');
  const better = (BigInt(book.bids[0][0].replace('.', '')) + 10n).toString().padStart(3, '0'); // 10 ticks up
  await trader.api.post('/v1/orders', { market: 'ACME-LPX', side: 'buy', type: 'limit', price: `${better.slice(0, -2)}.${better.slice(-2)}`, size: '100.00' });
  const moved = await new Api(server.base).get('/v1/quote?from=ACME&to=COFFEE&amount=40');
  assert.notEqual(moved.amount_out, quote.amount_out, 'the better bid changes the quote');
  await eventually(async () => {
    quote = await new Api(server.base).get('/v1/quote?from=ACME&to=COFFEE&amount=40');
    assert.equal(await page.locator('[data-testid="quote"]').getAttribute('data-out'), quote.amount_out, 'the page follows the book');
    assert.equal(await page.locator('[data-testid="quote"]').getAttribute('data-min-receive') !== null, true);
  }, { timeout: 2500, interval: 100, what: 'the quote after the book moved' });

  // The swap: the result, then the balances on the page and in the API.
  const before = await reader.balances();
  await page.locator('[data-testid="swap-submit"]').click();
  const result = page.locator('[data-testid="swap-result"]');
  await result.waitFor({ state: 'visible', timeout: 15000 });
  const received = await result.getAttribute('data-received');
  const after = await reader.balances();
  assert.equal(after.COFFEE?.available, received, 'the API credited what the page says was received');
  assert.ok(Number(received) > 0, 'something was received');
  assert.ok(Number(after.ACME.available) < Number(before.ACME.available), 'ACME was spent');
  assert.ok(Number(received) >= Math.floor(Number(quote.amount_out) * 0.99), 'within the slippage of the quote');
  await balancesMatchApi('after the swap');
  watch.check();
}));

test('journey 4: the swap form refuses bad input and sends nothing', guarded(async () => {
  const { page, watch } = s;
  await go(page, '#/swap', 'swap');
  await page.selectOption('#swap-from', 'ACME');
  await page.selectOption('#swap-to', 'COFFEE');
  const before = await reader.balances();
  // More than the balance, but less than the book could take (so that the quote alone refuses nothing).
  const more = (Number(before.ACME.available) + 10).toFixed(2);
  for (const [amount, code] of [['1.234', 'too_many_decimals'], ['0', 'not_positive'], [more, 'insufficient_balance']]) {
    await page.fill('#swap-amount', amount);
    await refuses(page, watch, '[data-testid="swap-submit"]', code, `a swap of ${amount}`);
  }
  assert.deepEqual(await reader.balances(), before, 'the API\'s balances are unchanged');
  watch.check();
}));

test('screenshots: home and swap', guarded(async () => {
  const { page, watch } = s;
  await go(page, '#/', 'home');
  await shoot(page, 'home');
  await go(page, '#/swap', 'swap');
  await shoot(page, 'swap', {
    docsAs: 'swap.png',
    prepare: async () => {
      await page.selectOption('#swap-from', 'ACME');
      await page.selectOption('#swap-to', 'COFFEE');
      await page.fill('#swap-amount', '40');
      await page.fill('#swap-slippage', '1');
      await eventually(async () => {
        const q = await new Api(server.base).get('/v1/quote?from=ACME&to=COFFEE&amount=40');
        assert.equal(await page.locator('[data-testid="quote"]').getAttribute('data-out', { timeout: 1000 }), q.amount_out);
      }, { what: 'the quote for the picture' });
      await page.locator('#swap-amount').blur();
    },
  });
  watch.check();
}));

test('the wallet view: a deposit from the wallet, a withdrawal to it, a redemption', guarded(async () => {
  const { page, watch } = s;
  await go(page, '#/wallet', 'wallet');
  // The deposit address is the API's vault.
  const addr = await reader.get('/v1/deposit-address?asset=ACME');
  await eventually(async () => {
    const shown = await page.locator('[data-testid="deposit-address"]').first().innerText();
    assert.ok(shown.toLowerCase().includes(addr.address.toLowerCase()), `the deposit address shown (${shown}) is the vault ${addr.address}`);
  });
  // The faucet gives the wallet gas and demo tokens; the wallet sends 5 ACME to the vault.
  await new Api(server.base).post('/v1/demo/faucet', { address: wallet.address });
  const token = new ethers.Contract(addr.token, ['function transfer(address,uint256) returns (bool)'], s.wallet.signer);
  const tx = await token.transfer(addr.address, ethers.parseUnits('5', addr.decimals));
  await tx.wait();
  await eventually(async () => {
    const deps = (await reader.get('/v1/deposits')).deposits;
    assert.equal(deps[0]?.status, 'credited');
    const rows = await page.$$eval('[data-testid="deposits"] [data-status]', (r) => r.map((x) => x.dataset.status));
    assert.deepEqual(rows, deps.map((d) => d.status), 'the deposits on the page are the API\'s');
  }, { timeout: 30000, what: 'the deposit' });
  await balancesMatchApi('after the deposit');

  // Withdraw 2.50 ACME to the linked wallet.
  await page.selectOption('#withdraw-asset', 'ACME');
  await page.fill('#withdraw-amount', '2.50');
  const to = page.locator('#withdraw-to');
  if (await to.evaluate((e) => e.tagName) === 'SELECT') {
    await to.selectOption({ value: await to.evaluate((e, a) => [...e.options].find((o) => o.value.toLowerCase() === a)?.value || '', wallet.address.toLowerCase()) });
  } else {
    await to.fill(wallet.address);
  }
  await page.locator('[data-testid="withdraw-submit"]').click();
  await eventually(async () => {
    const ws = (await reader.get('/v1/withdrawals')).withdrawals;
    assert.equal(ws.length, 1);
    assert.equal(ws[0].amount, '2.50');
    assert.equal(ws[0].status, 'confirmed');
    const rows = await page.$$eval('[data-testid="withdrawals"] [data-status]', (r) => r.map((x) => x.dataset.status));
    assert.deepEqual(rows, ['confirmed'], 'the withdrawal on the page is the API\'s');
  }, { timeout: 40000, what: 'the withdrawal' });
  await balancesMatchApi('after the withdrawal');

  // Redeem 1 COFFEE coupon: the receipt is the API's.
  await page.selectOption('#redeem-asset', 'COFFEE');
  await page.fill('#redeem-amount', '1');
  await page.locator('[data-testid="redeem-submit"]').click();
  const receipt = page.locator('[data-testid="receipt"]');
  await receipt.waitFor({ state: 'visible' });
  const code = await receipt.getAttribute('data-code');
  const reds = (await reader.get('/v1/redemptions')).redemptions;
  assert.equal(reds.length, 1);
  assert.equal(code, reds[0].receipt, 'the receipt on the page is the API\'s');
  assert.deepEqual([reds[0].asset, reds[0].amount, reds[0].status], ['COFFEE', '1', 'pending']);
  await balancesMatchApi('after the redemption');
  watch.check();
}));

test('journey 4: the withdraw and redeem forms refuse bad input and send nothing', guarded(async () => {
  const { page, watch } = s;
  await go(page, '#/wallet', 'wallet');
  const before = await reader.balances();
  const wBefore = (await reader.get('/v1/withdrawals')).withdrawals.length;
  const rBefore = (await reader.get('/v1/redemptions')).redemptions.length;
  await page.selectOption('#withdraw-asset', 'ACME');
  const to = page.locator('#withdraw-to');
  if (await to.evaluate((e) => e.tagName) !== 'SELECT') await to.fill(wallet.address);
  for (const [amount, code] of [['1.234', 'too_many_decimals'], ['0', 'not_positive'], ['100000.00', 'insufficient_balance']]) {
    await page.fill('#withdraw-amount', amount);
    await refuses(page, watch, '[data-testid="withdraw-submit"]', code, `a withdrawal of ${amount}`);
  }
  await page.selectOption('#redeem-asset', 'COFFEE'); // scale 0
  for (const [amount, code] of [['1.5', 'too_many_decimals'], ['0', 'not_positive'], ['100000', 'insufficient_balance']]) {
    await page.fill('#redeem-amount', amount);
    await refuses(page, watch, '[data-testid="redeem-submit"]', code, `a redemption of ${amount}`);
  }
  assert.deepEqual(await reader.balances(), before, 'the API\'s balances are unchanged');
  assert.equal((await reader.get('/v1/withdrawals')).withdrawals.length, wBefore, 'no withdrawal was made');
  assert.equal((await reader.get('/v1/redemptions')).redemptions.length, rBefore, 'no redemption was made');
  watch.check();
}));

test('screenshots: wallet; sign out', guarded(async () => {
  const { page, watch } = s;
  await go(page, '#/wallet', 'wallet');
  await shoot(page, 'wallet');
  await page.locator('[data-testid="signout"]').first().click();
  await page.locator('[data-testid="signin-wallet"]').first().waitFor();
  assert.equal(await page.locator('[data-testid="account"]').count(), 0, 'signed out');
  watch.check();
}));
