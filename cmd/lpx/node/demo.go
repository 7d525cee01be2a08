package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/store/redisstore"
	"github.com/lpx-exchange/lpx/store/sqlstore"
	"github.com/lpx-exchange/lpx/tokens"
)

// The demo world: what the embedded mode seeds on its first start so that
// a person (or lpx demo) can try everything at once. Three brands with
// tokens deployed on the dev chain: a house brand whose LPX credits are
// the hub, ACME points and COFFEE coupons (expiring a year after
// seeding); markets of ACME and COFFEE against LPX; a market-maker
// account stocked by issues of all three; the market maker quoting them
// in-process (DemoQuoting says how; lpx serve runs it). Its progress and
// its credentials (the brands' and the market maker's API keys) are kept
// in DataDir/demo.json (mode 0600), written after every step, so that a
// start interrupted in the middle is finished by the next one and a
// restart finds the same world.

// DemoConfig is the embedded demo mode's settings (Config.Demo).
type DemoConfig struct {
	// Disabled seeds no demo world (lpx serve --no-demo); the faucet then
	// gives gas only.
	Disabled bool
	// FaucetPerAddress and FaucetPerIP limit how often the faucet gives to
	// one wallet and to one client address (zero: one per wallet every 10
	// minutes; 10 at once per client address, then 20 an hour).
	FaucetPerAddress, FaucetPerIP redisstore.Limit
}

var (
	// ErrNoDemo: the demo world and the faucet need the embedded mode
	// with its dev chain and the API listening.
	ErrNoDemo = errors.New("node: no demo world outside the embedded mode with its dev chain")
	// ErrDemoDisabled: Config.Demo.Disabled is set.
	ErrDemoDisabled = errors.New("node: the demo world is disabled (--no-demo)")
	// ErrDemoConflict: something of the demo world's (a symbol, a market)
	// exists already and is not the demo's; nothing more is seeded.
	ErrDemoConflict = errors.New("node: the demo world conflicts with what exists")
)

// demoProgram is one brand's token in the demo world.
type demoProgram struct {
	Brand           string // the brand account's name
	Symbol, Name    string // the token's
	Kind            tokens.TokenKind
	Decimals, Scale uint8
	Hub             bool
	Mid             string // the market maker's starting mid against the hub
	Stock           string // issued to the market maker
	Gift            string // the faucet mints this to a wallet
}

// demoPrograms are the demo world's brands, the hub first.
var demoPrograms = []demoProgram{
	{Brand: "LPX House", Symbol: "LPX", Name: "LPX credits", Kind: tokens.KindPoints, Decimals: 18, Scale: 2, Hub: true, Stock: "100000.00", Gift: "50.00"},
	{Brand: "Acme Corp", Symbol: "ACME", Name: "ACME points", Kind: tokens.KindPoints, Decimals: 18, Scale: 2, Mid: "0.50", Stock: "50000.00", Gift: "100.00"},
	{Brand: "Corner Coffee", Symbol: "COFFEE", Name: "COFFEE coupon", Kind: tokens.KindCoupon, Decimals: 0, Scale: 0, Mid: "2.50", Stock: "5000", Gift: "2"},
}

// The demo markets: each brand's asset against the hub, prices with 2
// decimals (tick 0.01), one whole token per lot and at least, no maker
// fee, a 10 bps taker fee.
const (
	demoPriceScale = 2
	demoTick       = 1
	demoMakerBps   = 0
	demoTakerBps   = 10
)

// Names and files of the demo world.
const (
	demoFile            = "demo.json"
	demoKeyLabel        = "demo world"
	demoMarketMakerName = "Demo market maker"
	demoStockReference  = "demo:market-maker:"
	demoCouponLife      = 365 * 24 * time.Hour
	demoStateVersion    = 1
)

