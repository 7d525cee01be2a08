package tokens_test

// The issuer's tests run it against a real EVM (ethclient/simulated, set
// up by progEnv) with an in-memory outbox and crediter. Names carry an iss
// prefix: the other tests share the package.

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/lpx-exchange/lpx/tokens"
)

// issRow is an issuance in the in-memory outbox.
type issRow struct {
	tokens.Issuance
	status   string // pending, minting, credited, failed
	reason   string
	logIndex uint
	seq      uint64
}

// issStore is an in-memory IssuerStore.
type issStore struct {
	mu   sync.Mutex
	rows []*issRow
	// otherNonce is the next nonce of the other outbox (withdrawals).
	otherNonce uint64
}

func (s *issStore) add(is tokens.Issuance) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is.Status = tokens.IssuancePending
	s.rows = append(s.rows, &issRow{Issuance: is, status: "pending"})
}

func (s *issStore) row(ref string) issRow {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.rows {
		if r.Reference == ref {
			return *r
		}
	}
	panic("no issuance " + ref)
}

func (s *issStore) find(is tokens.Issuance) (*issRow, error) {
	for _, r := range s.rows {
		if r.Brand == is.Brand && r.Reference == is.Reference {
			return r, nil
		}
	}
	return nil, fmt.Errorf("issuance %q not found", is.Reference)
}

func (s *issStore) Outstanding(ctx context.Context, limit int) ([]tokens.Issuance, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []tokens.Issuance
	for _, r := range s.rows {
		if (r.status == "pending" || r.status == "minting") && len(out) < limit {
			out = append(out, r.Issuance)
		}
	}
	return out, nil
}

func (s *issStore) NextNonce(ctx context.Context) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.otherNonce
	for _, r := range s.rows {
		if r.status != "pending" && len(r.SignedTx) > 0 {
			n = max(n, r.Nonce+1)
		}
	}
	return n, nil
}

func (s *issStore) MarkMinting(ctx context.Context, is tokens.Issuance, nonce uint64, signedTx []byte, txHash common.Hash) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.find(is)
	if err != nil {
		return err
	}
	if r.status != "pending" {
		return fmt.Errorf("issuance %q is %s, not pending", is.Reference, r.status)
	}
	r.status, r.Status, r.Nonce, r.SignedTx, r.TxHash = "minting", tokens.IssuanceMinting, nonce, signedTx, txHash
	return nil
}

func (s *issStore) MarkCredited(ctx context.Context, is tokens.Issuance, logIndex uint, seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.find(is)
	if err != nil {
		return err
	}
	if r.status != "minting" {
		return fmt.Errorf("issuance %q is %s, not minting", is.Reference, r.status)
	}
	r.status, r.logIndex, r.seq = "credited", logIndex, seq
	return nil
}

func (s *issStore) MarkFailed(ctx context.Context, is tokens.Issuance, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.find(is)
	if err != nil {
		return err
	}
	if r.status != "pending" && r.status != "minting" {
		return fmt.Errorf("issuance %q is %s", is.Reference, r.status)
	}
	r.status, r.reason = "failed", reason
	return nil
}

// issCrediter is an in-memory engine: it credits each (brand, reference)
// once, or refuses everything when reject is set.
type issCrediter struct {
	mu       sync.Mutex
	credited map[string]int64 // reference → units
	calls    int
	reject   bool
}

func (c *issCrediter) Credit(ctx context.Context, is tokens.Issuance) (uint64, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.reject {
		return 0, false, fmt.Errorf("%w: unknown_account", tokens.ErrIssueRejected)
	}
	if c.credited == nil {
		c.credited = map[string]int64{}
	}
	if _, dup := c.credited[is.Reference]; dup {
		return 0, true, nil
	}
	c.credited[is.Reference] = is.Units
	return uint64(100 + len(c.credited)), false, nil
}

// issEnv is a progEnv with a points token the vault may mint, and an
// issuer over an in-memory outbox.
type issEnv struct {
	*progEnv
	token    common.Address
	store    *issStore
	crediter *issCrediter
}

func newIssEnv(t *testing.T, vaultMints bool) *issEnv {
	t.Helper()
	e := &issEnv{progEnv: newProgEnv(t), store: &issStore{}, crediter: &issCrediter{}}
	spec := e.pointsSpec()
	if vaultMints {
		spec.Minter = e.vault.From()
	}
	e.token = e.mustDeploy(spec)
	return e
}

func (e *issEnv) issuer(chain tokens.SenderChain, confirmations uint64) *tokens.Issuer {
	return &tokens.Issuer{Chain: chain, Store: e.store, Crediter: e.crediter, Key: e.vault.Key, ChainID: e.chainID, Confirmations: confirmations}
}

