package node_test

import (
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"

	"github.com/lpx-exchange/lpx/cmd/lpx/node"
	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/store/sqlstore"
	"github.com/lpx-exchange/lpx/tokens"
	"github.com/lpx-exchange/lpx/tokens/bindings"
)

// progDeployDirect deploys a LoyaltyToken (points) without the factory,
// admin brand and minter minter.
func progDeployDirect(c *chainHelper, brand chainKey, symbol string, minter common.Address) common.Address {
	c.t.Helper()
	opts := bind.NewKeyedTransactor(brand.key, c.id)
	opts.Context = c.t.Context()
	addr, tx, err := bind.DeployContract(opts, common.FromHex(bindings.LoyaltyTokenMetaData.Bin), c.client,
		tokenABI.PackConstructor(symbol+" points", symbol, 18, 0, 0, brand.addr, minter))
	if err != nil {
		c.t.Fatal(err)
	}
	c.mined(tx)
	return addr
}

// progAssetExists reports whether the engine has asset (through the SQL
// history).
func progAssetExists(t *testing.T, n running, asset uint32, symbol string) bool {
	t.Helper()
	assets, err := n.SQL.Assets(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range assets {
		if a.ID == asset {
			return a.Symbol == symbol
		}
	}
	return false
}

// TestEmbeddedProgramCreateRegisterAndBurn: CreateProgram deploys and
// registers a token; RegisterProgram registers one deployed directly and
// refuses an EOA; then an issue, a redemption and its fulfilment end in a
// burn of exactly the redeemed raw amount from the vault.
func TestEmbeddedProgramCreateRegisterAndBurn(t *testing.T) {
	ctx := t.Context()
	n := run(t, node.Config{DataDir: t.TempDir()})
	c := newChainHelper(t, n)
	brandKey := newChainKey(t)
	c.fundFromDevChain(brandKey.addr, ether)
	brand := c.newAccount(sqlstore.AccountBrand)
	customer := c.newAccount(sqlstore.AccountConsumer)

	// Refusals before anything is deployed.
	if _, _, err := n.CreateProgram(ctx, customer, brandKey.key, tokens.ProgramSpec{Name: "X", Symbol: "X", Decimals: 18}, 2); !errors.Is(err, node.ErrNotABrand) {
		t.Errorf("a customer's program: %v, want ErrNotABrand", err)
	}
	if _, _, err := n.CreateProgram(ctx, brand, brandKey.key, tokens.ProgramSpec{Name: "x", Symbol: "lower", Decimals: 18}, 2); !errors.Is(err, node.ErrBadSymbol) {
		t.Errorf("a lower-case symbol: %v, want ErrBadSymbol", err)
	}
	if _, _, err := n.CreateProgram(ctx, brand, brandKey.key, tokens.ProgramSpec{Name: "x", Symbol: "X", Decimals: 1}, 2); !errors.Is(err, node.ErrBadScale) {
		t.Errorf("scale above decimals: %v, want ErrBadScale", err)
	}

	began := time.Now()
	asset, token, err := n.CreateProgram(ctx, brand, brandKey.key, tokens.ProgramSpec{Name: "Acme points", Symbol: "ACME", Decimals: 18, Kind: tokens.KindPoints}, 2)
	if err != nil {
		t.Fatalf("CreateProgram: %v", err)
	}
	t.Logf("program created in %v", time.Since(began).Round(time.Millisecond))
	info, err := tokens.InspectToken(ctx, n.Chain, token)
	if err != nil || info.Symbol != "ACME" || info.Decimals != 18 || info.Kind != tokens.KindPoints {
		t.Fatalf("the token on chain: %+v, %v", info, err)
	}
	prog, err := n.SQL.TokenProgram(ctx, asset)
	if err != nil || prog.Brand != brand || prog.Contract != strings.ToLower(token.Hex()) || prog.Scale != 2 || prog.Decimals != 18 ||
		prog.Kind != sqlstore.ProgramPoints || prog.ChainID != n.ChainID || prog.Name != "Acme points" {
		t.Fatalf("program %+v, %v", prog, err)
	}
	waitFor(t, "the asset in the history", func() bool { return progAssetExists(t, n, asset, "ACME") })
	if again, err := n.RegisterProgram(ctx, brand, token, 2); !errors.Is(err, node.ErrAlreadyRegistered) || again != asset {
		t.Errorf("register again: %d, %v; want %d and ErrAlreadyRegistered", again, err, asset)
	}

	// A LoyaltyToken deployed without the factory.
	direct := progDeployDirect(c, brandKey, "DIRECT", n.Vault)
	directAsset, err := n.RegisterProgram(ctx, brand, direct, 4)
	if err != nil {
		t.Fatalf("RegisterProgram of a direct deployment: %v", err)
	}
	if p, err := n.SQL.TokenProgram(ctx, directAsset); err != nil || p.Symbol != "DIRECT" || p.Scale != 4 || directAsset == asset {
		t.Fatalf("direct program %+v, %v", p, err)
	}

	// An EOA: unknown token contract, nothing registered.
	before, err := n.SQL.ListTokenPrograms(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.RegisterProgram(ctx, brand, brandKey.addr, 2); !errors.Is(err, tokens.ErrNotAContract) {
		t.Fatalf("register an EOA: %v, want ErrNotAContract", err)
	}
	if after, err := n.SQL.ListTokenPrograms(ctx, 0); err != nil || len(after) != len(before) {
		t.Fatalf("programs after the EOA: %d, %v; want %d", len(after), err, len(before))
	}

	// Issue 10.00, redeem 4.00, fulfil: the vault burns 4.00 worth.
	if _, err := n.Issue(ctx, brand, customer, asset, "10.00", "prog-1"); err != nil {
		t.Fatal(err)
	}
	c.waitBalance(customer, asset, 1000, 0)
	minted := new(big.Int).Mul(big.NewInt(10), ether)
	if got := c.tokenBalance(token, n.Vault); got.Cmp(minted) != 0 {
		t.Fatalf("vault holds %v after the issue, want %v", got, minted)
	}
	evs := n.must(t, engine.Command{Kind: engine.CmdRedeem, Account: engine.AccountID(customer), Asset: engine.AssetID(asset), Amount: 400})
	var redemption engine.RedemptionID
	for _, ev := range evs {
		if ev.Kind == engine.EvRedemptionCreated {
			redemption = ev.Redemption
		}
	}
	if redemption == 0 {
		t.Fatalf("no redemption created: %+v", evs)
	}
	// Pending: nothing is burned.
	time.Sleep(1500 * time.Millisecond)
	if _, err := n.SQL.BurnOfRedemption(ctx, uint64(redemption)); !errors.Is(err, sqlstore.ErrNotFound) {
		t.Fatalf("a pending redemption in a burn: %v", err)
	}
	n.must(t, engine.Command{Kind: engine.CmdFulfilRedemption, Account: engine.AccountID(brand), Redemption: redemption})
	waitFor(t, "the redemption fulfilled in the history", func() bool {
		r, err := n.SQL.Redemption(ctx, uint64(redemption))
		return err == nil && r.Status == sqlstore.RedemptionFulfilled
	})
	var burn sqlstore.Burn
	waitFor(t, "the burn confirmed", func() bool {
		id, err := n.SQL.BurnOfRedemption(ctx, uint64(redemption))
		if err != nil {
			return false
		}
		burn, err = n.SQL.Burn(ctx, id)
		return err == nil && burn.Status == sqlstore.BurnBurned
	})
	burned := new(big.Int).Mul(big.NewInt(4), ether)
	if burn.Asset != asset || burn.TotalRaw.Cmp(burned) != 0 || len(burn.Redemptions) != 1 || burn.Redemptions[0] != uint64(redemption) || !burn.HasNonce {
		t.Fatalf("burn %+v", burn)
	}
	left := new(big.Int).Sub(minted, burned)
	if got := c.tokenBalance(token, n.Vault); got.Cmp(left) != 0 {
		t.Fatalf("vault holds %v after the burn, want %v", got, left)
	}
	if got := issSupply(c, token); got.Cmp(left) != 0 {
		t.Fatalf("supply %v after the burn, want %v", got, left)
	}

	// A few passes later: nothing more burned.
	time.Sleep(2500 * time.Millisecond)
	for _, st := range []sqlstore.BurnStatus{sqlstore.BurnPending, sqlstore.BurnBurning, sqlstore.BurnFailed} {
		if list, err := n.SQL.ListBurnsByStatus(ctx, st, 10); err != nil || len(list) != 0 {
			t.Fatalf("%s burns: %+v, %v", st, list, err)
		}
	}
	if list, err := n.SQL.ListBurnsByStatus(ctx, sqlstore.BurnBurned, 10); err != nil || len(list) != 1 {
		t.Fatalf("burned burns: %+v, %v", list, err)
	}
	if got := c.tokenBalance(token, n.Vault); got.Cmp(left) != 0 {
		t.Fatalf("vault holds %v after more passes, want %v", got, left)
	}
}