// demoKey is an account of the demo world with its API key.
type demoKey struct {
	Account uint32 `json:"account,omitempty"`
	KeyID   string `json:"key_id,omitempty"`
	Secret  string `json:"secret,omitempty"`
}

// demoBrandState is how far one brand of the demo world got.
type demoBrandState struct {
	Symbol string `json:"symbol"`
	demoKey
	// DeployTx is the deployment sent, with the coupon's expiry in Unix
	// seconds (0 for points), until Token is known from its receipt.
	DeployTx      string `json:"deploy_tx,omitempty"`
	DeployExpires int64  `json:"deploy_expires,omitempty"`
	Token         string `json:"token,omitempty"`      // deployed, hex
	Asset         uint32 `json:"asset,omitempty"`      // registered
	DevMinter     bool   `json:"dev_minter,omitempty"` // the dev key may mint (the faucet)
}

// demoState is DataDir/demo.json.
type demoState struct {
	Version     int              `json:"version"`
	ChainID     uint64           `json:"chain_id"`
	Brands      []demoBrandState `json:"brands"` // in demoPrograms' order
	MarketMaker demoKey          `json:"market_maker"`
	Complete    bool             `json:"complete"`
}

// DemoWorld is the seeded demo world.
type DemoWorld struct {
	ChainID     uint64
	RPCURL      string // the dev chain's JSON-RPC, on loopback
	Vault       common.Address
	Hub         string // the hub asset's symbol
	Brands      []DemoBrand
	Markets     []DemoMarket
	MarketMaker uint32 // its account
	mmKey       demoKey
}

// DemoBrand is a brand of the demo world and its token.
type DemoBrand struct {
	Name      string
	Account   uint32
	Symbol    string
	Kind      string // points or coupon
	Asset     uint32
	Token     common.Address
	ExpiresAt time.Time // coupons; zero for points
	Hub       bool
}

// DemoMarket is a market of the demo world.
type DemoMarket struct {
	Symbol      string // BASE-QUOTE
	ID          uint32
	Base, Quote string
	PriceScale  uint8
	Mid         string // the market maker's starting mid
}

// demoPath is DataDir/demo.json.
func (n *Node) demoPath() string { return filepath.Join(n.cfg.DataDir, demoFile) }

// loadDemo reads DataDir/demo.json; a missing file is an empty state.
func (n *Node) loadDemo() (*demoState, error) {
	st := &demoState{Version: demoStateVersion, ChainID: n.ChainID}
	b, err := os.ReadFile(n.demoPath())
	if errors.Is(err, os.ErrNotExist) {
		for _, p := range demoPrograms {
			st.Brands = append(st.Brands, demoBrandState{Symbol: p.Symbol})
		}
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("node: demo world: %w", err)
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("node: demo world: %s: %w", n.demoPath(), err)
	}
	switch {
	case st.Version != demoStateVersion:
		return nil, fmt.Errorf("node: demo world: %s has version %d, not %d", n.demoPath(), st.Version, demoStateVersion)
	case st.ChainID != n.ChainID:
		return nil, fmt.Errorf("%w: %s is of chain %d, the dev chain is %d", ErrDemoConflict, n.demoPath(), st.ChainID, n.ChainID)
	case len(st.Brands) != len(demoPrograms):
		return nil, fmt.Errorf("node: demo world: %s has %d brands, not %d", n.demoPath(), len(st.Brands), len(demoPrograms))
	}
	for i, p := range demoPrograms {
		if st.Brands[i].Symbol != p.Symbol {
			return nil, fmt.Errorf("node: demo world: %s names brand %d %q, not %q", n.demoPath(), i, st.Brands[i].Symbol, p.Symbol)
		}
	}
	return st, nil
}

// saveDemo writes the state (mode 0600, fsynced, replacing the file at
// once).
func (n *Node) saveDemo(st *demoState) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileSync(n.demoPath(), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("node: demo world: %w", err)
	}
	return nil
}

