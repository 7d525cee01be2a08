package tokens_test

// The brand-program tests run against a real EVM (ethclient/simulated).
// Names carry a prog prefix: the watcher's and sender's tests share the
// package.

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"

	"github.com/lpx-exchange/lpx/tokens"
	"github.com/lpx-exchange/lpx/tokens/bindings"
)

var progTokenABI = bindings.NewLoyaltyToken()

// progEnv is a simulated chain with a deployed TokenFactory. Every key the
// code under test signs with is a Transactor (which tracks its own next
// nonce); deployer signs the test's own setup with a local nonce counter.
type progEnv struct {
	t       *testing.T
	sim     *simulated.Backend
	client  simulated.Client
	chainID *big.Int
	factory common.Address

	brand, minter, vault, stranger *tokens.Transactor
	alice                          common.Address

	deployerKey   *ecdsa.PrivateKey
	deployerNonce uint64
}

func newProgEnv(t *testing.T) *progEnv {
	t.Helper()
	alloc := types.GenesisAlloc{}
	funds := new(big.Int).Exp(big.NewInt(10), big.NewInt(24), nil)
	newKey := func() *ecdsa.PrivateKey {
		k, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		alloc[crypto.PubkeyToAddress(k.PublicKey)] = types.Account{Balance: funds}
		return k
	}
	keys := make([]*ecdsa.PrivateKey, 6)
	for i := range keys {
		keys[i] = newKey()
	}
	e := &progEnv{t: t, sim: simulated.NewBackend(alloc), deployerKey: keys[5], alice: crypto.PubkeyToAddress(keys[4].PublicKey)}
	t.Cleanup(func() { e.sim.Close() })
	e.client = e.sim.Client()
	var err error
	if e.chainID, err = e.client.ChainID(t.Context()); err != nil {
		t.Fatal(err)
	}
	tr := func(k *ecdsa.PrivateKey) *tokens.Transactor {
		return &tokens.Transactor{Chain: e.client, Key: k, ChainID: e.chainID, PollInterval: 2 * time.Millisecond}
	}
	e.brand, e.minter, e.vault, e.stranger = tr(keys[0]), tr(keys[1]), tr(keys[2]), tr(keys[3])
	e.factory = e.deploy(bindings.TokenFactoryMetaData.Bin, nil)
	return e
}

// deploy has the deployer deploy a contract and mines it.
func (e *progEnv) deploy(bin string, args []byte) common.Address {
	e.t.Helper()
	opts := bind.NewKeyedTransactor(e.deployerKey, e.chainID)
	opts.Nonce = new(big.Int).SetUint64(e.deployerNonce)
	opts.Context = e.t.Context()
	addr, tx, err := bind.DeployContract(opts, common.FromHex(bin), e.client, args)
	if err != nil {
		e.t.Fatalf("deploy: %v", err)
	}
	e.deployerNonce++
	e.mined(tx)
	return addr
}

// mined commits a block and returns tx's receipt, which must show success.
func (e *progEnv) mined(tx *types.Transaction) *types.Receipt {
	e.t.Helper()
	e.sim.Commit()
	receipt, err := bind.WaitMined(e.t.Context(), e.client, tx.Hash())
	if err != nil {
		e.t.Fatalf("receipt of %s: %v", tx.Hash(), err)
	}
	if receipt.Status != types.ReceiptStatusSuccessful {
		e.t.Fatalf("tx %s failed", tx.Hash())
	}
	return receipt
}

// deployProgram runs DeployProgram, which waits for its receipt, while
// committing blocks until it returns.
func (e *progEnv) deployProgram(p tokens.ProgramSpec) (common.Address, *types.Receipt, error) {
	e.t.Helper()
	type result struct {
		token   common.Address
		receipt *types.Receipt
		err     error
	}
	ctx, cancel := context.WithTimeout(e.t.Context(), 30*time.Second)
	defer cancel()
	done := make(chan result, 1)
	go func() {
		token, receipt, err := tokens.DeployProgram(ctx, e.brand, e.factory, p)
		done <- result{token, receipt, err}
	}()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case r := <-done:
			return r.token, r.receipt, r.err
		case <-tick.C:
			e.sim.Commit()
		}
	}
}

