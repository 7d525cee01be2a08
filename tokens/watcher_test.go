package tokens_test

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"

	"github.com/lpx-exchange/lpx/cmd/lpx/node"
	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/store/filejournal"
	"github.com/lpx-exchange/lpx/store/sqlstore"
	"github.com/lpx-exchange/lpx/tokens"
	"github.com/lpx-exchange/lpx/tokens/bindings"
)

// The watcher's tests run it against a real EVM (ethclient/simulated), a
// real SQLite database (sqlstore, through node.ChainStore) and a real
// engine behind an exchange.Sequencer with a file journal (through
// node.EngineCrediter).

var (
	factoryABI = bindings.NewTokenFactory()
	tokenABI   = bindings.NewLoyaltyToken()
)

const (
	brandAccount = engine.AccountID(2) // the first account created (1 is the engine's fee account)
	pointsAsset  = engine.AssetID(1)
	decimals     = 18
	scale        = 2
)

// key is a funded key with its own nonce counter: right after a Commit the
// simulated backend's pending nonce can be stale.
type key struct {
	key     *ecdsa.PrivateKey
	addr    common.Address
	nonce   uint64
	account engine.AccountID // 0: not an lpx account
}

// chain is a simulated chain with a points token that brand minted to the
// users.
type chain struct {
	tb      testing.TB
	sim     *simulated.Backend
	client  simulated.Client
	chainID *big.Int
	token   *bind.BoundContract

	brand, stranger *key
	users           []*key
	vault           common.Address
}

func newChain(tb testing.TB, users int) *chain {
	tb.Helper()
	alloc := types.GenesisAlloc{}
	funds := new(big.Int).Exp(big.NewInt(10), big.NewInt(24), nil)
	newKey := func() *key {
		k, err := crypto.GenerateKey()
		if err != nil {
			tb.Fatal(err)
		}
		a := &key{key: k, addr: crypto.PubkeyToAddress(k.PublicKey)}
		alloc[a.addr] = types.Account{Balance: funds}
		return a
	}
	c := &chain{tb: tb, brand: newKey(), stranger: newKey()}
	for i := range users {
		u := newKey()
		u.account = brandAccount + 1 + engine.AccountID(i)
		c.users = append(c.users, u)
	}
	vaultKey, _ := crypto.GenerateKey()
	c.vault = crypto.PubkeyToAddress(vaultKey.PublicKey)

	c.sim = simulated.NewBackend(alloc)
	tb.Cleanup(func() { c.sim.Close() })
	c.client = c.sim.Client()
	var err error
	if c.chainID, err = c.client.ChainID(context.Background()); err != nil {
		tb.Fatal(err)
	}

	addr, tx, err := bind.DeployContract(c.opts(c.brand), common.FromHex(bindings.TokenFactoryMetaData.Bin), c.client, nil)
	if err != nil {
		tb.Fatalf("deploy TokenFactory: %v", err)
	}
	c.brand.nonce++
	c.mined(tx)
	factory := factoryABI.Instance(c.client, addr)
	receipt := c.mined(c.send(c.brand, factory, factoryABI.PackCreateToken("Acme Points", "ACME", decimals, 0, 0, c.brand.addr)))
	for _, l := range receipt.Logs {
		if l.Address == addr {
			ev, err := factoryABI.UnpackTokenCreatedEvent(l)
			if err != nil {
				tb.Fatal(err)
			}
			c.token = tokenABI.Instance(c.client, ev.Token)
		}
	}
	if c.token == nil {
		tb.Fatal("no TokenCreated event")
	}
	for _, u := range append([]*key{c.stranger}, c.users...) {
		c.send(c.brand, c.token, tokenABI.PackMint(u.addr, funds))
	}
	c.sim.Commit()
	return c
}

func (c *chain) opts(k *key) *bind.TransactOpts {
	opts := bind.NewKeyedTransactor(k.key, c.chainID)
	opts.Nonce = new(big.Int).SetUint64(k.nonce)
	opts.Context = context.Background()
	return opts
}