// demoAvailable refuses a node that cannot have a demo world.
func (n *Node) demoAvailable() error {
	if !n.Embedded || n.DevChain == nil || n.Chain == nil || n.API == nil {
		return ErrNoDemo
	}
	return nil
}

// SeedDemo makes the demo world, or finds it made: the brands' accounts
// and keys, their tokens deployed on the dev chain by the developer key
// with the vault as minter and registered as assets, the developer key
// made a minter too (for the faucet), the hub, the markets, and the
// market maker's account stocked by issues (it waits until they are
// credited). Each step looks at what exists before it acts and is
// recorded in DataDir/demo.json, so a start that stopped in the middle is
// finished by the next one. Run must be running (the issues are minted by
// its vault loop). Call it once at a time.
//
// Errors: ErrNoDemo, ErrDemoDisabled, ErrDemoConflict (a demo symbol is
// some other asset's), and those of the chain and the stores.
func (n *Node) SeedDemo(ctx context.Context) (*DemoWorld, error) {
	if err := n.demoAvailable(); err != nil {
		return nil, err
	}
	if n.cfg.Demo.Disabled {
		return nil, ErrDemoDisabled
	}
	st, err := n.loadDemo()
	if err != nil {
		return nil, err
	}
	save := func() error { return n.saveDemo(st) }
	if !st.Complete {
		n.log.Info("seeding the demo world", "file", n.demoPath())
	}
	brandScopes := []sqlstore.Scope{sqlstore.ScopeRead, sqlstore.ScopeTrade, sqlstore.ScopeWithdraw, sqlstore.ScopeIssue}
	for i, p := range demoPrograms {
		if err := n.demoAccount(ctx, sqlstore.AccountBrand, p.Brand, &st.Brands[i].demoKey, brandScopes, save); err != nil {
			return nil, err
		}
	}
	mmScopes := []sqlstore.Scope{sqlstore.ScopeRead, sqlstore.ScopeTrade}
	if err := n.demoAccount(ctx, sqlstore.AccountMarketMaker, demoMarketMakerName, &st.MarketMaker, mmScopes, save); err != nil {
		return nil, err
	}
	if err := n.demoPrograms(ctx, st, save); err != nil {
		return nil, err
	}
	if err := n.demoMinters(ctx, st, save); err != nil {
		return nil, err
	}
	world, err := n.demoMarkets(ctx, st)
	if err != nil {
		return nil, err
	}
	if err := n.demoStock(ctx, st); err != nil {
		return nil, err
	}
	if !st.Complete {
		st.Complete = true
		if err := save(); err != nil {
			return nil, err
		}
		n.log.Info("the demo world is seeded", "brands", len(world.Brands), "markets", len(world.Markets))
	}
	return world, nil
}

// demoAccount finds (by kind and name) or makes the account of k, and an
// API key with scopes for it unless k's key is live. Keys with the demo
// label that k does not record (their secrets died with a crash) are
// revoked.
func (n *Node) demoAccount(ctx context.Context, kind sqlstore.AccountKind, name string, k *demoKey, scopes []sqlstore.Scope, save func() error) error {
	if k.Account == 0 {
		id, err := n.findAccount(ctx, kind, name)
		if err != nil {
			return err
		}
		if id == 0 {
			if id, err = n.API.CreateAccount(ctx, kind, name); err != nil {
				return fmt.Errorf("node: demo account %q: %w", name, err)
			}
		}
		*k = demoKey{Account: id}
		if err := save(); err != nil {
			return err
		}
	}
	if k.KeyID != "" {
		key, err := n.SQL.APIKey(ctx, k.KeyID)
		switch {
		case err == nil && key.RevokedAt == 0 && key.Account == k.Account:
			return nil
		case err != nil && !errors.Is(err, sqlstore.ErrNotFound):
			return err
		}
	}
	keys, err := n.SQL.ListAPIKeys(ctx, k.Account)
	if err != nil {
		return err
	}
	for _, key := range keys {
		if key.Label == demoKeyLabel && key.RevokedAt == 0 {
			if err := n.SQL.RevokeAPIKey(ctx, k.Account, key.ID, time.Now().UnixNano()); err != nil {
				return err
			}
		}
	}
	id, secret, err := n.API.IssueHMACKey(ctx, k.Account, scopes, demoKeyLabel)
	if err != nil {
		return fmt.Errorf("node: demo key of %q: %w", name, err)
	}
	k.KeyID, k.Secret = id, secret
	return save()
}

