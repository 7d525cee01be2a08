package node

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/store/sqlstore"
	"github.com/lpx-exchange/lpx/tokens"
)

var (
	// ErrNotABrand: the account does not exist or is not of kind brand.
	ErrNotABrand = errors.New("node: not a brand account")
	// ErrNoFactory: the node knows no TokenFactory (a chain named by
	// EthRPCURL); register a token deployed otherwise instead.
	ErrNoFactory = errors.New("node: no token factory on this chain")
	// ErrBadSymbol: the token's symbol is not one the engine takes
	// (1 to 8 of A-Z, 0-9, '.', '_').
	ErrBadSymbol = errors.New("node: the token's symbol is not a valid asset symbol")
	// ErrBadScale: the scale is above the token's decimals or
	// engine.MaxScale.
	ErrBadScale = errors.New("node: bad scale for the token")
	// ErrAlreadyRegistered: the contract is an asset's token already; its
	// asset id is returned with the error.
	ErrAlreadyRegistered = errors.New("node: the token is registered already")
	// ErrAssetRefused: the engine refused to create the asset (the code
	// says why: a symbol taken by another asset, an expiry in the past).
	ErrAssetRefused = errors.New("node: the engine refused the asset")
	// ErrProgramNotStored: the engine created the asset but its token
	// program could not be stored. The asset id is returned with it; the
	// asset exists without a program until RegisterProgram is called again
	// for the same contract, which adopts it (see RegisterProgram).
	ErrProgramNotStored = errors.New("node: the asset exists in the engine without a token program")
)

// CreateProgram has the brand deploy a new points or coupon token through
// the node's TokenFactory, signed with brandKey (which must hold gas; the
// brand's key admins the token), waits for the node's confirmations and
// registers it as a new asset with scale (RegisterProgram).
//
// The issuer mints with the vault key, so the vault must be the token's
// minter for Issue to work: when spec.Minter is zero it is set to n.Vault.
// A spec naming another minter deploys a token that Issue cannot back (the
// brand can grant the vault MINTER_ROLE later).
//
// Nothing is deployed when the brand is not a brand account, the spec, the
// symbol or the scale would be refused; an error after the deployment
// returns the token's address with it.
func (n *Node) CreateProgram(ctx context.Context, brand uint32, brandKey *ecdsa.PrivateKey, spec tokens.ProgramSpec, scale uint8) (asset uint32, token common.Address, err error) {
	if n.Chain == nil {
		return 0, common.Address{}, ErrNoChain
	}
	if n.Factory == (common.Address{}) {
		return 0, common.Address{}, ErrNoFactory
	}
	if err := n.checkBrand(ctx, brand); err != nil {
		return 0, common.Address{}, err
	}
	if _, ok := engine.ParseSymbol(spec.Symbol); !ok {
		return 0, common.Address{}, fmt.Errorf("%w: %q", ErrBadSymbol, spec.Symbol)
	}
	if scale > spec.Decimals || scale > engine.MaxScale {
		return 0, common.Address{}, fmt.Errorf("%w: scale %d with %d decimals (at most the decimals and %d)", ErrBadScale, scale, spec.Decimals, engine.MaxScale)
	}
	if spec.Minter == (common.Address{}) {
		spec.Minter = n.Vault
	}
	tr := &tokens.Transactor{
		Chain: n.Chain, Key: brandKey, ChainID: new(big.Int).SetUint64(n.ChainID),
		Confirmations: n.cfg.Confirmations, PollInterval: 200 * time.Millisecond,
	}
	token, _, err = tokens.DeployProgram(ctx, tr, n.Factory, spec)
	if err != nil {
		return 0, token, err
	}
	n.log.Info("token program deployed", "brand", brand, "symbol", spec.Symbol, "kind", spec.Kind, "token", token, "minter", spec.Minter)
	asset, err = n.RegisterProgram(ctx, brand, token, scale)
	return asset, token, err
}

