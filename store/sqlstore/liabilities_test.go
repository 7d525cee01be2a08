package sqlstore

import (
	"context"
	"errors"
	"testing"

	"github.com/lpx-exchange/lpx/history"
)

// TestLiabilitiesHistory: ledger entries written by the history
// projection add up, interval by interval, to the running totals; what
// precedes from is carried into the first point; other assets and the
// brand's own balance do not count; a coupon's refunds after its expiry
// are breakage, as the engine counts them; bad ranges are ErrInvalid.
func TestLiabilitiesHistory(t *testing.T) {
	const (
		hour  = int64(3600e9)
		asset = 5
		brand = 9
		alice = 11
		bob   = 12
	)
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		e := func(seq uint64, acct uint32, a uint32, avail, held int64, reason string, at int64) history.LedgerEntry {
			return history.LedgerEntry{Seq: seq, Account: acct, Asset: a, AvailableDelta: avail, HeldDelta: held,
				Reason: reason, Time: at}
		}
		entries := []history.LedgerEntry{
			e(1, alice, asset, 1000, 0, "issue", 0*hour+5),      // hour 0: issue 1000 to alice
			e(2, bob, asset, 500, 0, "issue", 1*hour+1),         // hour 1: issue 500 to bob
			e(3, brand, asset, 70, 0, "issue", 1*hour+2),        // the brand issues to itself: not a customer's
			e(4, alice, asset, -200, 0, "redemption", 2*hour+7), // hour 2: alice redeems 200
			e(5, alice, asset, -100, 100, "order", 2*hour+8),    // a hold: no change in total
			e(6, bob, asset, -50, 0, "trade", 3*hour),           // hour 3: bob pays the brand 50 on a trade
			e(6, brand, asset, 50, 0, "trade", 3*hour),
			e(7, alice, asset, 200, 0, "redemption_refund", 3*hour+9), // rejected
			e(8, alice, 6, 999, 0, "issue", 3*hour+9),                 // another asset
			e(9, alice, asset, -900, -100, "breakage", 5*hour),        // hour 5: expiry takes all
			e(9, bob, asset, -450, 0, "breakage", 5*hour),
			e(10, bob, asset, 1, 0, "issue", 9*hour), // after the range
		}
		for i, le := range entries {
			b := &history.Batch{First: uint64(i + 1), Seq: uint64(i + 1), Ledger: []history.LedgerEntry{le}}
			b.Ledger[0].Seq = uint64(i + 1)
			if err := db.ApplyHistory(ctx, "sql", b); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.LiabilitiesHistory(ctx, asset, brand, hour, 1*hour+30, 6*hour)
		if err != nil {
			t.Fatal(err)
		}
		want := []LiabilityPoint{
			{Time: 1 * hour, Issued: 1570, HeldByCustomers: 1500},
			{Time: 2 * hour, Issued: 1570, HeldByCustomers: 1300, Redeemed: 200},
			{Time: 3 * hour, Issued: 1570, HeldByCustomers: 1450, Redeemed: 0},
			{Time: 4 * hour, Issued: 1570, HeldByCustomers: 1450, Redeemed: 0},
			{Time: 5 * hour, Issued: 1570, HeldByCustomers: 0, Redeemed: 0, Expired: 1450},
		}
		if len(got) != len(want) {
			t.Fatalf("%d points, want %d: %+v", len(got), len(want), got)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("point %d = %+v, want %+v", i, got[i], want[i])
			}
		}
		// A coupon expiring at hour 5: a withdrawal and a redemption still
		// pending then are refunded to breakage (the withdrawal's hold
		// leaves; the redemption changes no balance).
		const coupon = 8
		seq := uint64(len(entries))
		apply := func(b history.Batch) {
			seq++
			b.First, b.Seq = seq, seq
			for i := range b.Ledger {
				b.Ledger[i].Seq, b.Ledger[i].Idx = seq, uint32(i)
			}
			if err := db.ApplyHistory(ctx, "sql", &b); err != nil {
				t.Fatal(err)
			}
		}
		apply(history.Batch{Assets: []history.Asset{{ID: coupon, Symbol: "CUP", Kind: "coupon", BrandID: brand, ExpiresAt: 5 * hour, Seq: seq + 1}}})
		apply(history.Batch{Ledger: []history.LedgerEntry{e(0, alice, coupon, 10, 0, "issue", 1)}})
		apply(history.Batch{Ledger: []history.LedgerEntry{e(0, alice, coupon, -3, 0, "redemption", 1*hour)},
			Redemptions: []history.Redemption{{ID: 1, Account: alice, Asset: coupon, Amount: 3, Receipt: "R1", Seq: seq + 1, Time: 1 * hour}}})
		apply(history.Batch{Ledger: []history.LedgerEntry{e(0, alice, coupon, -2, 2, "withdrawal", 1*hour+1)}})
		apply(history.Batch{Ledger: []history.LedgerEntry{e(0, alice, coupon, -5, 0, "breakage", 5*hour)}})
		apply(history.Batch{RedemptionUpdates: []history.RedemptionUpdate{{ID: 1, Status: "rejected", Seq: seq + 1, Time: 6 * hour}}})
		apply(history.Batch{Ledger: []history.LedgerEntry{e(0, alice, coupon, 0, -2, "withdrawal_refund", 6*hour+1)}})
		got, err = db.LiabilitiesHistory(ctx, coupon, brand, hour, 4*hour, 7*hour)
		if err != nil {
			t.Fatal(err)
		}
		want = []LiabilityPoint{
			{Time: 4 * hour, Issued: 10, HeldByCustomers: 7, Redeemed: 3},
			{Time: 5 * hour, Issued: 10, HeldByCustomers: 2, Redeemed: 3, Expired: 5},
			{Time: 6 * hour, Issued: 10, HeldByCustomers: 0, Redeemed: 0, Expired: 10},
		}
		if len(got) != len(want) {
			t.Fatalf("coupon: %d points, want %d: %+v", len(got), len(want), got)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("coupon point %d = %+v, want %+v", i, got[i], want[i])
			}
		}

		// Before the first entry: zeros.
		if got, err := db.LiabilitiesHistory(ctx, 77, brand, hour, 0, 2*hour); err != nil || len(got) != 2 || got[1] != (LiabilityPoint{Time: hour}) {
			t.Fatalf("an asset without entries: %+v, %v", got, err)
		}
		for _, bad := range [][3]int64{{0, 0, hour}, {hour, -1, hour}, {hour, hour, hour}, {hour, 0, (MaxLiabilityPoints + 1) * hour}} {
			if _, err := db.LiabilitiesHistory(ctx, asset, brand, bad[0], bad[1], bad[2]); !errors.Is(err, ErrInvalid) {
				t.Errorf("interval %d from %d to %d: %v, want ErrInvalid", bad[0], bad[1], bad[2], err)
			}
		}
	})
}
