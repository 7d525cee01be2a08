package node

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/store/sqlstore"
	"github.com/lpx-exchange/lpx/tokens"
)

var (
	// ErrNotBrandsAsset: the asset's token program belongs to another
	// brand.
	ErrNotBrandsAsset = errors.New("node: the asset is not the brand's")
	// ErrUnknownCustomer: the customer is not an account of the exchange.
	ErrUnknownCustomer = errors.New("node: unknown customer account")
	// ErrBadReference: an empty reference, or one longer than
	// sqlstore.MaxIssuanceReference bytes.
	ErrBadReference = errors.New("node: bad issuance reference")
	// ErrReferenceReused: the brand used the reference already for another
	// customer, asset or amount. The stored issuance is returned with it.
	ErrReferenceReused = errors.New("node: the brand used this reference for another issue")
)

// IssueRef is the engine Ref of the issue a brand made with reference: the
// SHA-256 of the reference's bytes. The engine credits each (brand, Ref)
// once, so the brand's reference, not the mint, is what makes an issue
// unique. The derivation is fixed: changing it would credit old issues
// again.
func IssueRef(reference string) engine.Ref {
	return engine.Ref(sha256.Sum256([]byte(reference)))
}

// Issue has brand credit customer with amount (a decimal at the asset's
// scale) of asset, backed on chain: the node mints the raw amount of the
// asset's token to the vault (the vault must be the token's minter) and
// credits the customer in the engine only once that mint is confirmed, as
// it credits a deposit. It returns the issuance as stored, pending: the
// issuer (run by Run with the withdrawal sender) takes it from there, and
// Issuance reads where it stands.
//
// reference is the brand's: a repeat with the same reference returns the
// first request's issuance and mints and credits nothing more (and
// ErrReferenceReused with it if customer, asset or amount differ).
//
// Errors, none of which stores anything: ErrNoChain, ErrUnknownToken (no
// token program on the node's chain), ErrNotBrandsAsset,
// ErrUnknownCustomer, ErrBadReference, the tokens errors of ParseDecimal
// (ErrTooManyDecimals, ErrBadAmount, ...) and of FromUnits.
func (n *Node) Issue(ctx context.Context, brand, customer, asset uint32, amount, reference string) (sqlstore.Issuance, error) {
	if n.Chain == nil {
		return sqlstore.Issuance{}, ErrNoChain
	}
	if reference == "" || len(reference) > sqlstore.MaxIssuanceReference {
		return sqlstore.Issuance{}, fmt.Errorf("%w: %d bytes (1 to %d)", ErrBadReference, len(reference), sqlstore.MaxIssuanceReference)
	}
	prog, err := n.SQL.TokenProgram(ctx, asset)
	if errors.Is(err, sqlstore.ErrNotFound) || err == nil && prog.ChainID != n.ChainID {
		return sqlstore.Issuance{}, fmt.Errorf("%w: asset %d has no token program on chain %d", ErrUnknownToken, asset, n.ChainID)
	}
	if err != nil {
		return sqlstore.Issuance{}, err
	}
	if prog.Brand != brand {
		return sqlstore.Issuance{}, fmt.Errorf("%w: asset %d (%s) belongs to brand %d, not %d", ErrNotBrandsAsset, asset, prog.Symbol, prog.Brand, brand)
	}
	if _, err := n.SQL.Account(ctx, customer); errors.Is(err, sqlstore.ErrNotFound) {
		return sqlstore.Issuance{}, fmt.Errorf("%w: %d", ErrUnknownCustomer, customer)
	} else if err != nil {
		return sqlstore.Issuance{}, err
	}
	units, err := tokens.ParseDecimal(amount, prog.Scale)
	if err != nil {
		return sqlstore.Issuance{}, err
	}
	if units == 0 {
		return sqlstore.Issuance{}, fmt.Errorf("%w: an issue of 0", tokens.ErrBadAmount)
	}
	raw, err := tokens.FromUnits(units, prog.Decimals, prog.Scale)
	if err != nil {
		return sqlstore.Issuance{}, err
	}
	is, created, err := n.SQL.CreateIssuance(ctx, sqlstore.Issuance{
		Brand: brand, Reference: reference, Customer: customer, Asset: asset,
		Amount: units, AmountRaw: raw, CreatedAt: time.Now().UnixNano(),
	})
	switch {
	case created:
		n.log.Info("issuance accepted", "brand", brand, "reference", reference, "customer", customer, "asset", asset, "units", units)
		return is, nil
	case errors.Is(err, sqlstore.ErrDuplicate):
		if is.Customer != customer || is.Asset != asset || is.Amount != units {
			return is, fmt.Errorf("%w: %q issued %d units of asset %d to %d", ErrReferenceReused, reference, is.Amount, is.Asset, is.Customer)
		}
		return is, nil
	}
	return sqlstore.Issuance{}, err
}