// RegisterProgram makes the existing token at token on the node's chain
// brand's asset: it reads the token (tokens.InspectToken: no contract or
// not an ERC-20 is an error wrapping tokens.ErrNotAContract or
// tokens.ErrNotERC20, and nothing changes), creates the asset in the
// engine (CmdCreateAsset with the token's symbol, scale, kind, brand and,
// for a coupon, its expiry; an ERC-20 that is not a LoyaltyToken becomes
// points that never expire) and stores the token program under the new
// asset id.
//
// If the program cannot be stored after the engine created the asset, it
// returns the asset id with ErrProgramNotStored. Calling RegisterProgram
// again for the same contract then adopts that asset: when the engine
// refuses the symbol as taken and the SQL history shows an asset of that
// symbol, brand, kind and scale without a token program, the program is
// stored for it. (The history is projected asynchronously: a retry right
// after the failure may have to wait a moment.)
//
// Errors, none of which changes anything: ErrNoChain, ErrNotABrand,
// ErrBadSymbol, ErrBadScale, ErrAlreadyRegistered (with the asset id),
// ErrAssetRefused, the tokens errors of InspectToken.
func (n *Node) RegisterProgram(ctx context.Context, brand uint32, token common.Address, scale uint8) (asset uint32, err error) {
	if n.Chain == nil {
		return 0, ErrNoChain
	}
	if err := n.checkBrand(ctx, brand); err != nil {
		return 0, err
	}
	contract := strings.ToLower(token.Hex())
	if p, err := n.SQL.TokenProgramByContract(ctx, n.ChainID, contract); err == nil {
		return p.AssetID, fmt.Errorf("%w: %s is asset %d (%s)", ErrAlreadyRegistered, contract, p.AssetID, p.Symbol)
	} else if !errors.Is(err, sqlstore.ErrNotFound) {
		return 0, err
	}
	info, err := tokens.InspectToken(ctx, n.Chain, token)
	if err != nil {
		return 0, fmt.Errorf("node: register %s: %w", contract, err)
	}
	sym, ok := engine.ParseSymbol(info.Symbol)
	if !ok {
		return 0, fmt.Errorf("%w: %q of %s", ErrBadSymbol, info.Symbol, contract)
	}
	if scale > info.Decimals || scale > engine.MaxScale {
		return 0, fmt.Errorf("%w: scale %d with %d decimals (at most the decimals and %d)", ErrBadScale, scale, info.Decimals, engine.MaxScale)
	}
	kind, progKind, expires := engine.Points, sqlstore.ProgramPoints, int64(0)
	if info.Kind == tokens.KindCoupon {
		kind, progKind, expires = engine.Coupon, sqlstore.ProgramCoupon, info.ExpiresAt.UnixNano()
	}
	res, err := n.Submit(ctx, engine.Command{
		Kind: engine.CmdCreateAsset, Symbol: sym, Scale: scale, AssetKind: kind,
		Brand: engine.AccountID(brand), ExpiresAt: expires,
	})
	if err != nil {
		return 0, err
	}
	created := false
	for _, ev := range res.Events {
		switch {
		case ev.Kind == engine.EvAssetCreated:
			asset, created = uint32(ev.Asset), true
		case ev.Kind == engine.EvRejected && ev.Code == engine.CodeDuplicateAsset:
			if asset, err = n.orphanAsset(ctx, info.Symbol, brand, kind, scale); err != nil {
				return 0, err
			}
			if asset == 0 {
				return 0, fmt.Errorf("%w: %s: symbol %s is taken", ErrAssetRefused, ev.Code, info.Symbol)
			}
			n.log.Warn("adopting an asset created without a token program", "asset", asset, "symbol", info.Symbol, "token", contract)
		case ev.Kind == engine.EvRejected:
			return 0, fmt.Errorf("%w: %s", ErrAssetRefused, ev.Code)
		}
	}
	if asset == 0 {
		return 0, fmt.Errorf("node: create asset %s: no created or rejected event (seq %d)", info.Symbol, res.Seq)
	}
	var expiresSec int64
	if expires != 0 {
		expiresSec = info.ExpiresAt.Unix()
	}
	err = n.SQL.CreateTokenProgram(ctx, sqlstore.TokenProgram{
		AssetID: asset, Brand: brand, ChainID: n.ChainID, Contract: contract, Kind: progKind,
		Symbol: info.Symbol, Name: info.Name, Decimals: info.Decimals, Scale: scale,
		ExpiresAt: expiresSec, CreatedAt: time.Now().UnixNano(),
	})
	if err != nil {
		n.log.Error("asset created without its token program", "asset", asset, "symbol", info.Symbol, "token", contract, "created", created, "err", err)
		return asset, fmt.Errorf("%w: asset %d (%s), token %s: %w", ErrProgramNotStored, asset, info.Symbol, contract, err)
	}
	n.log.Info("token program registered", "brand", brand, "asset", asset, "symbol", info.Symbol, "kind", progKind, "token", contract, "scale", scale)
	return asset, nil
}