// findAccount is the id of the first account of kind named name, 0 if
// there is none.
func (n *Node) findAccount(ctx context.Context, kind sqlstore.AccountKind, name string) (uint32, error) {
	var after uint32
	for {
		page, err := n.SQL.ListAccounts(ctx, kind, after, sqlstore.MaxPageSize)
		if err != nil {
			return 0, err
		}
		for _, a := range page {
			if a.Name == name {
				return a.ID, nil
			}
			after = a.ID
		}
		if len(page) < sqlstore.MaxPageSize {
			return 0, nil
		}
	}
}

// demoPrograms deploys the tokens not deployed yet (one batch of the
// developer key) and registers those not registered yet. A program the
// brand has already (a crash after registering) is adopted.
func (n *Node) demoPrograms(ctx context.Context, st *demoState, save func() error) error {
	var deploy []int
	for i, p := range demoPrograms {
		b := &st.Brands[i]
		if b.Asset != 0 {
			continue
		}
		progs, err := n.SQL.ListTokenPrograms(ctx, b.Account)
		if err != nil {
			return err
		}
		for _, prog := range progs {
			if prog.Symbol == p.Symbol && prog.ChainID == n.ChainID {
				b.Asset, b.Token = prog.AssetID, prog.Contract
			}
		}
		if b.Asset != 0 {
			if err := save(); err != nil {
				return err
			}
			continue
		}
		if b.Token == "" && b.DeployTx != "" {
			if err := n.demoDeployed(ctx, i, b); err != nil {
				return err
			}
			if err := save(); err != nil {
				return err
			}
		}
		if b.Token != "" {
			continue // deployed: RegisterProgram registers it, or adopts its asset
		}
		if taken, err := n.assetBySymbol(ctx, p.Symbol); err != nil {
			return err
		} else if taken != 0 {
			return fmt.Errorf("%w: asset %d is %s already and not the demo's", ErrDemoConflict, taken, p.Symbol)
		}
		deploy = append(deploy, i)
	}
	if len(deploy) > 0 {
		if err := n.demoDeploy(ctx, st, deploy, save); err != nil {
			return err
		}
	}
	for i, p := range demoPrograms {
		b := &st.Brands[i]
		if b.Asset != 0 {
			continue
		}
		asset, err := n.RegisterProgram(ctx, b.Account, common.HexToAddress(b.Token), p.Scale)
		if err != nil && !errors.Is(err, ErrAlreadyRegistered) {
			return fmt.Errorf("node: demo program %s: %w", p.Symbol, err)
		}
		b.Asset = asset
		if err := save(); err != nil {
			return err
		}
	}
	return nil
}

// demoSpec is the program of demoPrograms[i], a coupon expiring at
// expires (Unix seconds).
func (n *Node) demoSpec(i int, expires int64) tokens.ProgramSpec {
	p := demoPrograms[i]
	spec := tokens.ProgramSpec{Name: p.Name, Symbol: p.Symbol, Decimals: p.Decimals, Kind: p.Kind, Minter: n.Vault}
	if p.Kind == tokens.KindCoupon {
		spec.ExpiresAt = time.Unix(expires, 0).UTC()
	}
	return spec
}

// demoDeployWait is how long a start waits for the receipt of a
// deployment the last one sent but did not see mined, before it deploys
// again (the dev chain mines a block a second).
const demoDeployWait = 10 * time.Second