// send sends a transaction from k without mining it.
func (c *chain) send(k *key, contract *bind.BoundContract, calldata []byte) *types.Transaction {
	c.tb.Helper()
	tx, err := bind.Transact(contract, c.opts(k), calldata)
	if err != nil {
		c.tb.Fatalf("transact from %s: %v", k.addr, err)
	}
	k.nonce++
	return tx
}

// deposit sends raw tokens from k to the vault, unmined.
func (c *chain) deposit(k *key, raw *big.Int) *types.Transaction {
	c.tb.Helper()
	return c.send(k, c.token, tokenABI.PackTransfer(c.vault, raw))
}

// mined commits a block and returns tx's receipt, which must show success.
func (c *chain) mined(tx *types.Transaction) *types.Receipt {
	c.tb.Helper()
	c.sim.Commit()
	receipt, err := bind.WaitMined(context.Background(), c.client, tx.Hash())
	if err != nil {
		c.tb.Fatalf("receipt of %s: %v", tx.Hash(), err)
	}
	if receipt.Status != types.ReceiptStatusSuccessful {
		c.tb.Fatalf("tx %s failed", tx.Hash())
	}
	return receipt
}

func (c *chain) commit(n int) {
	for range n {
		c.sim.Commit()
	}
}

// exch is the exchange side: SQL and a running engine, set up for c.
type exch struct {
	db      *sqlstore.DB
	store   node.ChainStore
	eng     *engine.Engine
	seq     *exchange.Sequencer
	watcher *tokens.Watcher
}

func newExchange(tb testing.TB, c *chain, confirmations uint64) *exch {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	url := sqlstore.SQLiteURL(dir)
	m, err := sqlstore.OpenMigrator(url)
	if err != nil {
		tb.Fatal(err)
	}
	if err := m.Up(); err != nil {
		tb.Fatal(err)
	}
	m.Close()
	db, err := sqlstore.Open(ctx, url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })

	j, err := filejournal.Open(dir + "/journal")
	if err != nil {
		tb.Fatal(err)
	}
	st := exchange.Stores{Journal: j}
	eng, err := exchange.Recover(ctx, st, nil)
	if err != nil {
		tb.Fatal(err)
	}
	// No ticks: the test reads the engine between its own commands, each
	// answered only after it is applied, so the reads never race.
	seq := exchange.NewSequencer(eng, st, exchange.Config{TickEvery: time.Hour})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- seq.Run(runCtx) }()
	tb.Cleanup(func() { stop(); <-done; j.Close() })

	e := &exch{db: db, store: node.ChainStore{DB: db, Now: func() int64 { return time.Now().UnixNano() }}, eng: eng, seq: seq}
	sym, _ := engine.ParseSymbol("ACME")
	if r := e.submit(tb, engine.Command{Kind: engine.CmdCreateAccount}); r.Events[0].Account != brandAccount {
		tb.Fatalf("brand account %d, want %d", r.Events[0].Account, brandAccount)
	}
	e.submit(tb, engine.Command{Kind: engine.CmdCreateAsset, Symbol: sym, Scale: scale, AssetKind: engine.Points, Brand: brandAccount})
	if err := db.CreateAccount(ctx, sqlstore.Account{ID: uint32(brandAccount), Kind: sqlstore.AccountBrand, Name: "Acme"}); err != nil {
		tb.Fatal(err)
	}
	if err := db.CreateTokenProgram(ctx, sqlstore.TokenProgram{
		AssetID: uint32(pointsAsset), Brand: uint32(brandAccount), ChainID: c.chainID.Uint64(),
		Contract: strings.ToLower(c.token.Address().Hex()), Kind: sqlstore.ProgramPoints, Symbol: "ACME",
		Decimals: decimals, Scale: scale,
	}); err != nil {
		tb.Fatal(err)
	}
	for _, u := range c.users {
		if r := e.submit(tb, engine.Command{Kind: engine.CmdCreateAccount}); r.Events[0].Account != u.account {
			tb.Fatalf("engine account %d, want %d", r.Events[0].Account, u.account)
		}
		if err := db.CreateAccount(ctx, sqlstore.Account{ID: uint32(u.account), Kind: sqlstore.AccountConsumer}); err != nil {
			tb.Fatal(err)
		}
		if err := db.LinkWallet(ctx, uint32(u.account), c.chainID.Uint64(), strings.ToLower(u.addr.Hex()), "signed challenge", 1); err != nil {
			tb.Fatal(err)
		}
	}
	e.watcher = &tokens.Watcher{
		Chain: c.client, Store: e.store, Crediter: node.EngineCrediter{Submit: seq.Submit},
		ChainID: c.chainID.Uint64(), Vault: c.vault, Confirmations: confirmations,
	}
	return e
}