// checkBrand refuses an account that does not exist or is not a brand.
func (n *Node) checkBrand(ctx context.Context, brand uint32) error {
	acc, err := n.SQL.Account(ctx, brand)
	switch {
	case errors.Is(err, sqlstore.ErrNotFound):
		return fmt.Errorf("%w: no account %d", ErrNotABrand, brand)
	case err != nil:
		return err
	case acc.Kind != sqlstore.AccountBrand:
		return fmt.Errorf("%w: account %d is a %s", ErrNotABrand, brand, acc.Kind)
	}
	return nil
}

// orphanAsset finds, in the SQL history, brand's asset with symbol, kind
// and scale that has no token program: one a failed RegisterProgram left.
// 0: none.
func (n *Node) orphanAsset(ctx context.Context, symbol string, brand uint32, kind engine.AssetKind, scale uint8) (uint32, error) {
	assets, err := n.SQL.Assets(ctx)
	if err != nil {
		return 0, err
	}
	for _, a := range assets {
		if a.Symbol != symbol {
			continue
		}
		if a.BrandID != brand || a.Scale != scale || a.Kind != kind.String() {
			return 0, nil
		}
		if _, err := n.SQL.TokenProgram(ctx, a.ID); errors.Is(err, sqlstore.ErrNotFound) {
			return a.ID, nil
		} else if err != nil {
			return 0, err
		}
		return 0, nil
	}
	return 0, nil
}

// BurnStore is the burner's outbox in the SQL database: the burns and
// redemption_burns tables, with each asset's token and raw amounts from
// its token program on ChainID (a redemption of an asset without one is
// not burned). Hashes are stored as lowercase hex.
type BurnStore struct {
	DB      *sqlstore.DB
	Now     func() int64 // Unix nanoseconds
	ChainID uint64
}

// program returns asset's program on ChainID, ok false if it has none.
func (s BurnStore) program(ctx context.Context, cache map[uint32]*sqlstore.TokenProgram, asset uint32) (*sqlstore.TokenProgram, error) {
	if p, ok := cache[asset]; ok {
		return p, nil
	}
	p, err := s.DB.TokenProgram(ctx, asset)
	switch {
	case errors.Is(err, sqlstore.ErrNotFound):
		cache[asset] = nil
		return nil, nil
	case err != nil:
		return nil, err
	case p.ChainID != s.ChainID || !common.IsHexAddress(p.Contract):
		cache[asset] = nil
		return nil, nil
	}
	cache[asset] = &p
	return &p, nil
}

// Unburned returns up to limit fulfilled redemptions no burn holds, with
// their raw amounts (FromUnits with the program's decimals and scale).
func (s BurnStore) Unburned(ctx context.Context, limit int) ([]tokens.Redeemed, error) {
	rows, err := s.DB.UnburnedFulfilled(ctx, 0, min(limit, sqlstore.MaxBurnBatch))
	if err != nil {
		return nil, err
	}
	cache := map[uint32]*sqlstore.TokenProgram{}
	out := make([]tokens.Redeemed, 0, len(rows))
	for _, r := range rows {
		p, err := s.program(ctx, cache, r.Asset)
		if err != nil {
			return nil, err
		}
		if p == nil || r.Amount <= 0 {
			continue
		}
		raw, err := tokens.FromUnits(r.Amount, p.Decimals, p.Scale)
		if err != nil {
			return nil, fmt.Errorf("node: redemption %d: %w", r.ID, err)
		}
		out = append(out, tokens.Redeemed{Redemption: r.ID, Asset: r.Asset, Token: common.HexToAddress(p.Contract), Raw: raw})
	}
	return out, nil
}