// demoDeployed looks for the receipt of b's deployment: mined, it records
// the token; reverted or never mined, it forgets the deployment, which is
// then sent again.
func (n *Node) demoDeployed(ctx context.Context, i int, b *demoBrandState) error {
	hash := common.HexToHash(b.DeployTx)
	wctx, cancel := context.WithTimeout(ctx, demoDeployWait)
	defer cancel()
	receipt, err := n.receipt(wctx, hash)
	switch {
	case err != nil && ctx.Err() != nil:
		return err
	case err != nil:
		n.log.Warn("a demo deployment was not mined; deploying again", "symbol", b.Symbol, "tx", hash, "err", err)
		b.DeployTx, b.DeployExpires = "", 0
		return nil
	}
	token, err := tokens.ProgramCreated(receipt, n.Factory, n.DevChain.DevAddress(), n.demoSpec(i, b.DeployExpires))
	if err != nil {
		n.log.Warn("a demo deployment failed; deploying again", "symbol", b.Symbol, "tx", hash, "err", err)
		b.DeployTx, b.DeployExpires = "", 0
		return nil
	}
	b.Token = strings.ToLower(token.Hex())
	return nil
}

// demoDeploy deploys the programs at the indexes through the factory, all
// in one batch of the developer key (the token's admin), with the vault
// as minter; it records each deployment before it waits for them, then
// their tokens.
func (n *Node) demoDeploy(ctx context.Context, st *demoState, which []int, save func() error) error {
	n.deployMu.Lock()
	defer n.deployMu.Unlock()
	batch, err := n.newDevBatch(ctx)
	if err != nil {
		return err
	}
	expires := time.Now().Add(demoCouponLife).Unix()
	specs := make([]tokens.ProgramSpec, len(which))
	for j, i := range which {
		b := &st.Brands[i]
		b.DeployExpires = 0
		if demoPrograms[i].Kind == tokens.KindCoupon {
			b.DeployExpires = expires
		}
		spec := n.demoSpec(i, b.DeployExpires)
		var exp uint64
		if !spec.ExpiresAt.IsZero() {
			exp = uint64(spec.ExpiresAt.Unix())
		}
		data, err := demoFactoryABI.TryPackCreateToken(spec.Name, spec.Symbol, spec.Decimals, uint8(spec.Kind), exp, spec.Minter)
		if err != nil {
			return fmt.Errorf("node: demo program %s: %w", spec.Symbol, err)
		}
		tx, err := batch.send(ctx, n.Factory, nil, data)
		if err != nil {
			return fmt.Errorf("node: deploy demo program %s: %w", spec.Symbol, err)
		}
		b.DeployTx, specs[j] = tx.Hash().Hex(), spec
	}
	if err := save(); err != nil {
		return err
	}
	receipts, err := batch.mined(ctx)
	if err != nil {
		return err
	}
	for j, i := range which {
		token, err := tokens.ProgramCreated(receipts[j], n.Factory, n.DevChain.DevAddress(), specs[j])
		if err != nil {
			return err
		}
		st.Brands[i].Token = strings.ToLower(token.Hex())
		n.log.Info("demo token deployed", "symbol", specs[j].Symbol, "token", token)
	}
	return save()
}

