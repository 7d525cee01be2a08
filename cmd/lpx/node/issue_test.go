package node_test

import (
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/lpx-exchange/lpx/cmd/lpx/node"
	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/store/sqlstore"
	"github.com/lpx-exchange/lpx/tokens"
)

// issCreatePoints has brand create a points token through factory with
// minter holding MINTER_ROLE, and returns its address.
func issCreatePoints(c *chainHelper, factory common.Address, brand chainKey, symbol string, decimals uint8, minter common.Address) common.Address {
	c.t.Helper()
	r := c.send(brand, factory, factoryABI, factoryABI.PackCreateToken(symbol+" points", symbol, decimals, 0, 0, minter))
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

// issSupply reads token's totalSupply.
func issSupply(c *chainHelper, token common.Address) *big.Int {
	c.t.Helper()
	out, err := c.client.CallContract(c.t.Context(), ethereum.CallMsg{To: &token, Data: tokenABI.PackTotalSupply()}, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	s, err := tokenABI.UnpackTotalSupply(out)
	if err != nil {
		c.t.Fatal(err)
	}
	return s
}

// TestEmbeddedIssueMintsToVaultThenCredits: a brand's issue is minted to
// the vault and credited to the customer only once the mint is confirmed;
// a repeat of the reference mints and credits nothing; another brand's
// asset is refused; the token's supply reaches the engine.
func TestEmbeddedIssueMintsToVaultThenCredits(t *testing.T) {
	ctx := t.Context()
	n := run(t, node.Config{DataDir: t.TempDir()})
	c := newChainHelper(t, n)
	brandKey := newChainKey(t)
	c.fundFromDevChain(brandKey.addr, ether)
	token := issCreatePoints(c, n.Factory, brandKey, "ACME", 18, n.Vault)
	other := issCreatePoints(c, n.Factory, brandKey, "BETA", 18, n.Vault)

	brand := c.newAccount(sqlstore.AccountBrand)
	otherBrand := c.newAccount(sqlstore.AccountBrand)
	customer := c.newAccount(sqlstore.AccountConsumer)
	asset := c.registerPoints(brand, token, "ACME", 18, 2)
	otherAsset := c.registerPoints(otherBrand, other, "BETA", 18, 2)

	sub := n.Sequencer.Subscribe(4096)
	defer sub.Close()

	began := time.Now()
	is, err := n.Issue(ctx, brand, customer, asset, "25.00", "campaign-1")
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	raw := new(big.Int).Mul(big.NewInt(25), ether)
	if is.Amount != 2500 || is.AmountRaw.Cmp(raw) != 0 || is.Customer != customer || is.Status == sqlstore.IssuanceCredited {
		t.Fatalf("issuance %+v", is)
	}
	// Not credited before the mint is confirmed: no block has mined it yet.
	if a, h, err := n.Balance(ctx, customer, asset); err != nil || a != 0 || h != 0 {
		t.Fatalf("balance right after Issue: %d, %d, %v; want nothing before the mint", a, h, err)
	}
	waitFor(t, "the mint signed", func() bool {
		row, err := n.Issuance(ctx, brand, "campaign-1")
		return err == nil && row.Status != sqlstore.IssuancePending
	})
	c.waitBalance(customer, asset, 2500, 0)
	t.Logf("issue credited after %v", time.Since(began).Round(time.Millisecond))
	row, err := n.Issuance(ctx, brand, "campaign-1")
	if err != nil || row.Status != sqlstore.IssuanceCredited || !row.HasNonce || row.TxHash == "" || !row.HasLogIndex || row.CreditedSeq == 0 {
		t.Fatalf("credited row %+v, %v", row, err)
	}
	if got := c.tokenBalance(token, n.Vault); got.Cmp(raw) != 0 {
		t.Fatalf("vault holds %v, want %v", got, raw)
	}

	// A repeat of the reference returns the same issuance: no second mint.
	again, err := n.Issue(ctx, brand, customer, asset, "25.00", "campaign-1")
	if err != nil || again.TxHash != row.TxHash || again.Status != sqlstore.IssuanceCredited {
		t.Fatalf("repeat: %+v, %v", again, err)
	}
	if _, err := n.Issue(ctx, brand, customer, asset, "30", "campaign-1"); !errors.Is(err, node.ErrReferenceReused) {
		t.Errorf("the reference for another amount: %v, want ErrReferenceReused", err)
	}
	// Refusals store nothing.
	for name, tc := range map[string]struct {
		brand, customer, asset uint32
		amount, ref            string
		want                   error
	}{
		"another brand's asset": {brand, customer, otherAsset, "1", "x1", node.ErrNotBrandsAsset},
		"unknown asset":         {brand, customer, 999, "1", "x2", node.ErrUnknownToken},
		"unknown customer":      {brand, 9999, asset, "1", "x3", node.ErrUnknownCustomer},
		"too many decimals":     {brand, customer, asset, "1.001", "x4", tokens.ErrTooManyDecimals},
		"zero":                  {brand, customer, asset, "0", "x5", tokens.ErrBadAmount},
		"no reference":          {brand, customer, asset, "1", "", node.ErrBadReference},
	} {
		if _, err := n.Issue(ctx, tc.brand, tc.customer, tc.asset, tc.amount, tc.ref); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
		if tc.ref != "" {
			if _, err := n.Issuance(ctx, tc.brand, tc.ref); !errors.Is(err, sqlstore.ErrNotFound) {
				t.Errorf("%s: stored: %v", name, err)
			}
		}
	}

	// The supply reporter tells the engine the token's supply after the mint.
	waitFor(t, "the supply reported", func() bool {
		for {
			select {
			case b, ok := <-sub.C:
				if !ok {
					t.Fatal("subscription closed")
				}
				for _, ev := range b.Events {
					if ev.Kind == engine.EvSupplyReported && ev.Asset == engine.AssetID(asset) && ev.Amount == 2500 {
						return true
					}
				}
			default:
				return false
			}
		}
	})

	// A few passes later: still one mint, one credit.
	time.Sleep(2500 * time.Millisecond)
	if a, _, err := n.Balance(ctx, customer, asset); err != nil || a != 2500 {
		t.Fatalf("balance after the repeat: %d, %v", a, err)
	}
	if got := issSupply(c, token); got.Cmp(raw) != 0 {
		t.Fatalf("supply %v after a repeat, want %v (one mint)", got, raw)
	}
}

// TestEmbeddedIssueSurvivesRestart: a node stopped once the mint is
// stored credits it after it is opened again, from the stored bytes.
func TestEmbeddedIssueSurvivesRestart(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	n := run(t, node.Config{DataDir: dir})
	c := newChainHelper(t, n)
	brandKey := newChainKey(t)
	c.fundFromDevChain(brandKey.addr, ether)
	token := issCreatePoints(c, n.Factory, brandKey, "ACME", 18, n.Vault)
	brand := c.newAccount(sqlstore.AccountBrand)
	customer := c.newAccount(sqlstore.AccountConsumer)
	asset := c.registerPoints(brand, token, "ACME", 18, 2)

	if _, err := n.Issue(ctx, brand, customer, asset, "7.5", "r-1"); err != nil {
		t.Fatal(err)
	}
	var stored sqlstore.Issuance
	waitFor(t, "the mint stored", func() bool {
		var err error
		stored, err = n.Issuance(ctx, brand, "r-1")
		return err == nil && stored.Status != sqlstore.IssuancePending
	})
	n.stop()

	again := run(t, node.Config{DataDir: dir})
	c = newChainHelper(t, again)
	c.waitBalance(customer, asset, 750, 0)
	row, err := again.Issuance(ctx, brand, "r-1")
	if err != nil || row.Status != sqlstore.IssuanceCredited || row.TxHash != stored.TxHash {
		t.Fatalf("after the restart: %+v, %v; the stored mint was %s", row, err, stored.TxHash)
	}
	if got, want := issSupply(c, token), new(big.Int).Mul(big.NewInt(75), new(big.Int).Div(ether, big.NewInt(10))); got.Cmp(want) != 0 {
		t.Fatalf("supply %v, want %v (one mint)", got, want)
	}
}