// mustDeploy deploys p and checks it succeeded.
func (e *progEnv) mustDeploy(p tokens.ProgramSpec) common.Address {
	e.t.Helper()
	token, receipt, err := e.deployProgram(p)
	if err != nil {
		e.t.Fatalf("DeployProgram(%+v): %v", p, err)
	}
	if receipt == nil || receipt.Status != types.ReceiptStatusSuccessful {
		e.t.Fatalf("DeployProgram(%+v): receipt %+v", p, receipt)
	}
	return token
}

// confirmed commits a block and has tr wait for tx's receipt.
func (e *progEnv) confirmed(tr *tokens.Transactor, tx *types.Transaction) *types.Receipt {
	e.t.Helper()
	e.sim.Commit()
	receipt, err := tr.Wait(e.t.Context(), tx, 1)
	if err != nil {
		e.t.Fatalf("wait for %s: %v", tx.Hash(), err)
	}
	return receipt
}

func (e *progEnv) nonce(tr *tokens.Transactor) uint64 {
	e.t.Helper()
	n, err := e.client.PendingNonceAt(e.t.Context(), tr.From())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *progEnv) balance(token, who common.Address) *big.Int {
	e.t.Helper()
	v, err := bind.Call(progTokenABI.Instance(e.client, token), &bind.CallOpts{Context: e.t.Context()},
		progTokenABI.PackBalanceOf(who), progTokenABI.UnpackBalanceOf)
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

func (e *progEnv) supply(token common.Address) *big.Int {
	e.t.Helper()
	s, err := tokens.TotalSupply(e.t.Context(), e.client, token)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *progEnv) headTime() time.Time {
	e.t.Helper()
	h, err := e.client.HeaderByNumber(e.t.Context(), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return time.Unix(int64(h.Time), 0).UTC()
}

// pointsSpec is a points program minted by the env's minter.
func (e *progEnv) pointsSpec() tokens.ProgramSpec {
	return tokens.ProgramSpec{Name: "Acme Points", Symbol: "ACME", Decimals: 18, Kind: tokens.KindPoints, Minter: e.minter.From()}
}

func progWantBig(t *testing.T, what string, got *big.Int, want int64) {
	t.Helper()
	if got == nil || got.Cmp(big.NewInt(want)) != 0 {
		t.Errorf("%s = %v, want %d", what, got, want)
	}
}

func TestProgramDeployPointsAndCouponAndInspect(t *testing.T) {
	e := newProgEnv(t)
	points := e.mustDeploy(e.pointsSpec())
	expires := e.headTime().Add(30 * 24 * time.Hour)
	coupon := e.mustDeploy(tokens.ProgramSpec{Name: "Acme 10% off", Symbol: "ACME10", Decimals: 0,
		Kind: tokens.KindCoupon, ExpiresAt: expires, Minter: e.minter.From()})
	if points == coupon || points == (common.Address{}) {
		t.Fatalf("tokens %s and %s", points, coupon)
	}

	for _, tc := range []struct {
		token common.Address
		want  tokens.TokenInfo
	}{
		{points, tokens.TokenInfo{Symbol: "ACME", Name: "Acme Points", Decimals: 18, Kind: tokens.KindPoints}},
		{coupon, tokens.TokenInfo{Symbol: "ACME10", Name: "Acme 10% off", Decimals: 0, Kind: tokens.KindCoupon, ExpiresAt: expires}},
	} {
		got, err := tokens.InspectToken(t.Context(), e.client, tc.token)
		if err != nil {
			t.Fatalf("InspectToken(%s): %v", tc.token, err)
		}
		if got != tc.want {
			t.Errorf("InspectToken(%s) = %+v, want %+v", tc.token, got, tc.want)
		}
	}

	// The factory records the brand.
	brand, err := bind.Call(bindings.NewTokenFactory().Instance(e.client, e.factory), &bind.CallOpts{Context: t.Context()},
		bindings.NewTokenFactory().PackBrandOf(points), bindings.NewTokenFactory().UnpackBrandOf)
	if err != nil || brand != e.brand.From() {
		t.Errorf("brandOf(points) = %s, %v; want %s", brand, err, e.brand.From())
	}
}

func TestProgramRefusesBadSpecAndSendsNothing(t *testing.T) {
	e := newProgEnv(t)
	future := e.headTime().Add(time.Hour)
	ok := e.pointsSpec()
	with := func(f func(*tokens.ProgramSpec)) tokens.ProgramSpec { p := ok; f(&p); return p }
	for _, tc := range []struct {
		name string
		spec tokens.ProgramSpec
		want error
	}{
		{"empty symbol", with(func(p *tokens.ProgramSpec) { p.Symbol = "" }), tokens.ErrBadProgram},
		{"empty name", with(func(p *tokens.ProgramSpec) { p.Name = "" }), tokens.ErrBadProgram},
		{"points with expiry", with(func(p *tokens.ProgramSpec) { p.ExpiresAt = future }), tokens.ErrBadProgram},
		{"coupon without expiry", with(func(p *tokens.ProgramSpec) { p.Kind = tokens.KindCoupon }), tokens.ErrBadProgram},
		{"plain kind", with(func(p *tokens.ProgramSpec) { p.Kind = tokens.KindPlain }), tokens.ErrBadProgram},
		// The contract refuses an expiry already past: gas estimation
		// reverts with InvalidExpiry and nothing is sent.
		{"coupon already expired", with(func(p *tokens.ProgramSpec) {
			p.Kind, p.ExpiresAt = tokens.KindCoupon, e.headTime().Add(-time.Hour)
		}), tokens.ErrReverted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.nonce(e.brand)
			_, _, err := e.deployProgram(tc.spec)
			if !errors.Is(err, tc.want) {
				t.Fatalf("DeployProgram: %v, want %v", err, tc.want)
			}
			if after := e.nonce(e.brand); after != before {
				t.Errorf("brand nonce %d -> %d: something was sent", before, after)
			}
		})
	}
}

func TestInspectExistingTokenAndRefusals(t *testing.T) {
	e := newProgEnv(t)
	// An existing token, deployed without the factory.
	existing := e.deploy(bindings.LoyaltyTokenMetaData.Bin,
		progTokenABI.PackConstructor("Old Miles", "MILES", 6, 0, 0, e.brand.From(), e.minter.From()))
	got, err := tokens.InspectToken(t.Context(), e.client, existing)
	want := tokens.TokenInfo{Symbol: "MILES", Name: "Old Miles", Decimals: 6, Kind: tokens.KindPoints}
	if err != nil || got != want {
		t.Errorf("InspectToken(existing) = %+v, %v; want %+v", got, err, want)
	}

	for _, tc := range []struct {
		name string
		addr common.Address
		want error
	}{
		{"EOA", e.alice, tokens.ErrNotAContract},
		{"nothing there", common.HexToAddress("0x00000000000000000000000000000000000000ee"), tokens.ErrNotAContract},
		{"the factory (not an ERC-20)", e.factory, tokens.ErrNotERC20},
	} {
		_, err := tokens.InspectToken(t.Context(), e.client, tc.addr)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: InspectToken: %v, want %v", tc.name, err, tc.want)
		}
		if err != nil && !strings.Contains(err.Error(), "unknown token contract") {
			t.Errorf("%s: error %q does not say unknown token contract", tc.name, err)
		}
	}
}