// demoMinters makes the developer key a minter of every demo token that
// it does not mint yet (the faucet mints gifts with it).
func (n *Node) demoMinters(ctx context.Context, st *demoState, save func() error) error {
	dev := n.DevChain.DevAddress()
	var grant []int
	changed := false
	for i := range st.Brands {
		b := &st.Brands[i]
		if b.DevMinter {
			continue
		}
		ok, err := n.isMinter(ctx, common.HexToAddress(b.Token), dev)
		if err != nil {
			return err
		}
		if ok {
			b.DevMinter, changed = true, true
			continue
		}
		grant = append(grant, i)
	}
	if !changed && len(grant) == 0 {
		return nil
	}
	if len(grant) > 0 {
		n.deployMu.Lock()
		defer n.deployMu.Unlock()
		batch, err := n.newDevBatch(ctx)
		if err != nil {
			return err
		}
		for _, i := range grant {
			if _, err := batch.send(ctx, common.HexToAddress(st.Brands[i].Token), nil, demoTokenABI.PackGrantRole(minterRole, dev)); err != nil {
				return fmt.Errorf("node: make the dev key a minter of %s: %w", st.Brands[i].Symbol, err)
			}
		}
		if _, err := batch.mined(ctx); err != nil {
			return err
		}
		for _, i := range grant {
			st.Brands[i].DevMinter = true
		}
	}
	return save()
}

// assetBySymbol is the id of the engine's asset named symbol, 0 if none.
func (n *Node) assetBySymbol(ctx context.Context, symbol string) (uint32, error) {
	var found uint32
	err := n.Sequencer.Read(ctx, func(e *engine.Engine) {
		for id := engine.AssetID(1); ; id++ {
			a, ok := e.Asset(id)
			if !ok {
				return
			}
			if a.Symbol.String() == symbol {
				found = uint32(id)
				return
			}
		}
	})
	return found, err
}

// demoMarkets marks the hub and opens the markets that are missing, and
// returns the world as the engine has it.
func (n *Node) demoMarkets(ctx context.Context, st *demoState) (*DemoWorld, error) {
	w := &DemoWorld{ChainID: n.ChainID, RPCURL: n.DevChain.RPCURL(), Vault: n.Vault, MarketMaker: st.MarketMaker.Account, mmKey: st.MarketMaker}
	var hub engine.AssetID
	for i, p := range demoPrograms {
		b := st.Brands[i]
		db := DemoBrand{Name: p.Brand, Account: b.Account, Symbol: p.Symbol, Kind: p.Kind.String(), Asset: b.Asset, Token: common.HexToAddress(b.Token), Hub: p.Hub}
		if p.Hub {
			hub, w.Hub = engine.AssetID(b.Asset), p.Symbol
		}
		w.Brands = append(w.Brands, db)
	}
	var isHub bool
	markets := map[[2]engine.AssetID]engine.MarketInfo{}
	read := func() error {
		return n.Sequencer.Read(ctx, func(e *engine.Engine) {
			if a, ok := e.Asset(hub); ok {
				isHub = a.Hub
			}
			for i := range w.Brands {
				if a, ok := e.Asset(engine.AssetID(w.Brands[i].Asset)); ok && a.ExpiresAt != 0 {
					w.Brands[i].ExpiresAt = time.Unix(0, a.ExpiresAt).UTC()
				}
			}
			for id := engine.MarketID(1); ; id++ {
				m, ok := e.Market(id)
				if !ok {
					return
				}
				markets[[2]engine.AssetID{m.Base, m.Quote}] = m
			}
		})
	}
	if err := read(); err != nil {
		return nil, err
	}
	if !isHub {
		if err := n.demoSubmit(ctx, engine.Command{Kind: engine.CmdSetHub, Asset: hub, Hub: true}); err != nil {
			return nil, err
		}
	}
	for i, p := range demoPrograms {
		if p.Hub {
			continue
		}
		base := engine.AssetID(st.Brands[i].Asset)
		if _, ok := markets[[2]engine.AssetID{hub, base}]; ok {
			return nil, fmt.Errorf("%w: a market %s-%s exists", ErrDemoConflict, w.Hub, p.Symbol)
		}
		if _, ok := markets[[2]engine.AssetID{base, hub}]; ok {
			continue
		}
		lot := int64(1)
		for range p.Scale {
			lot *= 10
		}
		if err := n.demoSubmit(ctx, engine.Command{
			Kind: engine.CmdCreateMarket, Base: base, Quote: hub, PriceScale: demoPriceScale,
			Tick: demoTick, Lot: lot, MinSize: lot, MakerBps: demoMakerBps, TakerBps: demoTakerBps,
		}); err != nil {
			return nil, err
		}
	}
	if err := read(); err != nil {
		return nil, err
	}
	for i, p := range demoPrograms {
		if p.Hub {
			continue
		}
		m, ok := markets[[2]engine.AssetID{engine.AssetID(st.Brands[i].Asset), hub}]
		if !ok {
			return nil, fmt.Errorf("node: demo market %s-%s missing after its creation", p.Symbol, w.Hub)
		}
		w.Markets = append(w.Markets, DemoMarket{
			Symbol: p.Symbol + "-" + w.Hub, ID: uint32(m.ID), Base: p.Symbol, Quote: w.Hub, PriceScale: m.PriceScale, Mid: p.Mid,
		})
	}
	return w, nil
}

