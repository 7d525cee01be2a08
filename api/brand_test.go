package api_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/lpx-exchange/lpx/internal/apitest"
)

type programAnswer struct {
	Asset          string  `json:"asset"`
	AssetID        string  `json:"asset_id"`
	Name           string  `json:"name"`
	Kind           string  `json:"kind"`
	Token          string  `json:"token"`
	ChainID        string  `json:"chain_id"`
	Decimals       int     `json:"decimals"`
	Scale          int     `json:"scale"`
	ExpiresAt      *string `json:"expires_at"`
	CreatedAt      string  `json:"created_at"`
	TotalSupply    *string `json:"total_supply"`
	TotalSupplyRaw *string `json:"total_supply_raw"`
}

type issuanceAnswer struct {
	Reference string `json:"reference"`
	Customer  string `json:"customer"`
	Asset     string `json:"asset"`
	Amount    string `json:"amount"`
	Status    string `json:"status"`
	TxHash    string `json:"tx_hash"`
	CreatedAt string `json:"created_at"`
}

type redemptionAnswer struct {
	ID        string  `json:"id"`
	Account   string  `json:"account"`
	Asset     string  `json:"asset"`
	Amount    string  `json:"amount"`
	Receipt   string  `json:"receipt"`
	Status    string  `json:"status"`
	CreatedAt string  `json:"created_at"`
	SettledAt *string `json:"settled_at"`
}

type redemptionsPage struct {
	Redemptions []redemptionAnswer `json:"redemptions"`
	NextCursor  *string            `json:"next_cursor"`
}

type liabilityAnswer struct {
	Asset             string  `json:"asset"`
	Issued            string  `json:"issued"`
	Deposited         string  `json:"deposited"`
	Withdrawn         string  `json:"withdrawn"`
	HeldByCustomers   string  `json:"held_by_customers"`
	HeldByBrand       string  `json:"held_by_brand"`
	RedeemedPending   string  `json:"redeemed_pending"`
	RedeemedFulfilled string  `json:"redeemed_fulfilled"`
	Expired           string  `json:"expired"`
	ChainSupply       *string `json:"chain_supply"`
	ChainSupplySeq    *string `json:"chain_supply_seq"`
	ChainSupplyAt     *string `json:"chain_supply_at"`
}