func (e *exch) submit(tb testing.TB, cmd engine.Command) exchange.Result {
	tb.Helper()
	r, err := e.seq.Submit(context.Background(), cmd)
	if err != nil {
		tb.Fatal(err)
	}
	if r.Events[0].Kind == engine.EvRejected {
		tb.Fatalf("%v rejected: %v", cmd.Kind, r.Events[0].Code)
	}
	return r
}

// balance is u's available balance of the points. Only call it when no
// command is in flight.
func (e *exch) balance(u *key) int64 {
	available, _ := e.eng.Balance(u.account, pointsAsset)
	return available
}

func (e *exch) poll(tb testing.TB) tokens.PollResult {
	tb.Helper()
	r, err := e.watcher.Poll(context.Background())
	if err != nil {
		tb.Fatalf("poll: %v", err)
	}
	return r
}

// raw is whole points plus dust, at 18 decimals: 12.34 points and 5678 of
// the token's smallest amounts is raw(1234, 5678) at scale 2.
func raw(units, dust int64) *big.Int {
	r := new(big.Int).Mul(big.NewInt(units), new(big.Int).Exp(big.NewInt(10), big.NewInt(decimals-scale), nil))
	return r.Add(r, big.NewInt(dust))
}

func TestWatcherCreditsConfirmedDepositOnce(t *testing.T) {
	c := newChain(t, 1)
	e := newExchange(t, c, 3)
	user := c.users[0]
	ctx := context.Background()

	tx := c.deposit(user, raw(1234, 5678))
	receipt := c.mined(tx)

	// One confirmation of four: recorded as pending, not credited.
	r := e.poll(t)
	if r.Credited != 0 || len(r.Pending) != 1 || e.balance(user) != 0 {
		t.Fatalf("first poll: credited %d, pending %d, balance %d; want 0, 1, 0", r.Credited, len(r.Pending), e.balance(user))
	}
	p := r.Pending[0]
	if p.TxHash != tx.Hash() || p.Confirmations != 1 || p.Units != 1234 || p.Dust.Int64() != 5678 ||
		p.Raw.Cmp(raw(1234, 5678)) != 0 || p.Account != uint32(user.account) || p.Block != receipt.BlockNumber.Uint64() {
		t.Fatalf("pending = %+v (confirmations %d)", p.Deposit, p.Confirmations)
	}
	stored, err := e.db.Deposit(ctx, c.chainID.Uint64(), tx.Hash().Hex(), uint32(p.LogIndex))
	if err != nil || stored.Status != sqlstore.DepositSeen || stored.Ref != tokens.DepositRef(c.chainID.Uint64(), tx.Hash(), p.LogIndex) {
		t.Fatalf("stored deposit %+v, %v", stored, err)
	}

	c.commit(2)
	if r := e.poll(t); r.Credited != 0 || len(r.Pending) != 1 || r.Pending[0].Confirmations != 3 || e.balance(user) != 0 {
		t.Fatalf("at 3 confirmations: credited %d, pending %v, balance %d", r.Credited, r.Pending, e.balance(user))
	}

	c.commit(1) // four confirmations: head - 3 reaches the deposit's block
	r = e.poll(t)
	if r.Credited != 1 || len(r.Pending) != 0 || e.balance(user) != 1234 {
		t.Fatalf("confirmed: credited %d, pending %d, balance %d; want 1, 0, 1234 (dust 5678 raw not credited)",
			r.Credited, len(r.Pending), e.balance(user))
	}

	c.commit(5)
	if r := e.poll(t); r.Credited != 0 || r.Duplicates != 0 || e.balance(user) != 1234 {
		t.Fatalf("poll again: %+v, balance %d", r, e.balance(user))
	}

	// Forget the cursor: the watcher reads the deposit again, and the
	// engine credits its Ref once.
	genesis, err := c.client.HeaderByNumber(ctx, big.NewInt(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetCursor(ctx, c.chainID.Uint64(), 0, genesis.Hash()); err != nil {
		t.Fatal(err)
	}
	if r := e.poll(t); r.Credited != 0 || r.Duplicates != 1 || e.balance(user) != 1234 {
		t.Fatalf("after a cursor reset: credited %d, duplicates %d, balance %d; want 0, 1, 1234", r.Credited, r.Duplicates, e.balance(user))
	}
}

func TestWatcherRecordsDustButDoesNotCreditIt(t *testing.T) {
	c := newChain(t, 1)
	e := newExchange(t, c, 0)
	user := c.users[0]
	tx := c.deposit(user, raw(0, 999))
	c.mined(tx)
	r := e.poll(t)
	if r.Credited != 0 || r.Rejected != 1 || e.balance(user) != 0 {
		t.Fatalf("dust only: %+v, balance %d", r, e.balance(user))
	}
	d, err := e.db.Deposit(context.Background(), c.chainID.Uint64(), tx.Hash().Hex(), 0)
	if err != nil || d.Status != sqlstore.DepositRejected || d.DustRaw.Int64() != 999 || d.Amount != 0 {
		t.Fatalf("stored %+v, %v", d, err)
	}
}

func TestWatcherIgnoresUnlinkedWallets(t *testing.T) {
	c := newChain(t, 1)
	e := newExchange(t, c, 0)
	c.mined(c.deposit(c.stranger, raw(50, 0)))
	c.mined(c.deposit(c.users[0], raw(7, 0)))
	r := e.poll(t)
	if r.Unlinked != 1 || r.Credited != 1 || e.balance(c.users[0]) != 7 {
		t.Fatalf("%+v, balance %d", r, e.balance(c.users[0]))
	}
	var n int
	if err := e.db.DB.QueryRow("SELECT COUNT(*) FROM deposits").Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d deposits stored (%v), want only the linked one", n, err)
	}
}

func TestWatcherDropsReorgedPendingDeposit(t *testing.T) {
	c := newChain(t, 1)
	e := newExchange(t, c, 3)
	user := c.users[0]
	ctx := context.Background()

	parent, err := c.client.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tx := c.deposit(user, raw(40, 0))
	c.mined(tx)
	r := e.poll(t)
	if len(r.Pending) != 1 || r.Pending[0].TxHash != tx.Hash() {
		t.Fatalf("before the reorg: pending %v", r.Pending)
	}

	// Drop the deposit's block. Fork puts the deposit back in the pool; a
	// replacement with the same nonce and a higher tip keeps it out.
	if err := c.sim.Fork(parent.Hash()); err != nil {
		t.Fatal(err)
	}
	opts := c.opts(user)
	opts.Nonce = new(big.Int).SetUint64(tx.Nonce())
	opts.GasTipCap = new(big.Int).Mul(tx.GasTipCap(), big.NewInt(2))
	opts.GasFeeCap = new(big.Int).Mul(tx.GasFeeCap(), big.NewInt(2))
	// The pool learns of the fork in the background: until it has, it
	// still counts the dropped block's nonce as used ("nonce too low").
	var replacement *types.Transaction
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		replacement, err = bind.Transact(c.token, opts, tokenABI.PackTransfer(c.stranger.addr, raw(40, 0)))
		if err == nil || !strings.Contains(err.Error(), "nonce too low") || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	c.mined(replacement)
	c.commit(5)
	if _, err := c.client.TransactionReceipt(ctx, tx.Hash()); err == nil {
		t.Fatal("the deposit is still on chain: the reorg did not drop it")
	}

	r = e.poll(t)
	if r.Reorged != 1 || r.Credited != 0 || len(r.Pending) != 0 || e.balance(user) != 0 {
		t.Fatalf("after the reorg: %+v, balance %d", r, e.balance(user))
	}
	d, err := e.db.Deposit(ctx, c.chainID.Uint64(), tx.Hash().Hex(), 0)
	if err != nil || d.Status != sqlstore.DepositReorged {
		t.Fatalf("stored %+v, %v; want reorged", d, err)
	}
	c.commit(5)
	if r := e.poll(t); r.Credited != 0 || r.Reorged != 0 || e.balance(user) != 0 {
		t.Fatalf("later: %+v, balance %d", r, e.balance(user))
	}
}

// TestWatcherRewindsOnCursorReorg: a cursor whose block hash is not the
// chain's makes the watcher rewind and scan again, crediting nothing twice.
func TestWatcherRewindsOnCursorReorg(t *testing.T) {
	c := newChain(t, 1)
	e := newExchange(t, c, 1)
	user := c.users[0]
	c.mined(c.deposit(user, raw(3, 0)))
	c.commit(3)
	r := e.poll(t)
	if r.Credited != 1 {
		t.Fatalf("%+v", r)
	}
	if err := e.store.SetCursor(context.Background(), c.chainID.Uint64(), r.Safe, common.Hash{1}); err != nil {
		t.Fatal(err)
	}
	c.commit(1)
	r = e.poll(t)
	if !r.Rewound || r.Credited != 0 || e.balance(user) != 3 {
		t.Fatalf("after a bad cursor hash: %+v, balance %d", r, e.balance(user))
	}
}

// TestWatcherDeepReorgCreditsOnce: with no confirmations a reorg replaces
// the credited deposit's block and mines the deposit again in another; the
// watcher notices at its cursor, rewinds, and the engine credits it once.
func TestWatcherDeepReorgCreditsOnce(t *testing.T) {
	c := newChain(t, 1)
	e := newExchange(t, c, 0)
	user := c.users[0]
	ctx := context.Background()
	parent, err := c.client.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tx := c.deposit(user, raw(9, 0))
	first := c.mined(tx)
	if r := e.poll(t); r.Credited != 1 || e.balance(user) != 9 {
		t.Fatalf("%+v, balance %d", r, e.balance(user))
	}

	if err := c.sim.Fork(parent.Hash()); err != nil {
		t.Fatal(err)
	}
	c.send(c.stranger, c.token, tokenABI.PackTransfer(c.brand.addr, big.NewInt(1))) // a block unlike the first
	again := c.mined(tx)
	c.commit(2)
	if again.BlockHash == first.BlockHash {
		t.Fatal("the reorg mined the same block again")
	}
	r := e.poll(t)
	if !r.Rewound || r.Credited != 0 || r.Duplicates != 1 || e.balance(user) != 9 {
		t.Fatalf("after the reorg: %+v, balance %d", r, e.balance(user))
	}
	d, err := e.db.Deposit(ctx, c.chainID.Uint64(), tx.Hash().Hex(), uint32(again.Logs[0].Index))
	if err != nil || d.BlockHash != again.BlockHash.Hex() {
		t.Fatalf("stored %+v, %v; want the new block %s", d, err, again.BlockHash.Hex())
	}
}

// TestWatcherWaitsForFinalized: with Finalized set, a deposit is credited
// once the chain finalizes its block (every 32 blocks on the simulated
// chain), however many blocks follow it before.
func TestWatcherWaitsForFinalized(t *testing.T) {
	c := newChain(t, 1)
	e := newExchange(t, c, 0)
	e.watcher.Finalized = true
	user := c.users[0]
	receipt := c.mined(c.deposit(user, raw(5, 0)))
	if receipt.BlockNumber.Uint64() >= 31 {
		t.Fatalf("the deposit is in block %d; the test wants it before 31", receipt.BlockNumber)
	}
	c.commit(int(31 - receipt.BlockNumber.Uint64())) // head 31: block 0 is the finalized one
	if r := e.poll(t); r.Credited != 0 || len(r.Pending) != 1 || e.balance(user) != 0 {
		t.Fatalf("before finality: %+v, balance %d", r, e.balance(user))
	}
	c.commit(1) // head 32: finalized
	if r := e.poll(t); r.Credited != 1 || r.Safe != 32 || e.balance(user) != 5 {
		t.Fatalf("finalized: %+v, balance %d", r, e.balance(user))
	}
}