// issRaw is units at scale 2 of an 18-decimal token.
func issRaw(t *testing.T, units int64) *big.Int {
	t.Helper()
	raw, err := tokens.FromUnits(units, 18, 2)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func (e *issEnv) add(ref string, units int64) {
	e.store.add(tokens.Issuance{Brand: 1, Reference: ref, Customer: 2, Asset: 3, Units: units, Token: e.token, Raw: issRaw(e.t, units)})
}

func (e *issEnv) poll(is *tokens.Issuer) tokens.IssuerResult {
	e.t.Helper()
	res, err := is.Poll(e.t.Context())
	if err != nil {
		e.t.Fatalf("Poll: %v", err)
	}
	return res
}

func issWant(t *testing.T, what string, got, want any) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

// TestIssuerMintsToVaultThenCredits: the mint is stored before it is
// broadcast, the same bytes are broadcast again after a lost broadcast,
// and the engine credits once, only after the confirmations.
func TestIssuerMintsToVaultThenCredits(t *testing.T) {
	e := newIssEnv(t, true)
	e.add("campaign-1", 2500)
	drop := &senderDropChain{SenderChain: e.client, drop: 1}
	is := e.issuer(drop, 2)

	res := e.poll(is)
	issWant(t, "signed", res.Signed, 1)
	row := e.store.row("campaign-1")
	issWant(t, "status after the first pass", row.status, "minting")
	if len(row.SignedTx) == 0 || len(drop.sent) != 1 || drop.sent[0] != row.TxHash {
		t.Fatalf("stored %x (%s), broadcast %v", row.SignedTx, row.TxHash, drop.sent)
	}
	e.sim.Commit() // the broadcast was lost: nothing mined
	if _, err := e.client.TransactionReceipt(t.Context(), row.TxHash); err == nil {
		t.Fatal("a dropped mint was mined")
	}

	res = e.poll(is) // rebroadcasts the same bytes
	issWant(t, "rebroadcast", res.Rebroadcast, 1)
	issWant(t, "broadcast hashes", drop.sent, []common.Hash{row.TxHash, row.TxHash})
	e.sim.Commit() // mined: 1 confirmation of 2
	res = e.poll(is)
	issWant(t, "waiting", res.Waiting, 1)
	issWant(t, "credits before the confirmations", e.crediter.calls, 0)
	e.sim.Commit()
	res = e.poll(is)
	issWant(t, "credited", res.Credited, 1)
	row = e.store.row("campaign-1")
	issWant(t, "status", row.status, "credited")
	issWant(t, "engine credit", e.crediter.credited["campaign-1"], 2500)
	if row.seq == 0 {
		t.Fatal("no seq")
	}
	wantSenderBig(t, "vault balance", e.balance(e.token, e.vault.From()), issRaw(t, 2500))

	// Later passes do nothing more: one mint, one credit.
	e.sim.Commit()
	res = e.poll(is)
	issWant(t, "a later pass", res, tokens.IssuerResult{})
	issWant(t, "credits", e.crediter.calls, 1)
	wantSenderBig(t, "supply", e.supply(e.token), issRaw(t, 2500))
}

// TestIssuerCreditRepeatedAfterCrash: a pass that credited but did not
// mark the outbox credits again, the engine answers duplicate, and the
// issuance is credited (seq unknown).
func TestIssuerCreditRepeatedAfterCrash(t *testing.T) {
	e := newIssEnv(t, true)
	e.add("r", 100)
	is := e.issuer(e.client, 1)
	e.poll(is)
	e.sim.Commit()
	// The engine credited it already (an earlier pass that crashed).
	e.crediter.credited = map[string]int64{"r": 100}
	res := e.poll(is)
	issWant(t, "credited", res.Credited, 1)
	row := e.store.row("r")
	issWant(t, "status", row.status, "credited")
	issWant(t, "seq of a duplicate", row.seq, 0)
}

// TestIssuerFailsWhenVaultIsNotMinter: the mint reverts in gas estimation;
// nothing is signed or credited.
func TestIssuerFailsWhenVaultIsNotMinter(t *testing.T) {
	e := newIssEnv(t, false)
	e.add("r", 100)
	before := e.nonce(e.vault)
	res := e.poll(e.issuer(e.client, 1))
	issWant(t, "failed", res.Failed, 1)
	issWant(t, "signed", res.Signed, 0)
	row := e.store.row("r")
	issWant(t, "status", row.status, "failed")
	if !strings.Contains(row.reason, "minter") || len(row.SignedTx) != 0 {
		t.Fatalf("reason %q, signed %x", row.reason, row.SignedTx)
	}
	issWant(t, "vault nonce", e.nonce(e.vault), before)
	issWant(t, "credits", e.crediter.calls, 0)
}

// TestIssuerFailsWhenEngineRefuses: minted, but the engine refuses the
// issue: failed, with the tokens in the vault.
func TestIssuerFailsWhenEngineRefuses(t *testing.T) {
	e := newIssEnv(t, true)
	e.add("r", 100)
	e.crediter.reject = true
	is := e.issuer(e.client, 1)
	e.poll(is)
	e.sim.Commit()
	res := e.poll(is)
	issWant(t, "failed", res.Failed, 1)
	row := e.store.row("r")
	if row.status != "failed" || !strings.Contains(row.reason, "unknown_account") {
		t.Fatalf("row %+v", row)
	}
}

// TestIssuerNoncesFollowTheOtherOutboxAndEachOther: two mints in one pass
// take consecutive nonces above the other outbox's, and the vault's
// pending nonce is respected.
func TestIssuerNoncesFollowTheOtherOutboxAndEachOther(t *testing.T) {
	e := newIssEnv(t, true)
	e.add("a", 100)
	e.add("b", 200)
	// The other outbox (withdrawals) holds nonce 0, not broadcast yet.
	drop := &senderDropChain{SenderChain: e.client, drop: 2}
	e.store.otherNonce = 1
	is := e.issuer(drop, 1)
	res := e.poll(is)
	issWant(t, "signed", res.Signed, 2)
	issWant(t, "nonces", []uint64{e.store.row("a").Nonce, e.store.row("b").Nonce}, []uint64{1, 2})

	// Both broadcasts were lost. After a restart (no local nonce, the
	// other outbox forgotten) the stored mints are broadcast again, and
	// wait without failing while nonce 0 leaves a gap before them.
	e.sim.Commit()
	is2 := e.issuer(e.client, 1) // a restart: no local nonce
	e.store.otherNonce = 0
	res = e.poll(is2)
	issWant(t, "rebroadcast after a restart", res.Rebroadcast, 2)
	e.sim.Commit()
	res = e.poll(is2)
	issWant(t, "waiting with a gap", res.Waiting, 2)
}

// TestIssuerFailsWhenAnotherTransactionTookTheNonce: a stored mint whose
// nonce another vault transaction used can never be mined: failed.
func TestIssuerFailsWhenAnotherTransactionTookTheNonce(t *testing.T) {
	e := newIssEnv(t, true)
	e.add("r", 100)
	drop := &senderDropChain{SenderChain: e.client, drop: 1}
	e.poll(e.issuer(drop, 1)) // stored with nonce 0, lost
	// Another vault transaction takes nonce 0.
	tx, err := tokens.Mint(t.Context(), e.vault, e.token, e.alice, big.NewInt(1))
	if err != nil {
		t.Fatal(err)
	}
	if tx.Nonce() != e.store.row("r").Nonce {
		t.Fatalf("the other transaction has nonce %d, the mint %d", tx.Nonce(), e.store.row("r").Nonce)
	}
	e.confirmed(e.vault, tx)
	res := e.poll(e.issuer(e.client, 1))
	issWant(t, "failed", res.Failed, 1)
	if row := e.store.row("r"); !strings.Contains(row.reason, "used by another transaction") {
		t.Fatalf("row %+v", row)
	}
	issWant(t, "credits", e.crediter.calls, 0)
}

// TestSupplyReporterReportsChanges: each program's supply in units, only
// when it changed.
func TestSupplyReporterReportsChanges(t *testing.T) {
	e := newIssEnv(t, true)
	type report struct {
		asset uint32
		units int64
	}
	var reports []report
	r := &tokens.SupplyReporter{
		Chain: e.client,
		Programs: func(context.Context) ([]tokens.Program, error) {
			return []tokens.Program{{Asset: 3, Contract: e.token, Decimals: 18, Scale: 2}}, nil
		},
		Report: func(_ context.Context, asset uint32, units int64) error {
			reports = append(reports, report{asset, units})
			return nil
		},
	}
	poll := func(want int) {
		t.Helper()
		n, err := r.Poll(t.Context())
		if err != nil || n != want {
			t.Fatalf("Poll = %d, %v; want %d", n, err, want)
		}
	}
	poll(1)
	poll(0)
	// 12.345 tokens: 1234 units, the dust not reported.
	raw := new(big.Int).Add(issRaw(t, 1234), big.NewInt(5e15))
	e.confirmed(e.vault, mustIssMint(t, e, raw))
	poll(1)
	poll(0)
	issWant(t, "reports", reports, []report{{3, 0}, {3, 1234}})

	// A failing report is tried again on the next pass.
	fail := true
	r.Report = func(_ context.Context, asset uint32, units int64) error {
		if fail {
			return errors.New("sequencer down")
		}
		reports = append(reports, report{asset, units})
		return nil
	}
	e.confirmed(e.vault, mustIssMint(t, e, issRaw(t, 1)))
	if _, err := r.Poll(t.Context()); err == nil {
		t.Fatal("a failed report is not an error")
	}
	fail = false
	poll(1)
	issWant(t, "last report", reports[len(reports)-1], report{3, 1235})
}

func mustIssMint(t *testing.T, e *issEnv, raw *big.Int) *types.Transaction {
	t.Helper()
	tx, err := tokens.Mint(t.Context(), e.vault, e.token, e.alice, raw)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}