// CreateBurn stores a pending burn of the redemptions.
func (s BurnStore) CreateBurn(ctx context.Context, asset uint32, total *big.Int, redemptions []uint64) (tokens.Burn, error) {
	b, err := s.DB.CreateBurn(ctx, asset, total, redemptions, s.Now())
	if err != nil {
		return tokens.Burn{}, err
	}
	return s.toBurn(ctx, map[uint32]*sqlstore.TokenProgram{}, b)
}

// Outstanding returns up to limit burning, then pending burns, each
// oldest first.
func (s BurnStore) Outstanding(ctx context.Context, limit int) ([]tokens.Burn, error) {
	cache := map[uint32]*sqlstore.TokenProgram{}
	var out []tokens.Burn
	for _, st := range []sqlstore.BurnStatus{sqlstore.BurnBurning, sqlstore.BurnPending} {
		if len(out) >= limit {
			break
		}
		rows, err := s.DB.ListBurnsByStatus(ctx, st, min(limit-len(out), sqlstore.MaxPageSize))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			b, err := s.toBurn(ctx, cache, r)
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		}
	}
	return out, nil
}

func (s BurnStore) toBurn(ctx context.Context, cache map[uint32]*sqlstore.TokenProgram, r sqlstore.Burn) (tokens.Burn, error) {
	p, err := s.program(ctx, cache, r.Asset)
	if err != nil {
		return tokens.Burn{}, err
	}
	b := tokens.Burn{
		ID: r.ID, Asset: r.Asset, Raw: r.TotalRaw, Redemptions: len(r.Redemptions),
		Status: tokens.BurnStatus(r.Status), Nonce: r.Nonce, SignedTx: r.SignedTx,
	}
	if p != nil {
		b.Token = common.HexToAddress(p.Contract)
	}
	if r.TxHash != "" {
		b.TxHash = common.HexToHash(r.TxHash)
	}
	return b, nil
}

// NextNonce is the vault's next nonce on ChainID (vaultNextNonce).
func (s BurnStore) NextNonce(ctx context.Context) (uint64, error) {
	return vaultNextNonce(ctx, s.DB, s.ChainID)
}

// MarkBurning stores the signed burn of a pending batch.
func (s BurnStore) MarkBurning(ctx context.Context, b tokens.Burn, nonce uint64, signedTx []byte, txHash common.Hash) error {
	return s.DB.MarkBurnBurning(ctx, b.ID, nonce, signedTx, strings.ToLower(txHash.Hex()), s.Now())
}

// MarkBurned moves a burning batch to burned; one burned already is
// success.
func (s BurnStore) MarkBurned(ctx context.Context, b tokens.Burn) error {
	return s.already(ctx, b, s.DB.MarkBurnBurned(ctx, b.ID, s.Now()), sqlstore.BurnBurned)
}

// MarkFailed fails a batch and releases its redemptions; one failed
// already is success.
func (s BurnStore) MarkFailed(ctx context.Context, b tokens.Burn, reason string) error {
	return s.already(ctx, b, s.DB.MarkBurnFailed(ctx, b.ID, reason, s.Now()), sqlstore.BurnFailed)
}

func (s BurnStore) already(ctx context.Context, b tokens.Burn, err error, want sqlstore.BurnStatus) error {
	if !errors.Is(err, sqlstore.ErrConflict) {
		return err
	}
	row, rerr := s.DB.Burn(ctx, b.ID)
	switch {
	case rerr != nil:
		return errors.Join(err, rerr)
	case row.Status == want:
		return nil
	}
	return err
}