// TestBrandJourney, on the dev chain: an operator creates a brand (with a
// key) and customers; the brand creates a points and a coupon program
// (deployed through the factory), issues to customers by reference (a repeat
// issues nothing), a customer redeems twice, the brand fulfils one and
// rejects the other (another brand cannot touch them), and the
// liabilities add up to the token's supply on chain once the fulfilled
// redemption is burned.
func TestBrandJourney(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{Chain: true})
	ch := newFundsChain(t, env)
	brand, _ := fundsAccount(t, env, "brand", "Acme", "read", "trade", "withdraw", "issue")
	other, _ := fundsAccount(t, env, "brand", "Beta", "read", "issue")
	cara, caraID := fundsAccount(t, env, "consumer", "Cara", "read", "trade", "withdraw")
	dan, danID := fundsAccount(t, env, "consumer", "Dan", "read", "trade")
	caraStr, danStr := strconv.FormatUint(uint64(caraID), 10), strconv.FormatUint(uint64(danID), 10)

	// Programs: deployed through the dev chain's factory; the vault mints.
	var points, coupon programAnswer
	env.Do(brand, "POST", "/v1/brand/programs", map[string]any{"name": "Acme points", "symbol": "ACME", "kind": "points", "decimals": 18, "scale": 2}, &points)
	if points.Asset != "ACME" || points.Kind != "points" || points.Decimals != 18 || points.Scale != 2 || points.ExpiresAt != nil ||
		points.ChainID != strconv.FormatUint(env.Node.ChainID, 10) || !common.IsHexAddress(points.Token) {
		t.Fatalf("points program %+v", points)
	}
	expires := time.Now().Add(2 * time.Hour).UTC().Truncate(time.Second)
	env.Do(brand, "POST", "/v1/brand/programs", map[string]any{"name": "Acme coupon", "symbol": "ACME.C", "kind": "coupon", "decimals": 0, "scale": 0, "expires_at": expires.Format(time.RFC3339)}, &coupon)
	if coupon.Kind != "coupon" || coupon.ExpiresAt == nil || *coupon.ExpiresAt != expires.Format(time.RFC3339) {
		t.Fatalf("coupon program %+v", coupon)
	}
	env.Fails(brand, "POST", "/v1/brand/programs", map[string]any{"name": "Again", "symbol": "ACME", "kind": "points", "decimals": 18, "scale": 2}, 409, "duplicate_asset")
	env.Fails(brand, "POST", "/v1/brand/programs/register", map[string]any{"token": points.Token, "scale": 2}, 409, "already_registered")

	// Issues, by the brand's reference.
	issue := map[string]any{"customer": caraStr, "asset": "ACME", "amount": "25.00", "reference": "welcome:cara"}
	var first, again issuanceAnswer
	env.Do(brand, "POST", "/v1/brand/issues", issue, &first)
	if first.Reference != "welcome:cara" || first.Customer != caraStr || first.Asset != "ACME" || first.Amount != "25.00" || first.Status == "failed" {
		t.Fatalf("issue %+v", first)
	}
	status, _, _, err := brand.Raw(t.Context(), "POST", "/v1/brand/issues", nil, mustJSON(t, issue))
	if err != nil || status != http.StatusOK {
		t.Fatalf("a repeat of the reference: %d %v, want 200", status, err)
	}
	env.Do(brand, "POST", "/v1/brand/issues", issue, &again)
	if again.Reference != first.Reference || again.Amount != first.Amount || again.CreatedAt != first.CreatedAt {
		t.Fatalf("repeat %+v, first %+v", again, first)
	}
	env.Fails(brand, "POST", "/v1/brand/issues", map[string]any{"customer": caraStr, "asset": "ACME", "amount": "30", "reference": "welcome:cara"}, 409, "reference_reused")
	env.Fails(other, "POST", "/v1/brand/issues", map[string]any{"customer": caraStr, "asset": "ACME", "amount": "1", "reference": "x"}, 403, "not_brands_asset")
	// With an Idempotency-Key too: the second answer is the first's.
	idem := http.Header{"Idempotency-Key": []string{"dan-1"}}
	danIssue := mustJSON(t, map[string]any{"customer": danStr, "asset": "ACME", "amount": "10", "reference": "welcome:dan"})
	s1, _, b1, err := brand.Raw(t.Context(), "POST", "/v1/brand/issues", idem, danIssue)
	if err != nil || s1 != http.StatusCreated {
		t.Fatalf("issue to dan: %d %s %v", s1, b1, err)
	}
	s2, h2, b2, err := brand.Raw(t.Context(), "POST", "/v1/brand/issues", idem, danIssue)
	if err != nil || s2 != s1 || string(b2) != string(b1) || h2.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replayed issue: %d %s %v, want %d %s", s2, b2, err, s1, b1)
	}
	env.Do(brand, "POST", "/v1/brand/issues", map[string]any{"customer": caraStr, "asset": "ACME.C", "amount": "3", "reference": "coupon-1"}, nil)
	for _, ref := range []string{"welcome:cara", "welcome:dan", "coupon-1"} {
		var is issuanceAnswer
		fundsWait(t, "issue "+ref+" credited", func() bool {
			env.Do(brand, "GET", "/v1/brand/issues/"+ref, nil, &is)
			if is.Status == "failed" {
				t.Fatalf("issue %s failed: %+v", ref, is)
			}
			return is.Status == "credited"
		})
		if is.TxHash == "" {
			t.Fatalf("credited issue without its mint: %+v", is)
		}
	}
	env.Fails(brand, "GET", "/v1/brand/issues/nope", nil, 404, "not_found")
	env.Fails(other, "GET", "/v1/brand/issues/coupon-1", nil, 404, "not_found")
	if a, _ := fundsBalance(t, env, caraID, "ACME"); a != 25_00 {
		t.Fatalf("cara holds %d ACME units after a repeated issue, want 2500", a)
	}
	// One mint per reference: the supply is 25 + 10.
	var progs struct{ Programs []programAnswer }
	env.Do(brand, "GET", "/v1/brand/programs", nil, &progs)
	if len(progs.Programs) != 2 || progs.Programs[0].Asset != "ACME" || *progs.Programs[0].TotalSupply != "35.00" ||
		*progs.Programs[0].TotalSupplyRaw != fundsTokens(35, 0).String() || *progs.Programs[1].TotalSupply != "3" {
		t.Fatalf("programs %+v", progs)
	}

	// Cara redeems twice.
	var r1, r2 redemptionAnswer
	env.Do(cara, "POST", "/v1/redemptions", map[string]any{"asset": "ACME", "amount": "4"}, &r1)
	env.Do(cara, "POST", "/v1/redemptions", map[string]any{"asset": "ACME", "amount": "2.50"}, &r2)
	if r1.Status != "pending" || r1.Amount != "4.00" || r1.Account != caraStr || len(r1.Receipt) != 9 || r1.SettledAt != nil || r2.ID == r1.ID || r2.Receipt == r1.Receipt {
		t.Fatalf("redemptions %+v, %+v", r1, r2)
	}
	env.Fails(cara, "POST", "/v1/redemptions", map[string]any{"asset": "ACME", "amount": "18.51"}, 422, "insufficient_balance")
	var mine redemptionsPage
	fundsWait(t, "cara's redemptions listed", func() bool {
		env.Do(cara, "GET", "/v1/redemptions", nil, &mine)
		return len(mine.Redemptions) == 2
	})
	if mine.Redemptions[0].ID != r2.ID || mine.Redemptions[1].Receipt != r1.Receipt {
		t.Fatalf("cara's redemptions %+v", mine)
	}
	var dans redemptionsPage
	env.Do(dan, "GET", "/v1/redemptions", nil, &dans)
	if len(dans.Redemptions) != 0 {
		t.Fatalf("dan sees redemptions: %+v", dans)
	}
	var pending redemptionsPage
	env.Do(brand, "GET", "/v1/brand/redemptions?status=pending&limit=1", nil, &pending)
	if len(pending.Redemptions) != 1 || pending.Redemptions[0].ID != r2.ID || pending.NextCursor == nil {
		t.Fatalf("the brand's pending redemptions, page 1: %+v", pending)
	}
	env.Do(brand, "GET", "/v1/brand/redemptions?status=pending&limit=1&cursor="+*pending.NextCursor, nil, &pending)
	if len(pending.Redemptions) != 1 || pending.Redemptions[0].ID != r1.ID || pending.NextCursor != nil {
		t.Fatalf("the brand's pending redemptions, page 2: %+v", pending)
	}
	var others redemptionsPage
	env.Do(other, "GET", "/v1/brand/redemptions", nil, &others)
	if len(others.Redemptions) != 0 {
		t.Fatalf("another brand sees redemptions: %+v", others)
	}

	// Another brand's fulfilment of them is a 404; the brand settles them.
	env.Fails(other, "POST", "/v1/brand/redemptions/"+r1.ID+"/fulfil", nil, 404, "not_found")
	env.Fails(other, "POST", "/v1/brand/redemptions/"+r2.ID+"/reject", nil, 404, "not_found")
	var done redemptionAnswer
	env.Do(brand, "POST", "/v1/brand/redemptions/"+r1.ID+"/fulfil", nil, &done)
	if done.Status != "fulfilled" || done.ID != r1.ID || done.Receipt != r1.Receipt || done.SettledAt == nil || done.CreatedAt != r1.CreatedAt {
		t.Fatalf("fulfilled %+v (created %+v)", done, r1)
	}
	env.Do(brand, "POST", "/v1/brand/redemptions/"+r2.ID+"/reject", nil, &done)
	if done.Status != "rejected" || done.Amount != "2.50" {
		t.Fatalf("rejected %+v", done)
	}
	env.Fails(brand, "POST", "/v1/brand/redemptions/"+r1.ID+"/reject", nil, 409, "redemption_settled")
	if a, _ := fundsBalance(t, env, caraID, "ACME"); a != 21_00 {
		t.Fatalf("cara holds %d ACME units, want 2100 (25 - 4 fulfilled; 2.50 refunded)", a)
	}
	fundsWait(t, "the settled redemptions listed", func() bool {
		var f, r redemptionsPage
		env.Do(brand, "GET", "/v1/brand/redemptions?status=fulfilled&asset=ACME", nil, &f)
		env.Do(brand, "GET", "/v1/brand/redemptions?status=rejected", nil, &r)
		return len(f.Redemptions) == 1 && f.Redemptions[0].ID == r1.ID && len(r.Redemptions) == 1 && r.Redemptions[0].ID == r2.ID
	})

	// Liabilities: the fulfilled 4.00 is burned from the vault, and the
	// supply reported after it matches what customers hold.
	var ls struct {
		Seq         string            `json:"seq"`
		Liabilities []liabilityAnswer `json:"liabilities"`
	}
	fundsWait(t, "the burn reported", func() bool {
		env.Do(brand, "GET", "/v1/brand/liabilities", nil, &ls)
		return len(ls.Liabilities) == 2 && ls.Liabilities[0].ChainSupply != nil && *ls.Liabilities[0].ChainSupply == "31.00"
	})
	want := liabilityAnswer{
		Asset: "ACME", Issued: "35.00", Deposited: "0.00", Withdrawn: "0.00", HeldByCustomers: "31.00", HeldByBrand: "0.00",
		RedeemedPending: "0.00", RedeemedFulfilled: "4.00", Expired: "0.00",
	}
	got := ls.Liabilities[0]
	if got.ChainSupplySeq == nil || got.ChainSupplyAt == nil {
		t.Fatalf("supply report without seq or time: %+v", got)
	}
	got.ChainSupply, got.ChainSupplySeq, got.ChainSupplyAt = nil, nil, nil
	if got != want {
		t.Fatalf("ACME liabilities %+v, want %+v", got, want)
	}
	if c := ls.Liabilities[1]; c.Asset != "ACME.C" || c.Issued != "3" || c.HeldByCustomers != "3" || c.ChainSupply == nil || *c.ChainSupply != "3" {
		t.Fatalf("coupon liabilities %+v", c)
	}
	if seq, err := strconv.ParseUint(ls.Seq, 10, 64); err != nil || seq == 0 {
		t.Fatalf("liabilities as of seq %q", ls.Seq)
	}
	// On chain: the supply is what is outstanding.
	supply := ch.supply(common.HexToAddress(points.Token))
	if supply.Cmp(fundsTokens(31, 0)) != 0 {
		t.Fatalf("ACME supply on chain %v, want 31 tokens", supply)
	}
	env.Do(brand, "GET", "/v1/brand/programs", nil, &progs)
	if *progs.Programs[0].TotalSupply != "31.00" {
		t.Fatalf("programs after the burn %+v", progs.Programs[0])
	}
}
