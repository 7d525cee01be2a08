package tokens_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"log/slog"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
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

// The sender's tests run it against a real EVM (ethclient/simulated), a
// real SQLite outbox (through node.SenderStore) and a real engine behind
// an exchange.Sequencer with a file journal (through node.EngineSettler).
// Names carry a sender prefix: the watcher's tests share the package.

var (
	senderFactoryABI = bindings.NewTokenFactory()
	senderTokenABI   = bindings.NewLoyaltyToken()
)

const (
	senderBrand    = engine.AccountID(1)
	senderUser     = engine.AccountID(2)
	senderAsset    = engine.AssetID(1)
	senderDecimals = 18
	senderScale    = 2
	senderDeposit  = 10_000 // units the user holds on the exchange: 100.00 points
)

// senderKey is a funded key with its own nonce counter: right after a
// Commit the simulated backend's pending nonce can be stale.
type senderKey struct {
	key   *ecdsa.PrivateKey
	addr  common.Address
	nonce uint64
}

// senderEnv is a simulated chain with a points token, a vault holding
// some of it, and an exchange whose user holds senderDeposit units.
type senderEnv struct {
	t       *testing.T
	sim     *simulated.Backend
	client  simulated.Client
	chainID *big.Int
	token   *bind.BoundContract

	brand, vault, user, thief *senderKey

	db    *sqlstore.DB
	store node.SenderStore
	eng   *engine.Engine
	seq   *exchange.Sequencer
}