func TestProgramCreatedRefusesReceiptWithoutEvent(t *testing.T) {
	e := newProgEnv(t)
	token := e.mustDeploy(e.pointsSpec())
	tx, err := tokens.Mint(t.Context(), e.minter, token, e.vault.From(), big.NewInt(1))
	if err != nil {
		t.Fatal(err)
	}
	receipt := e.confirmed(e.minter, tx)
	if _, err := tokens.ProgramCreated(receipt, e.factory, e.brand.From(), e.pointsSpec()); !errors.Is(err, tokens.ErrNoTokenCreated) {
		t.Errorf("ProgramCreated(mint receipt): %v, want ErrNoTokenCreated", err)
	}
}

func TestMintToVaultBacksIssue(t *testing.T) {
	e := newProgEnv(t)
	token := e.mustDeploy(e.pointsSpec())
	raw := new(big.Int).Mul(big.NewInt(1234), new(big.Int).Exp(big.NewInt(10), big.NewInt(16), nil)) // 12.34 points

	tx, err := tokens.Mint(t.Context(), e.minter, token, e.vault.From(), raw)
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	receipt := e.confirmed(e.minter, tx)
	index, got, ok := tokens.FindMint(receipt, token, e.vault.From())
	if !ok || got.Cmp(raw) != 0 {
		t.Fatalf("FindMint = %d, %v, %v; want the mint of %s", index, got, ok, raw)
	}
	var log *types.Log
	for _, l := range receipt.Logs {
		if l.Index == index {
			log = l
		}
	}
	if log == nil || log.Address != token || log.Topics[0] != tokens.TransferTopic {
		t.Fatalf("log %d of the receipt is %+v, want the token's Transfer", index, log)
	}
	// The issue's reference: stable for the log, distinct from a deposit's.
	chainID := e.chainID.Uint64()
	ref := tokens.IssueRef(chainID, tx.Hash(), index)
	if again := tokens.IssueRef(chainID, receipt.TxHash, log.Index); again != ref {
		t.Errorf("IssueRef differs for the same log: %x, %x", ref, again)
	}
	if tokens.DepositRef(chainID, tx.Hash(), index) == ref {
		t.Error("IssueRef equals DepositRef")
	}
	// Credited in units as the engine would: 1234 at scale 2.
	if units, dust, err := tokens.ToUnits(got, 18, 2); err != nil || units != 1234 || dust.Sign() != 0 {
		t.Errorf("ToUnits(mint) = %d, %v, %v", units, dust, err)
	}
	if _, _, ok := tokens.FindMint(receipt, token, e.alice); ok {
		t.Error("FindMint found a mint to alice")
	}
	if _, _, ok := tokens.FindMint(receipt, e.factory, e.vault.From()); ok {
		t.Error("FindMint found a mint by another contract")
	}
	if b := e.balance(token, e.vault.From()); b.Cmp(raw) != 0 {
		t.Errorf("vault balance %s, want %s", b, raw)
	}

	// Straight to a customer's wallet.
	tx, err = tokens.Mint(t.Context(), e.minter, token, e.alice, big.NewInt(500))
	if err != nil {
		t.Fatalf("Mint to alice: %v", err)
	}
	receipt = e.confirmed(e.minter, tx)
	if _, got, ok := tokens.FindMint(receipt, token, e.alice); !ok || got.Int64() != 500 {
		t.Errorf("FindMint(alice) = %v, %v", got, ok)
	}
	progWantBig(t, "alice's balance", e.balance(token, e.alice), 500)

	// Bad input is refused before anything is sent.
	before := e.nonce(e.minter)
	for _, bad := range []*big.Int{nil, big.NewInt(0), big.NewInt(-1)} {
		if _, err := tokens.Mint(t.Context(), e.minter, token, e.alice, bad); !errors.Is(err, tokens.ErrBadProgram) {
			t.Errorf("Mint(%v): %v, want ErrBadProgram", bad, err)
		}
	}
	if _, err := tokens.Mint(t.Context(), e.minter, token, common.Address{}, big.NewInt(1)); !errors.Is(err, tokens.ErrBadProgram) {
		t.Errorf("Mint to the zero address: %v, want ErrBadProgram", err)
	}
	if after := e.nonce(e.minter); after != before {
		t.Errorf("minter nonce %d -> %d", before, after)
	}
}

