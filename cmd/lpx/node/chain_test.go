package node_test

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/lpx-exchange/lpx/cmd/lpx/node"
	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/store/sqlstore"
	"github.com/lpx-exchange/lpx/tokens/bindings"
)

var (
	factoryABI = bindings.NewTokenFactory()
	tokenABI   = bindings.NewLoyaltyToken()
	ether      = new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)
)

// chainKey is a test's own key on the node's chain.
type chainKey struct {
	key  *ecdsa.PrivateKey
	addr common.Address
}

func newChainKey(t *testing.T) chainKey {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return chainKey{k, crypto.PubkeyToAddress(k.PublicKey)}
}

// chainHelper sends a test's transactions to a running node's chain.
type chainHelper struct {
	t      *testing.T
	n      running
	client *ethclient.Client
	id     *big.Int
}

func newChainHelper(t *testing.T, n running) *chainHelper {
	return &chainHelper{t: t, n: n, client: n.Chain, id: new(big.Int).SetUint64(n.ChainID)}
}

// fundFromDevChain sends wei to `to` from the embedded dev chain's key.
func (c *chainHelper) fundFromDevChain(to common.Address, wei *big.Int) {
	c.t.Helper()
	ctx := c.t.Context()
	dev := c.n.DevChain.DevKey()
	nonce, err := c.client.PendingNonceAt(ctx, crypto.PubkeyToAddress(dev.PublicKey))
	if err != nil {
		c.t.Fatal(err)
	}
	tip, err := c.client.SuggestGasTipCap(ctx)
	if err != nil {
		c.t.Fatal(err)
	}
	head, err := c.client.HeaderByNumber(ctx, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	tx, err := types.SignTx(types.NewTx(&types.DynamicFeeTx{
		ChainID: c.id, Nonce: nonce, GasTipCap: tip, GasFeeCap: new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2))),
		Gas: 21_000, To: &to, Value: wei,
	}), types.LatestSignerForChainID(c.id), dev)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.client.SendTransaction(ctx, tx); err != nil {
		c.t.Fatal(err)
	}
	c.mined(tx)
}

func (c *chainHelper) mined(tx *types.Transaction) *types.Receipt {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), 20*time.Second)
	defer cancel()
	r, err := bind.WaitMined(ctx, c.client, tx.Hash())
	if err != nil {
		c.t.Fatalf("receipt of %s: %v", tx.Hash(), err)
	}
	if r.Status != types.ReceiptStatusSuccessful {
		c.t.Fatalf("tx %s failed", tx.Hash())
	}
	return r
}

