package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// projectRedemption inserts a redemption row as the history projection
// would; settled rows get a settlement.
func projectRedemption(t *testing.T, db *DB, r Redemption) {
	t.Helper()
	var settledSeq, settledAt any
	if r.Status != RedemptionPending {
		settledSeq, settledAt = int64(r.SettledSeq), r.SettledAt
	}
	_, err := db.DB.ExecContext(context.Background(), db.q(`INSERT INTO redemptions
		(id, account_id, asset_id, amount, receipt, status, created_seq, settled_seq, created_at, settled_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		int64(r.ID), int64(r.Account), int64(r.Asset), r.Amount, r.Receipt, string(r.Status), int64(r.CreatedSeq),
		settledSeq, r.CreatedAt, settledAt)
	if err != nil {
		t.Fatal(err)
	}
}

// testRedemptions are 25 of account 1's (assets 3 and 4, statuses in
// turn) and 10 of account 2's, ids interleaved.
func testRedemptions() []Redemption {
	statuses := []RedemptionStatus{RedemptionPending, RedemptionFulfilled, RedemptionRejected}
	var rs []Redemption
	for i := 1; i <= 35; i++ {
		r := Redemption{ID: uint64(i), Account: 1, Asset: uint32(3 + i%2), Amount: int64(i * 100),
			Receipt: fmt.Sprintf("R-%d", i), Status: statuses[i%3], CreatedSeq: uint64(10 * i), CreatedAt: int64(1000 + i)}
		if i%7 == 0 && i <= 35 {
			r.Account = 2
		}
		if r.Status != RedemptionPending {
			r.SettledSeq, r.SettledAt = uint64(10*i+5), int64(2000+i)
		}
		rs = append(rs, r)
	}
	return rs
}

func TestRedemptionsRead(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		rs := testRedemptions()
		for _, r := range rs {
			projectRedemption(t, db, r)
		}
		for _, want := range rs[:3] { // pending (settlement 0), fulfilled, rejected
			got, err := db.Redemption(ctx, want.ID)
			if err != nil || got != want {
				t.Errorf("Redemption(%d) = %+v, %v; want %+v", want.ID, got, err, want)
			}
		}
		if _, err := db.Redemption(ctx, 999); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing: %v, want ErrNotFound", err)
		}
		// An id from 2^63 up, stored with the same bits, reads back whole.
		top := Redemption{ID: 1<<63 | 9, Account: 3, Asset: 3, Amount: 1, Receipt: "top", Status: RedemptionPending, CreatedSeq: 1, CreatedAt: 1}
		projectRedemption(t, db, top)
		if got, err := db.Redemption(ctx, top.ID); err != nil || got != top {
			t.Errorf("Redemption(2^63+9) = %+v, %v; want %+v", got, err, top)
		}
		if got, err := db.ListRedemptions(ctx, 3, 0, 10); err != nil || len(got) != 1 || got[0] != top {
			t.Errorf("ListRedemptions(3) = %+v, %v", got, err)
		}

		mine := collectPages(t, 10, uint64(0),
			func(before uint64, limit int) ([]Redemption, error) { return db.ListRedemptions(ctx, 1, before, limit) },
			func(r Redemption) uint64 { return r.ID })
		if len(mine) != 30 {
			t.Fatalf("%d of account 1's redemptions over the pages, want 30", len(mine))
		}
		var ids []uint64
		for _, r := range mine {
			if r.Account != 1 {
				t.Fatalf("another account's redemption: %+v", r)
			}
			ids = append(ids, r.ID)
		}
		checkOrder(t, ids, func(a, b uint64) bool { return a > b })

		for _, status := range []RedemptionStatus{"", RedemptionPending, RedemptionFulfilled, RedemptionRejected} {
			want := 0
			for _, r := range append(rs, top) {
				if r.Asset == 3 && (status == "" || r.Status == status) {
					want++
				}
			}
			got := collectPages(t, 4, uint64(0),
				func(before uint64, limit int) ([]Redemption, error) {
					return db.ListRedemptionsByAsset(ctx, 3, status, before, limit)
				},
				func(r Redemption) uint64 { return r.ID })
			if len(got) != want {
				t.Errorf("asset 3, status %q: %d rows, want %d", status, len(got), want)
			}
			ids = ids[:0]
			for _, r := range got {
				if r.Asset != 3 || (status != "" && r.Status != status) {
					t.Errorf("asset 3, status %q: %+v", status, r)
				}
				ids = append(ids, r.ID)
			}
			checkOrder(t, ids, func(a, b uint64) bool { return int64(a) > int64(b) })
		}
		if _, err := db.ListRedemptionsByAsset(ctx, 3, "lost", 0, 10); !errors.Is(err, ErrInvalid) {
			t.Errorf("bad status: %v, want ErrInvalid", err)
		}
		if _, err := db.ListRedemptions(ctx, 1, 0, 0); !errors.Is(err, ErrInvalid) {
			t.Errorf("limit 0: %v, want ErrInvalid", err)
		}
	})
}