func TestMintByStrangerRefused(t *testing.T) {
	e := newProgEnv(t)
	token := e.mustDeploy(e.pointsSpec())
	before := e.nonce(e.stranger)
	_, err := tokens.Mint(t.Context(), e.stranger, token, e.stranger.From(), big.NewInt(1000))
	if !errors.Is(err, tokens.ErrNotMinter) {
		t.Fatalf("stranger's Mint: %v, want ErrNotMinter", err)
	}
	if !strings.Contains(err.Error(), "minter role") {
		t.Errorf("error %q does not mention the minter role", err)
	}
	if after := e.nonce(e.stranger); after != before {
		t.Errorf("stranger nonce %d -> %d: something was sent", before, after)
	}
	e.sim.Commit()
	progWantBig(t, "supply", e.supply(token), 0)
	// The brand admins the token but is not a minter either.
	if _, err := tokens.Mint(t.Context(), e.brand, token, e.alice, big.NewInt(1)); !errors.Is(err, tokens.ErrNotMinter) {
		t.Errorf("brand's Mint: %v, want ErrNotMinter", err)
	}
}

func TestBurnFromVaultBatchReducesSupply(t *testing.T) {
	e := newProgEnv(t)
	token := e.mustDeploy(e.pointsSpec())
	tx, err := tokens.Mint(t.Context(), e.minter, token, e.vault.From(), big.NewInt(1000))
	if err != nil {
		t.Fatal(err)
	}
	e.confirmed(e.minter, tx)
	tx, err = tokens.Mint(t.Context(), e.minter, token, e.alice, big.NewInt(70))
	if err != nil {
		t.Fatal(err)
	}
	e.confirmed(e.minter, tx)
	progWantBig(t, "supply after mints", e.supply(token), 1070)

	tx, err = tokens.BurnFromVault(t.Context(), e.vault, token, []*big.Int{big.NewInt(100), big.NewInt(250), big.NewInt(50)})
	if err != nil {
		t.Fatalf("BurnFromVault: %v", err)
	}
	receipt := e.confirmed(e.vault, tx)
	if len(receipt.Logs) != 1 {
		t.Errorf("burn logged %d events, want one Transfer to the zero address", len(receipt.Logs))
	}
	progWantBig(t, "vault balance", e.balance(token, e.vault.From()), 600)
	progWantBig(t, "supply after burn", e.supply(token), 670)
	progWantBig(t, "alice's balance", e.balance(token, e.alice), 70)

	// A second batch in a row: the transactor's own nonce.
	tx, err = tokens.BurnFromVault(t.Context(), e.vault, token, []*big.Int{big.NewInt(1)})
	if err != nil {
		t.Fatalf("second BurnFromVault: %v", err)
	}
	e.confirmed(e.vault, tx)
	progWantBig(t, "supply after second burn", e.supply(token), 669)

	// Refusals change nothing.
	before := e.nonce(e.vault)
	for _, tc := range []struct {
		name string
		raws []*big.Int
		want error
	}{
		{"empty batch", nil, tokens.ErrBadProgram},
		{"zero item", []*big.Int{big.NewInt(1), big.NewInt(0)}, tokens.ErrBadProgram},
		{"nil item", []*big.Int{nil}, tokens.ErrBadProgram},
		{"more than the vault holds", []*big.Int{big.NewInt(599), big.NewInt(1)}, tokens.ErrReverted},
	} {
		if _, err := tokens.BurnFromVault(t.Context(), e.vault, token, tc.raws); !errors.Is(err, tc.want) {
			t.Errorf("%s: BurnFromVault: %v, want %v", tc.name, err, tc.want)
		}
	}
	if after := e.nonce(e.vault); after != before {
		t.Errorf("vault nonce %d -> %d: something was sent", before, after)
	}
	progWantBig(t, "supply after refusals", e.supply(token), 669)
}

func TestSupplyOfUnknownContract(t *testing.T) {
	e := newProgEnv(t)
	if _, err := tokens.TotalSupply(t.Context(), e.client, e.factory); err == nil {
		t.Error("TotalSupply of the factory succeeded")
	}
}