// send has from call contract with calldata and waits for its receipt.
func (c *chainHelper) send(from chainKey, contract common.Address, abi interface {
	Instance(bind.ContractBackend, common.Address) *bind.BoundContract
}, calldata []byte) *types.Receipt {
	c.t.Helper()
	opts := bind.NewKeyedTransactor(from.key, c.id)
	opts.Context = c.t.Context()
	// The txpool moves to a new head asynchronously: right after the
	// receipt that funded `from`, it may still see the balance before.
	deadline := time.Now().Add(5 * time.Second)
	for {
		tx, err := bind.Transact(abi.Instance(c.client, contract), opts, calldata)
		if err == nil {
			return c.mined(tx)
		}
		if !strings.Contains(err.Error(), "insufficient funds") || time.Now().After(deadline) {
			c.t.Fatalf("transact from %s: %v", from.addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// deployFactory deploys a TokenFactory from `from` (a chain without the
// embedded node's own).
func (c *chainHelper) deployFactory(from chainKey) common.Address {
	c.t.Helper()
	opts := bind.NewKeyedTransactor(from.key, c.id)
	opts.Context = c.t.Context()
	addr, tx, err := bind.DeployContract(opts, common.FromHex(bindings.TokenFactoryMetaData.Bin), c.client, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	c.mined(tx)
	return addr
}

// createPoints has brand create a points token through factory, brand
// minting, and returns its address.
func (c *chainHelper) createPoints(factory common.Address, brand chainKey, symbol string, decimals uint8) common.Address {
	c.t.Helper()
	r := c.send(brand, factory, factoryABI, factoryABI.PackCreateToken(symbol+" points", symbol, decimals, 0, 0, brand.addr))
	for _, l := range r.Logs {
		if l.Address != factory {
			continue
		}
		if ev, err := factoryABI.UnpackTokenCreatedEvent(l); err == nil {
			return ev.Token
		}
	}
	c.t.Fatal("no TokenCreated event")
	return common.Address{}
}

func (c *chainHelper) tokenBalance(token, who common.Address) *big.Int {
	c.t.Helper()
	out, err := c.client.CallContract(c.t.Context(), ethereum.CallMsg{To: &token, Data: tokenABI.PackBalanceOf(who)}, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	b, err := tokenABI.UnpackBalanceOf(out)
	if err != nil {
		c.t.Fatal(err)
	}
	return b
}

// newAccount creates an account in the engine and in SQL.
func (c *chainHelper) newAccount(kind sqlstore.AccountKind) uint32 {
	c.t.Helper()
	evs := c.n.must(c.t, engine.Command{Kind: engine.CmdCreateAccount})
	id := uint32(evs[0].Account)
	if err := c.n.SQL.CreateAccount(c.t.Context(), sqlstore.Account{ID: id, Kind: kind}); err != nil {
		c.t.Fatal(err)
	}
	return id
}

// registerPoints makes token an asset of the exchange: the engine's points
// asset of brand and its token program in SQL, under the same asset id.
func (c *chainHelper) registerPoints(brand uint32, token common.Address, symbol string, decimals, scale uint8) uint32 {
	c.t.Helper()
	sym, ok := engine.ParseSymbol(symbol)
	if !ok {
		c.t.Fatalf("symbol %q", symbol)
	}
	evs := c.n.must(c.t, engine.Command{Kind: engine.CmdCreateAsset, Symbol: sym, Scale: scale, AssetKind: engine.Points, Brand: engine.AccountID(brand)})
	asset := uint32(evs[0].Asset)
	if err := c.n.SQL.CreateTokenProgram(c.t.Context(), sqlstore.TokenProgram{
		AssetID: asset, Brand: brand, ChainID: c.n.ChainID, Contract: strings.ToLower(token.Hex()),
		Kind: sqlstore.ProgramPoints, Symbol: symbol, Name: symbol + " points", Decimals: decimals, Scale: scale, CreatedAt: 1,
	}); err != nil {
		c.t.Fatal(err)
	}
	return asset
}

func (c *chainHelper) link(account uint32, wallet common.Address) {
	c.t.Helper()
	if err := c.n.SQL.LinkWallet(c.t.Context(), account, c.n.ChainID, strings.ToLower(wallet.Hex()), "test", 1); err != nil {
		c.t.Fatal(err)
	}
}

// waitFor polls cond every 50 ms for up to 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (c *chainHelper) waitBalance(account, asset uint32, available, held int64) {
	c.t.Helper()
	var a, h int64
	waitFor(c.t, "the balance", func() bool {
		var err error
		a, h, err = c.n.Balance(c.t.Context(), account, asset)
		if err != nil {
			c.t.Fatal(err)
		}
		return a == available && h == held
	})
}

// roundTrip deploys (through factory, or the node's), registers, mints,
// deposits to the vault, waits for the credit, withdraws and waits for the
// tokens to come back, logging each step's time. fund gives a key gas.
func roundTrip(t *testing.T, n running, factory common.Address, fund func(common.Address)) (c *chainHelper, user uint32, asset uint32, wallet chainKey) {
	c = newChainHelper(t, n)
	brandKey, userKey := newChainKey(t), newChainKey(t)
	fund(brandKey.addr)
	fund(userKey.addr)

	began := time.Now()
	token := c.createPoints(factory, brandKey, "ACME", 18)
	t.Logf("deploy a points token through the factory: %v", time.Since(began).Round(time.Millisecond))

	brand := c.newAccount(sqlstore.AccountBrand)
	user = c.newAccount(sqlstore.AccountConsumer)
	asset = c.registerPoints(brand, token, "ACME", 18, 2)
	c.link(user, userKey.addr)

	began = time.Now()
	minted := new(big.Int).Mul(big.NewInt(100), ether) // 100.00 ACME
	c.send(brandKey, token, tokenABI, tokenABI.PackMint(userKey.addr, minted))
	t.Logf("mint: %v", time.Since(began).Round(time.Millisecond))

	began = time.Now()
	deposit := new(big.Int).Mul(big.NewInt(40), ether) // 40.00 ACME
	c.send(userKey, token, tokenABI, tokenABI.PackTransfer(n.Vault, deposit))
	mined := time.Since(began)
	c.waitBalance(user, asset, 4000, 0)
	t.Logf("deposit: mined after %v, credited after %v", mined.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))

	began = time.Now()
	id, err := n.RequestWithdrawal(t.Context(), user, asset, "12.5", userKey.addr)
	if err != nil {
		t.Fatalf("RequestWithdrawal: %v", err)
	}
	c.waitBalance(user, asset, 2750, 1250) // held
	want := new(big.Int).Add(new(big.Int).Sub(minted, deposit), new(big.Int).Mul(big.NewInt(125), new(big.Int).Div(ether, big.NewInt(10))))
	waitFor(t, "the withdrawn tokens on chain", func() bool { return c.tokenBalance(token, userKey.addr).Cmp(want) == 0 })
	onChain := time.Since(began)
	c.waitBalance(user, asset, 2750, 0) // the hold completed
	waitFor(t, "the outbox row confirmed", func() bool {
		w, err := n.SQL.Withdrawal(t.Context(), id)
		return err == nil && w.Status == sqlstore.WithdrawalConfirmed
	})
	t.Logf("withdrawal: tokens on chain after %v, completed in the engine after %v", onChain.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
	if got := c.tokenBalance(token, n.Vault); got.Cmp(new(big.Int).Sub(deposit, new(big.Int).Mul(big.NewInt(125), new(big.Int).Div(ether, big.NewInt(10))))) != 0 {
		t.Fatalf("vault holds %v", got)
	}
	return c, user, asset, userKey
}

// TestEmbeddedChainRoundTrip: a node on the embedded dev chain credits a
// deposit to its vault from a linked wallet and pays a withdrawal back.
func TestEmbeddedChainRoundTrip(t *testing.T) {
	began := time.Now()
	dir := t.TempDir()
	n := run(t, node.Config{DataDir: dir})
	t.Logf("node with the embedded dev chain open (vault funded, factory deployed): %v", time.Since(began).Round(time.Millisecond))
	if n.DevChain == nil || n.Factory == (common.Address{}) || n.Vault == (common.Address{}) || n.ChainID == 0 {
		t.Fatalf("chain %v, factory %s, vault %s, id %d", n.DevChain, n.Factory, n.Vault, n.ChainID)
	}
	t.Log(n.Describe())
	c := newChainHelper(t, n)
	c, user, asset, wallet := roundTrip(t, n, n.Factory, func(a common.Address) { c.fundFromDevChain(a, ether) })

	testBadWithdrawals(t, c, user, asset, wallet)

	// Reopened, the node keeps its vault key and factory.
	vault, factory := n.Vault, n.Factory
	n.stop()
	again := run(t, node.Config{DataDir: dir})
	if again.Vault != vault || again.Factory != factory {
		t.Fatalf("after a restart: vault %s, factory %s; before %s, %s", again.Vault, again.Factory, vault, factory)
	}
}

// TestDevChainRPCAddress: the dev chain serves JSON-RPC where
// DevChainRPC says, the same address after a restart; an address in use
// stops the start with an error naming the setting.
func TestDevChainRPCAddress(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	_, err = node.Open(context.Background(), node.Config{DataDir: t.TempDir(), DevChainRPC: busy.Addr().String()})
	if err == nil || !strings.Contains(err.Error(), "--dev-chain-rpc") {
		t.Fatalf("a dev chain on a busy address: %v", err)
	}

	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := free.Addr().String()
	free.Close()
	dir := t.TempDir()
	for start := range 2 {
		n, err := node.Open(context.Background(), node.Config{DataDir: dir, DevChainRPC: addr})
		if err != nil {
			t.Fatalf("start %d: %v", start, err)
		}
		if got := n.DevChain.RPCURL(); got != "http://"+addr {
			t.Errorf("start %d: the dev chain serves on %s, want http://%s", start, got, addr)
		}
		if err := n.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