// newSenderEnv mints vaultRaw of the token to the vault.
func newSenderEnv(t *testing.T, vaultRaw *big.Int) *senderEnv {
	t.Helper()
	ctx := context.Background()
	alloc := types.GenesisAlloc{}
	funds := new(big.Int).Exp(big.NewInt(10), big.NewInt(24), nil)
	newKey := func() *senderKey {
		k, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		a := &senderKey{key: k, addr: crypto.PubkeyToAddress(k.PublicKey)}
		alloc[a.addr] = types.Account{Balance: funds}
		return a
	}
	e := &senderEnv{t: t, brand: newKey(), vault: newKey(), user: newKey(), thief: newKey()}
	e.sim = simulated.NewBackend(alloc)
	t.Cleanup(func() { e.sim.Close() })
	e.client = e.sim.Client()
	var err error
	if e.chainID, err = e.client.ChainID(ctx); err != nil {
		t.Fatal(err)
	}
	addr, tx, err := bind.DeployContract(e.opts(e.brand), common.FromHex(bindings.TokenFactoryMetaData.Bin), e.client, nil)
	if err != nil {
		t.Fatalf("deploy TokenFactory: %v", err)
	}
	e.brand.nonce++
	e.mined(tx)
	factory := senderFactoryABI.Instance(e.client, addr)
	receipt := e.mined(e.send(e.brand, factory, senderFactoryABI.PackCreateToken("Acme Points", "ACME", senderDecimals, 0, 0, e.brand.addr)))
	for _, l := range receipt.Logs {
		if l.Address == addr {
			ev, err := senderFactoryABI.UnpackTokenCreatedEvent(l)
			if err != nil {
				t.Fatal(err)
			}
			e.token = senderTokenABI.Instance(e.client, ev.Token)
		}
	}
	if e.token == nil {
		t.Fatal("no TokenCreated event")
	}
	e.mined(e.send(e.brand, e.token, senderTokenABI.PackMint(e.vault.addr, vaultRaw)))

	// The exchange.
	dir := t.TempDir()
	url := sqlstore.SQLiteURL(dir)
	m, err := sqlstore.OpenMigrator(url)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Up(); err != nil {
		t.Fatal(err)
	}
	m.Close()
	if e.db, err = sqlstore.Open(ctx, url); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.db.Close() })
	j, err := filejournal.Open(dir + "/journal")
	if err != nil {
		t.Fatal(err)
	}
	st := exchange.Stores{Journal: j}
	if e.eng, err = exchange.Recover(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	// No ticks: the test reads the engine only between its own commands
	// and passes, each answered after it is applied, so reads never race.
	e.seq = exchange.NewSequencer(e.eng, st, exchange.Config{TickEvery: time.Hour})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- e.seq.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done; j.Close() })
	e.store = node.SenderStore{DB: e.db, Now: func() int64 { return time.Now().UnixNano() }}

	sym, _ := engine.ParseSymbol("ACME")
	e.submit(engine.Command{Kind: engine.CmdCreateAccount})
	e.submit(engine.Command{Kind: engine.CmdCreateAsset, Symbol: sym, Scale: senderScale, AssetKind: engine.Points, Brand: senderBrand})
	e.submit(engine.Command{Kind: engine.CmdCreateAccount})
	e.submit(engine.Command{Kind: engine.CmdDeposit, Account: senderUser, Asset: senderAsset, Amount: senderDeposit, Ref: engine.Ref{1}})
	if err := e.db.CreateAccount(ctx, sqlstore.Account{ID: uint32(senderBrand), Kind: sqlstore.AccountBrand, Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.CreateAccount(ctx, sqlstore.Account{ID: uint32(senderUser), Kind: sqlstore.AccountConsumer}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.CreateTokenProgram(ctx, sqlstore.TokenProgram{
		AssetID: uint32(senderAsset), Brand: uint32(senderBrand), ChainID: e.chainID.Uint64(),
		Contract: strings.ToLower(e.token.Address().Hex()), Kind: sqlstore.ProgramPoints, Symbol: "ACME",
		Decimals: senderDecimals, Scale: senderScale,
	}); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *senderEnv) opts(k *senderKey) *bind.TransactOpts {
	opts := bind.NewKeyedTransactor(k.key, e.chainID)
	opts.Nonce = new(big.Int).SetUint64(k.nonce)
	opts.Context = context.Background()
	return opts
}

// send sends a transaction from k without mining it.
func (e *senderEnv) send(k *senderKey, contract *bind.BoundContract, calldata []byte) *types.Transaction {
	e.t.Helper()
	tx, err := bind.Transact(contract, e.opts(k), calldata)
	if err != nil {
		e.t.Fatalf("transact from %s: %v", k.addr, err)
	}
	k.nonce++
	return tx
}

// mined commits a block and returns tx's receipt, which must show success.
func (e *senderEnv) mined(tx *types.Transaction) *types.Receipt {
	e.t.Helper()
	e.sim.Commit()
	receipt, err := bind.WaitMined(context.Background(), e.client, tx.Hash())
	if err != nil {
		e.t.Fatalf("receipt of %s: %v", tx.Hash(), err)
	}
	if receipt.Status != types.ReceiptStatusSuccessful {
		e.t.Fatalf("tx %s failed", tx.Hash())
	}
	return receipt
}

func (e *senderEnv) commit(n int) {
	for range n {
		e.sim.Commit()
	}
}

func (e *senderEnv) submit(cmd engine.Command) exchange.Result {
	e.t.Helper()
	r, err := e.seq.Submit(context.Background(), cmd)
	if err != nil {
		e.t.Fatal(err)
	}
	if r.Events[0].Kind == engine.EvRejected {
		e.t.Fatalf("%v rejected: %v", cmd.Kind, r.Events[0].Code)
	}
	return r
}

// withdraw holds units of the user's points in the engine under id and
// puts the withdrawal to the user's wallet in the outbox; it returns the
// raw amount.
func (e *senderEnv) withdraw(id uint64, units int64) *big.Int {
	e.t.Helper()
	e.submit(engine.Command{Kind: engine.CmdWithdraw, Account: senderUser, Asset: senderAsset, Amount: units, Withdrawal: engine.WithdrawalID(id)})
	raw, err := tokens.FromUnits(units, senderDecimals, senderScale)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.CreateWithdrawal(context.Background(), sqlstore.Withdrawal{
		ID: id, Account: uint32(senderUser), Asset: uint32(senderAsset), Amount: units, AmountRaw: raw,
		ChainID: e.chainID.Uint64(), ToAddress: strings.ToLower(e.user.addr.Hex()), CreatedAt: time.Now().UnixNano(),
	}); err != nil {
		e.t.Fatal(err)
	}
	return raw
}

func (e *senderEnv) sender(chain tokens.SenderChain, confirmations uint64) *tokens.Sender {
	return &tokens.Sender{
		Chain: chain, Store: e.store, Settler: node.EngineSettler{Submit: e.seq.Submit},
		Key: e.vault.key, ChainID: e.chainID, Confirmations: confirmations,
		Log: slog.New(slog.NewTextHandler(e.t.Output(), nil)),
	}
}

func (e *senderEnv) poll(s *tokens.Sender) tokens.SenderResult {
	e.t.Helper()
	r, err := s.Poll(context.Background())
	if err != nil {
		e.t.Fatalf("poll: %v", err)
	}
	return r
}

func (e *senderEnv) row(id uint64) sqlstore.Withdrawal {
	e.t.Helper()
	w, err := e.db.Withdrawal(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}

func (e *senderEnv) tokenBalance(who common.Address) *big.Int {
	e.t.Helper()
	v, err := bind.Call(e.token, &bind.CallOpts{Context: context.Background()}, senderTokenABI.PackBalanceOf(who), senderTokenABI.UnpackBalanceOf)
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

// vaultNonce is the vault's nonce at the head (mined transactions only).
func (e *senderEnv) vaultNonce() uint64 {
	e.t.Helper()
	n, err := e.client.NonceAt(context.Background(), e.vault.addr, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// wantEngine checks the user's available and held points.
func (e *senderEnv) wantEngine(available, held int64) {
	e.t.Helper()
	a, h := e.eng.Balance(senderUser, senderAsset)
	if a != available || h != held {
		e.t.Errorf("engine balance: available %d, held %d; want %d, %d", a, h, available, held)
	}
}

func (e *senderEnv) wantStatus(id uint64, want sqlstore.WithdrawalStatus) sqlstore.Withdrawal {
	e.t.Helper()
	w := e.row(id)
	if w.Status != want {
		e.t.Errorf("withdrawal %d is %s (error %q), want %s", id, w.Status, w.Error, want)
	}
	return w
}

// senderDropChain is a chain whose node accepts the first drop broadcasts
// without an error and then loses them (as a pool may), and refuses the
// next fail ones with an error (as a node that is down does).
type senderDropChain struct {
	tokens.SenderChain
	mu         sync.Mutex
	drop, fail int
	sent       []common.Hash // every broadcast asked for, dropped or not
}

func (c *senderDropChain) SendTransaction(ctx context.Context, tx *types.Transaction) error {
	c.mu.Lock()
	c.sent = append(c.sent, tx.Hash())
	switch {
	case c.drop > 0:
		c.drop--
		c.mu.Unlock()
		return nil
	case c.fail > 0:
		c.fail--
		c.mu.Unlock()
		return errors.New("connection refused")
	}
	c.mu.Unlock()
	return c.SenderChain.SendTransaction(ctx, tx)
}

func wantSenderBig(t *testing.T, what string, got, want *big.Int) {
	t.Helper()
	if got.Cmp(want) != 0 {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func TestSenderPaysOutAndCompletes(t *testing.T) {
	vaultRaw, _ := tokens.FromUnits(1_000_000, senderDecimals, senderScale)
	e := newSenderEnv(t, vaultRaw)
	raw := e.withdraw(1, 2_550) // 25.50 points
	e.wantEngine(senderDeposit-2_550, 2_550)
	s := e.sender(e.client, 2)

	r := e.poll(s)
	if r.Signed != 1 || r.Broadcast != 1 {
		t.Fatalf("first pass %+v, want one signed and broadcast", r)
	}
	w := e.wantStatus(1, sqlstore.WithdrawalSent)
	if !w.HasNonce || w.Nonce != 0 || len(w.SignedTx) == 0 || w.TxHash == "" {
		t.Fatalf("signed row %+v", w)
	}
	nonceBefore := e.vaultNonce()

	e.commit(1) // one confirmation of two
	if r := e.poll(s); r.Waiting != 1 || r.Confirmed != 0 || r.Signed != 0 {
		t.Fatalf("pass with one confirmation %+v, want waiting", r)
	}
	e.wantEngine(senderDeposit-2_550, 2_550)
	e.commit(1)
	if r := e.poll(s); r.Confirmed != 1 {
		t.Fatalf("pass with two confirmations %+v, want confirmed", r)
	}
	e.wantEngine(senderDeposit-2_550, 0)
	e.wantStatus(1, sqlstore.WithdrawalConfirmed)
	wantSenderBig(t, "user's token balance", e.tokenBalance(e.user.addr), raw)
	wantSenderBig(t, "vault's token balance", e.tokenBalance(e.vault.addr), new(big.Int).Sub(vaultRaw, raw))
	if n := e.vaultNonce(); n != nonceBefore+1 {
		t.Errorf("vault nonce %d, want %d", n, nonceBefore+1)
	}
	receipt, err := e.client.TransactionReceipt(context.Background(), common.HexToHash(w.TxHash))
	if err != nil || receipt.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("receipt of the stored hash: %v, %v", receipt, err)
	}

	// Nothing more to do; a later pass changes nothing.
	e.commit(1)
	if r := e.poll(s); r != (tokens.SenderResult{}) {
		t.Errorf("idle pass %+v", r)
	}
	// A second withdrawal gets the next nonce even though the pending nonce
	// may lag.
	e.withdraw(2, 100)
	if r := e.poll(s); r.Signed != 1 {
		t.Fatalf("second withdrawal pass %+v", r)
	}
	if w := e.row(2); w.Nonce != 1 {
		t.Errorf("second withdrawal nonce %d, want 1", w.Nonce)
	}
	e.commit(2)
	if r := e.poll(s); r.Confirmed != 1 {
		t.Fatalf("second withdrawal confirm pass %+v", r)
	}
	e.wantEngine(senderDeposit-2_650, 0)
}

func TestSenderRebroadcastsTheSameTransaction(t *testing.T) {
	for _, tc := range []struct {
		name       string
		drop, fail int
		wantStatus sqlstore.WithdrawalStatus // after the first pass
	}{
		// The node accepts the broadcast and its pool loses it.
		{"dropped by the pool", 1, 0, sqlstore.WithdrawalSent},
		// The broadcast fails (a crash or the node down between signing and
		// broadcasting): the row stays signed, and a new sender (a restart)
		// broadcasts the stored bytes.
		{"not broadcast before a restart", 0, 1, sqlstore.WithdrawalSigned},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vaultRaw, _ := tokens.FromUnits(1_000_000, senderDecimals, senderScale)
			e := newSenderEnv(t, vaultRaw)
			raw := e.withdraw(1, 700)
			chain := &senderDropChain{SenderChain: e.client, drop: tc.drop, fail: tc.fail}
			s := e.sender(chain, 1)
			nonceBefore := e.vaultNonce()

			if r := e.poll(s); r.Signed != 1 {
				t.Fatalf("first pass %+v", r)
			}
			first := e.wantStatus(1, tc.wantStatus)
			e.commit(1)
			if _, err := e.client.TransactionReceipt(context.Background(), common.HexToHash(first.TxHash)); !errors.Is(err, ethereum.NotFound) {
				t.Fatalf("the lost transaction was mined (%v)", err)
			}
			if n := e.vaultNonce(); n != nonceBefore {
				t.Fatalf("vault nonce moved to %d with nothing mined", n)
			}

			s = e.sender(chain, 1) // a restart
			r := e.poll(s)
			if r.Signed != 0 || r.Rebroadcast != 1 {
				t.Fatalf("second pass %+v, want one rebroadcast and nothing signed", r)
			}
			e.wantStatus(1, sqlstore.WithdrawalSent)
			e.commit(1)
			if r := e.poll(s); r.Confirmed != 1 {
				t.Fatalf("third pass %+v, want confirmed", r)
			}
			last := e.wantStatus(1, sqlstore.WithdrawalConfirmed)
			if last.TxHash != first.TxHash || string(last.SignedTx) != string(first.SignedTx) {
				t.Errorf("transaction changed: %s, then %s", first.TxHash, last.TxHash)
			}
			for i, h := range chain.sent {
				if h != common.HexToHash(first.TxHash) {
					t.Errorf("broadcast %d was %s, not the stored %s", i, h, first.TxHash)
				}
			}
			if n := e.vaultNonce(); n != nonceBefore+1 {
				t.Errorf("vault nonce %d, want %d: one transaction", n, nonceBefore+1)
			}
			wantSenderBig(t, "user's token balance", e.tokenBalance(e.user.addr), raw)
			wantSenderBig(t, "vault's token balance", e.tokenBalance(e.vault.addr), new(big.Int).Sub(vaultRaw, raw))
			e.wantEngine(senderDeposit-700, 0)
		})
	}
}

func TestSenderRefundsRevertedTransfer(t *testing.T) {
	vaultRaw, _ := tokens.FromUnits(1_000, senderDecimals, senderScale)
	e := newSenderEnv(t, vaultRaw)
	// The vault lets the thief move its tokens (the vault's nonce 0)...
	e.mined(e.send(e.vault, e.token, senderTokenABI.PackApprove(e.thief.addr, vaultRaw)))
	e.withdraw(1, 500)
	// ... and the first broadcast is lost, so the thief's transfer lands
	// first: the vault's transfer, signed while the vault had the tokens,
	// reverts on chain.
	chain := &senderDropChain{SenderChain: e.client, drop: 1}
	s := e.sender(chain, 1)
	if r := e.poll(s); r.Signed != 1 {
		t.Fatalf("first pass %+v", r)
	}
	if w := e.row(1); w.Nonce != 1 {
		t.Errorf("nonce %d, want 1 (the vault's approve used 0)", w.Nonce)
	}
	e.mined(e.send(e.thief, e.token, senderTokenABI.PackTransferFrom(e.vault.addr, e.thief.addr, vaultRaw)))
	if r := e.poll(s); r.Rebroadcast != 1 {
		t.Fatalf("second pass %+v, want a rebroadcast", r)
	}
	e.commit(1)
	if r := e.poll(s); r.Failed != 1 {
		t.Fatalf("third pass %+v, want failed", r)
	}
	w := e.wantStatus(1, sqlstore.WithdrawalFailed)
	receipt, err := e.client.TransactionReceipt(context.Background(), common.HexToHash(w.TxHash))
	if err != nil || receipt.Status != types.ReceiptStatusFailed {
		t.Fatalf("receipt %v, %v: want a reverted transaction", receipt, err)
	}
	if !strings.Contains(w.Error, "reverted") {
		t.Errorf("failure reason %q", w.Error)
	}
	e.wantEngine(senderDeposit, 0) // refunded
	wantSenderBig(t, "user's token balance", e.tokenBalance(e.user.addr), new(big.Int))
	if r := e.poll(s); r != (tokens.SenderResult{}) {
		t.Errorf("pass after the refund %+v", r)
	}
}

func TestSenderRefundsTransferThatWouldRevert(t *testing.T) {
	vaultRaw, _ := tokens.FromUnits(100, senderDecimals, senderScale) // 1.00 point
	e := newSenderEnv(t, vaultRaw)
	e.withdraw(1, 500) // 5.00: more than the vault holds
	chain := &senderDropChain{SenderChain: e.client}
	s := e.sender(chain, 1)
	if r := e.poll(s); r.Failed != 1 || r.Signed != 0 {
		t.Fatalf("pass %+v, want failed without signing", r)
	}
	w := e.wantStatus(1, sqlstore.WithdrawalFailed)
	if w.HasNonce || len(w.SignedTx) != 0 || len(chain.sent) != 0 {
		t.Errorf("a transaction was signed or sent: %+v, %d broadcasts", w, len(chain.sent))
	}
	e.wantEngine(senderDeposit, 0)
	if n := e.vaultNonce(); n != 0 {
		t.Errorf("vault nonce %d", n)
	}
}

func TestSenderSkipsWithdrawalWithoutAddress(t *testing.T) {
	vaultRaw, _ := tokens.FromUnits(1_000, senderDecimals, senderScale)
	e := newSenderEnv(t, vaultRaw)
	e.submit(engine.Command{Kind: engine.CmdWithdraw, Account: senderUser, Asset: senderAsset, Amount: 300, Withdrawal: 7})
	// The history projection's row: the hold, no destination yet.
	if _, err := e.db.DB.ExecContext(context.Background(), `INSERT INTO withdrawals
		(id, account_id, asset_id, amount, status, held_seq, created_at, updated_at) VALUES (7, ?, ?, 300, 'pending', 5, 1, 1)`,
		int64(senderUser), int64(senderAsset)); err != nil {
		t.Fatal(err)
	}
	chain := &senderDropChain{SenderChain: e.client}
	s := e.sender(chain, 1)
	if r := e.poll(s); r != (tokens.SenderResult{}) {
		t.Fatalf("pass %+v, want nothing done", r)
	}
	w := e.wantStatus(7, sqlstore.WithdrawalPending)
	if w.HasNonce || len(w.SignedTx) != 0 || len(chain.sent) != 0 {
		t.Errorf("signed or sent: %+v", w)
	}
	e.wantEngine(senderDeposit-300, 300)

	// With its destination it is paid out.
	raw, _ := tokens.FromUnits(300, senderDecimals, senderScale)
	if err := e.db.CreateWithdrawal(context.Background(), sqlstore.Withdrawal{
		ID: 7, Account: uint32(senderUser), Asset: uint32(senderAsset), Amount: 300, AmountRaw: raw,
		ChainID: e.chainID.Uint64(), ToAddress: strings.ToLower(e.user.addr.Hex()), CreatedAt: 2,
	}); err != nil {
		t.Fatal(err)
	}
	if r := e.poll(s); r.Signed != 1 {
		t.Fatalf("pass with a destination %+v", r)
	}
	e.commit(1)
	if r := e.poll(s); r.Confirmed != 1 {
		t.Fatalf("confirm pass %+v", r)
	}
	wantSenderBig(t, "user's token balance", e.tokenBalance(e.user.addr), raw)
	e.wantEngine(senderDeposit-300, 0)
}

func TestSenderRefundsWhenAnotherTransactionTookTheNonce(t *testing.T) {
	vaultRaw, _ := tokens.FromUnits(1_000, senderDecimals, senderScale)
	e := newSenderEnv(t, vaultRaw)
	e.withdraw(1, 500)
	chain := &senderDropChain{SenderChain: e.client, drop: 1}
	s := e.sender(chain, 2)
	if r := e.poll(s); r.Signed != 1 {
		t.Fatalf("first pass %+v", r)
	}
	// The vault key, used elsewhere, spends nonce 0 on something else
	// while the withdrawal's transaction is lost.
	e.mined(e.send(e.vault, e.token, senderTokenABI.PackApprove(e.thief.addr, big.NewInt(1))))
	// With one block of two confirmations the sender still waits (and
	// broadcasts again, which the node refuses: nonce too low).
	if r := e.poll(s); r.Failed != 0 || r.Waiting != 1 {
		t.Fatalf("second pass %+v, want waiting", r)
	}
	e.commit(1)
	if r := e.poll(s); r.Failed != 1 {
		t.Fatalf("third pass %+v, want failed", r)
	}
	w := e.wantStatus(1, sqlstore.WithdrawalFailed)
	if !strings.Contains(w.Error, "used by another transaction") {
		t.Errorf("failure reason %q", w.Error)
	}
	e.wantEngine(senderDeposit, 0)
	wantSenderBig(t, "user's token balance", e.tokenBalance(e.user.addr), new(big.Int))
}
