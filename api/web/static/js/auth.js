// Sign-in with Ethereum: a browser wallet (EIP-1193 window.ethereum) or,
// in the embedded demo mode, a demo wallet whose key stays in this browser.

import * as api from './api.js';

const DEMO_KEY = 'lpx.demoWalletKey';
let ethersP = null;
export function ethers() {
  if (!ethersP) ethersP = import('../vendor/ethers.min.js');
  return ethersP;
}

export function hasInjected() {
  return typeof window.ethereum !== 'undefined' && window.ethereum && typeof window.ethereum.request === 'function';
}

// siweFields are the domain, uri and chain id the message must name.
export async function siweFields() {
  let info = null;
  try { info = await api.info(); } catch { /* older servers: the nonce says the domain */ }
  const siwe = (info && info.siwe) || {};
  return {
    info,
    domain: (info && (info.siwe_domain || info.domain)) || siwe.domain || null,
    uri: (info && (info.siwe_uri || info.uri)) || siwe.uri || location.origin,
    chainId: (info && info.chain_id) || null,
  };
}

export function siweMessage({ domain, address, uri, chainId, nonce, issuedAt, statement }) {
  return `${domain} wants you to sign in with your Ethereum account:\n${address}\n\n${statement}\n\nURI: ${uri}\nVersion: 1\nChain ID: ${chainId}\nNonce: ${nonce}\nIssued At: ${issuedAt}`;
}

function nowIso() {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// login runs the SIWE flow with sign(message) → 0x signature.
async function login(address, sign, wallet) {
  const { getAddress } = await ethers();
  const f = await siweFields();
  const n = await api.get('/v1/auth/nonce');
  const message = siweMessage({
    domain: f.domain || n.domain,
    address: getAddress(address),
    uri: f.uri,
    chainId: n.chain_id || f.chainId,
    nonce: n.nonce,
    issuedAt: nowIso(),
    statement: 'Sign in to lpx',
  });
  const signature = await sign(message);
  const r = await api.post('/v1/auth/login', { message, signature });
  const s = { token: r.token, account: r.account, kind: r.kind, address: getAddress(r.address), expires_at: r.expires_at, wallet };
  api.setSession(s);
  return s;
}

function walletError(e) {
  // EIP-1193: 4001 the user refused.
  if (e && (e.code === 4001 || e.code === 'ACTION_REJECTED')) return new api.ApiError('user_rejected', e.message);
  if (e instanceof api.ApiError) return e;
  return new api.ApiError('wallet_error', e && e.message ? e.message : String(e));
}

export async function signInInjected() {
  if (!hasInjected()) throw new api.ApiError('no_wallet', 'no browser wallet');
  try {
    const accounts = await window.ethereum.request({ method: 'eth_requestAccounts' });
    if (!accounts || !accounts.length) throw new api.ApiError('no_wallet', 'the wallet gave no account');
    const address = accounts[0];
    return await login(address, (message) => personalSign(address, message), 'injected');
  } catch (e) {
    throw walletError(e);
  }
}

async function personalSign(address, message) {
  const { hexlify, toUtf8Bytes } = await ethers();
  return window.ethereum.request({ method: 'personal_sign', params: [hexlify(toUtf8Bytes(message)), address] });
}

// The demo wallet.
export function hasDemoWallet() {
  return !!localStorage.getItem(DEMO_KEY);
}

export async function demoWallet(create) {
  const e = await ethers();
  let key = localStorage.getItem(DEMO_KEY);
  if (!key) {
    if (!create) return null;
    key = e.Wallet.createRandom().privateKey;
    localStorage.setItem(DEMO_KEY, key);
  }
  const info = await api.info();
  const w = new e.Wallet(key);
  if (info && info.demo && info.demo.rpc_url) {
    return w.connect(new e.JsonRpcProvider(info.demo.rpc_url, undefined, { staticNetwork: true, pollingInterval: 1000 }));
  }
  return w;
}

export async function faucet(address) {
  const info = await api.info();
  const path = (info.demo && info.demo.faucet) || '/v1/demo/faucet';
  return api.post(path.startsWith('http') ? new URL(path).pathname : path, { address });
}

export async function signInDemo() {
  try {
    const fresh = !hasDemoWallet();
    const w = await demoWallet(true);
    const s = await login(w.address, (m) => w.signMessage(m), 'demo');
    if (fresh) faucet(w.address).catch(() => {});
    return s;
  } catch (e) {
    throw walletError(e);
  }
}

export async function signOut() {
  try { await api.post('/v1/auth/logout'); } catch { /* the session may be gone already */ }
  api.setSession(null);
}

// signer is what signs for the session's wallet: the demo wallet or the
// browser wallet (an ethers Signer).
export async function signer() {
  const s = api.session();
  if (s && s.wallet === 'demo') return demoWallet(false);
  if (!hasInjected()) throw new api.ApiError('no_wallet', 'no browser wallet');
  const e = await ethers();
  await switchChain();
  const p = new e.BrowserProvider(window.ethereum);
  return p.getSigner();
}

// switchChain asks the browser wallet to use the exchange's chain (and, in
// the demo mode, to add the dev chain if it does not know it).
async function switchChain() {
  let info = null;
  try { info = await api.info(); } catch { return; }
  if (!info || !info.chain_id) return;
  const want = '0x' + BigInt(info.chain_id).toString(16);
  try {
    const have = await window.ethereum.request({ method: 'eth_chainId' });
    if (have && BigInt(have) === BigInt(want)) return;
    await window.ethereum.request({ method: 'wallet_switchEthereumChain', params: [{ chainId: want }] });
  } catch (err) {
    if (err && err.code === 4902 && info.demo && info.demo.rpc_url) {
      await window.ethereum.request({ method: 'wallet_addEthereumChain', params: [{ chainId: want, chainName: 'lpx dev chain', rpcUrls: [info.demo.rpc_url], nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 } }] });
      return;
    }
    throw walletError(err);
  }
}

// signWith signs message with the wallet of address (the demo wallet or
// the browser wallet).
export async function signWith(address, message) {
  const e = await ethers();
  const demo = await demoWallet(false);
  if (demo && demo.address.toLowerCase() === address.toLowerCase()) return demo.signMessage(message);
  if (!hasInjected()) throw new api.ApiError('no_wallet', 'no browser wallet for ' + address);
  try {
    return await personalSign(e.getAddress(address), message);
  } catch (err) {
    throw walletError(err);
  }
}