// Issuance returns brand's issuance with reference (sqlstore.ErrNotFound
// if there is none).
func (n *Node) Issuance(ctx context.Context, brand uint32, reference string) (sqlstore.Issuance, error) {
	return n.SQL.Issuance(ctx, brand, reference)
}

// runVault is the goroutine of the vault key: every ChainPoll it runs a
// pass of the withdrawal sender, then of the issuer, then of the supply
// reporter, one after the other (the sender and the issuer sign with the
// same key and must never pick nonces at the same time), until ctx ends.
// Each outbox's NextNonce is vaultNextNonce, over all three.
func (n *Node) runVault(ctx context.Context, sender *tokens.Sender) {
	now := func() int64 { return time.Now().UnixNano() }
	issuer := &tokens.Issuer{
		Chain: n.Chain, Store: IssuanceStore{DB: n.SQL, Now: now, ChainID: n.ChainID},
		Crediter: EngineIssuer{Submit: n.Sequencer.Submit},
		Key:      n.vaultKey, ChainID: new(big.Int).SetUint64(n.ChainID),
		Confirmations: n.cfg.Confirmations, Log: n.log,
	}
	burner := &tokens.Burner{
		Chain: n.Chain, Store: BurnStore{DB: n.SQL, Now: now, ChainID: n.ChainID},
		Key: n.vaultKey, ChainID: new(big.Int).SetUint64(n.ChainID),
		Confirmations: n.cfg.Confirmations, Log: n.log,
	}
	programs := ChainStore{DB: n.SQL, Now: now}
	supply := &tokens.SupplyReporter{
		Chain:    n.Chain,
		Programs: func(ctx context.Context) ([]tokens.Program, error) { return programs.Programs(ctx, n.ChainID) },
		Report:   EngineSupplyReporter{Submit: n.Sequencer.Submit}.Report,
		Log:      n.log,
	}
	t := time.NewTicker(n.cfg.ChainPoll)
	defer t.Stop()
	for {
		if _, err := sender.Poll(ctx); err != nil && ctx.Err() == nil {
			n.log.Error("withdrawal sender pass failed", "chain", n.ChainID, "err", err)
		}
		if _, err := issuer.Poll(ctx); err != nil && ctx.Err() == nil {
			n.log.Error("issuer pass failed", "chain", n.ChainID, "err", err)
		}
		// Before the supply report, so that it reflects the burns.
		if _, err := burner.Poll(ctx); err != nil && ctx.Err() == nil {
			n.log.Error("redemption burner pass failed", "chain", n.ChainID, "err", err)
		}
		if _, err := supply.Poll(ctx); err != nil && ctx.Err() == nil {
			n.log.Error("supply report pass failed", "chain", n.ChainID, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// IssuanceStore is the issuer's outbox in the SQL database: the issuances
// table, with each asset's token contract from its token program on
// ChainID. Hashes are stored as lowercase hex.
type IssuanceStore struct {
	DB      *sqlstore.DB
	Now     func() int64 // Unix nanoseconds, for updated_at
	ChainID uint64
}

// Outstanding returns up to limit pending or minting issuances, oldest
// first. An asset without a token program on ChainID gets a zero Token
// (the issuer fails it).
func (s IssuanceStore) Outstanding(ctx context.Context, limit int) ([]tokens.Issuance, error) {
	var rows []sqlstore.Issuance
	for _, st := range []sqlstore.IssuanceStatus{sqlstore.IssuanceMinting, sqlstore.IssuancePending} {
		list, err := s.DB.ListIssuancesByStatus(ctx, st, limit)
		if err != nil {
			return nil, err
		}
		rows = append(rows, list...)
	}
	// Merge the two oldest-first lists by age and keep the limit.
	sortIssuances(rows)
	if len(rows) > limit {
		rows = rows[:limit]
	}
	contracts := map[uint32]common.Address{}
	out := make([]tokens.Issuance, 0, len(rows))
	for _, r := range rows {
		token, ok := contracts[r.Asset]
		if !ok {
			p, err := s.DB.TokenProgram(ctx, r.Asset)
			switch {
			case errors.Is(err, sqlstore.ErrNotFound):
			case err != nil:
				return nil, err
			case p.ChainID == s.ChainID && common.IsHexAddress(p.Contract):
				token = common.HexToAddress(p.Contract)
			}
			contracts[r.Asset] = token
		}
		is := tokens.Issuance{
			Brand: r.Brand, Reference: r.Reference, Customer: r.Customer, Asset: r.Asset, Units: r.Amount,
			Token: token, Raw: r.AmountRaw, Status: tokens.IssuanceStatus(r.Status), Nonce: r.Nonce, SignedTx: r.SignedTx,
		}
		if r.TxHash != "" {
			is.TxHash = common.HexToHash(r.TxHash)
		}
		out = append(out, is)
	}
	return out, nil
}

// sortIssuances orders rows by CreatedAt, then brand and reference.
func sortIssuances(rows []sqlstore.Issuance) {
	for i := 1; i < len(rows); i++ { // insertion sort: two sorted runs of at most a batch
		for j := i; j > 0 && issuanceBefore(rows[j], rows[j-1]); j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
}

func issuanceBefore(a, b sqlstore.Issuance) bool {
	if a.CreatedAt != b.CreatedAt {
		return a.CreatedAt < b.CreatedAt
	}
	if a.Brand != b.Brand {
		return a.Brand < b.Brand
	}
	return a.Reference < b.Reference
}

// NextNonce is the vault's next nonce on ChainID (vaultNextNonce).
func (s IssuanceStore) NextNonce(ctx context.Context) (uint64, error) {
	return vaultNextNonce(ctx, s.DB, s.ChainID)
}

// MarkMinting stores the signed mint of a pending issuance.
func (s IssuanceStore) MarkMinting(ctx context.Context, is tokens.Issuance, nonce uint64, signedTx []byte, txHash common.Hash) error {
	return s.DB.MarkIssuanceMinting(ctx, is.Brand, is.Reference, nonce, signedTx, strings.ToLower(txHash.Hex()), s.Now())
}

// MarkCredited moves a minting issuance to credited; one credited already
// is success.
func (s IssuanceStore) MarkCredited(ctx context.Context, is tokens.Issuance, logIndex uint, seq uint64) error {
	if logIndex > uint(^uint32(0)) {
		return fmt.Errorf("node: issuance %d/%q: log index %d", is.Brand, is.Reference, logIndex)
	}
	err := s.DB.MarkIssuanceCredited(ctx, is.Brand, is.Reference, uint32(logIndex), seq, s.Now())
	return s.already(ctx, is, err, sqlstore.IssuanceCredited)
}

// MarkFailed moves an outstanding issuance to failed; one failed already
// is success.
func (s IssuanceStore) MarkFailed(ctx context.Context, is tokens.Issuance, reason string) error {
	err := s.DB.MarkIssuanceFailed(ctx, is.Brand, is.Reference, reason, s.Now())
	return s.already(ctx, is, err, sqlstore.IssuanceFailed)
}

// already turns a conflict into success when the issuance is in want.
func (s IssuanceStore) already(ctx context.Context, is tokens.Issuance, err error, want sqlstore.IssuanceStatus) error {
	if !errors.Is(err, sqlstore.ErrConflict) {
		return err
	}
	row, rerr := s.DB.Issuance(ctx, is.Brand, is.Reference)
	switch {
	case rerr != nil:
		return errors.Join(err, rerr)
	case row.Status == want:
		return nil
	}
	return err
}

// EngineIssuer credits confirmed issuances by submitting CmdIssue to the
// sequencer, with Ref = IssueRef(reference).
type EngineIssuer struct {
	Submit func(ctx context.Context, cmd engine.Command) (exchange.Result, error)
}

// Credit submits CmdIssue for is. CodeDuplicateIssue (the brand's
// reference was issued already) is success with duplicate set; any other
// rejection wraps tokens.ErrIssueRejected with the engine's code.
func (e EngineIssuer) Credit(ctx context.Context, is tokens.Issuance) (uint64, bool, error) {
	res, err := e.Submit(ctx, engine.Command{
		Kind: engine.CmdIssue, Account: engine.AccountID(is.Brand), Asset: engine.AssetID(is.Asset),
		To: engine.AccountID(is.Customer), Amount: is.Units, Ref: IssueRef(is.Reference),
	})
	if err != nil {
		return 0, false, err
	}
	for _, ev := range res.Events {
		switch {
		case ev.Kind == engine.EvIssued:
			return res.Seq, false, nil
		case ev.Kind == engine.EvRejected && ev.Code == engine.CodeDuplicateIssue:
			return res.Seq, true, nil
		case ev.Kind == engine.EvRejected:
			return res.Seq, false, fmt.Errorf("%w: %s", tokens.ErrIssueRejected, ev.Code)
		}
	}
	return res.Seq, false, fmt.Errorf("node: issue %d/%q: no issued or rejected event (seq %d)", is.Brand, is.Reference, res.Seq)
}

// EngineSupplyReporter reports on-chain supplies by submitting
// CmdReportSupply to the sequencer.
type EngineSupplyReporter struct {
	Submit func(ctx context.Context, cmd engine.Command) (exchange.Result, error)
}

// Report submits CmdReportSupply{Asset, Amount: units}.
func (e EngineSupplyReporter) Report(ctx context.Context, asset uint32, units int64) error {
	res, err := e.Submit(ctx, engine.Command{Kind: engine.CmdReportSupply, Asset: engine.AssetID(asset), Amount: units})
	if err != nil {
		return err
	}
	for _, ev := range res.Events {
		switch ev.Kind {
		case engine.EvSupplyReported:
			return nil
		case engine.EvRejected:
			return fmt.Errorf("node: supply of asset %d refused: %s", asset, ev.Code)
		}
	}
	return fmt.Errorf("node: supply of asset %d: no reported or rejected event (seq %d)", asset, res.Seq)
}