// demoSubmit submits cmd and turns a rejection into an error.
func (n *Node) demoSubmit(ctx context.Context, cmd engine.Command) error {
	res, err := n.Submit(ctx, cmd)
	if err != nil {
		return fmt.Errorf("node: demo world: %s: %w", cmd.Kind, err)
	}
	for _, ev := range res.Events {
		if ev.Kind == engine.EvRejected {
			return fmt.Errorf("node: demo world: %s refused: %s", cmd.Kind, ev.Code)
		}
	}
	return nil
}

// demoStock has each brand issue the market maker its stock (once per
// brand: the reference is fixed) and waits until every issue is
// credited.
func (n *Node) demoStock(ctx context.Context, st *demoState) error {
	for i, p := range demoPrograms {
		b := st.Brands[i]
		if _, err := n.Issue(ctx, b.Account, st.MarketMaker.Account, b.Asset, p.Stock, demoStockReference+p.Symbol); err != nil {
			return fmt.Errorf("node: demo stock of %s: %w", p.Symbol, err)
		}
	}
	for i, p := range demoPrograms {
		for {
			is, err := n.Issuance(ctx, st.Brands[i].Account, demoStockReference+p.Symbol)
			if err != nil {
				return err
			}
			if is.Status == sqlstore.IssuanceCredited {
				break
			}
			if is.Status == sqlstore.IssuanceFailed {
				return fmt.Errorf("node: the demo stock of %s failed: %s", p.Symbol, is.Error)
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("node: waiting for the demo stock of %s: %w", p.Symbol, ctx.Err())
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	return nil
}

// Describe says what the demo world is, for lpx serve's banner: its
// brands and their tokens, the markets, the dev chain's JSON-RPC and
// chain id, and the faucet (at baseURL, the API's).
func (w *DemoWorld) Describe(baseURL string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "The demo world (credentials in demo.json in the data directory):\n")
	for _, br := range w.Brands {
		what := br.Kind
		switch {
		case br.Hub:
			what += ", the hub that swaps route through"
		case !br.ExpiresAt.IsZero():
			what += ", expiring " + br.ExpiresAt.Format(time.DateOnly)
		}
		fmt.Fprintf(&b, "  %-14s account %-3d %-7s token %s (%s)\n", br.Name, br.Account, br.Symbol, br.Token.Hex(), what)
	}
	for _, m := range w.Markets {
		fmt.Fprintf(&b, "  market %-12s quoted by the demo market maker (account %d) around %s %s\n", m.Symbol, w.MarketMaker, m.Mid, m.Quote)
	}
	fmt.Fprintf(&b, "  dev chain: JSON-RPC %s, chain id %d (add it to a browser wallet)\n", w.RPCURL, w.ChainID)
	fmt.Fprintf(&b, "  faucet: POST %s/v1/demo/faucet {\"address\":\"0x...\"} gives a wallet gas and demo tokens\n", baseURL)
	return b.String()
}
