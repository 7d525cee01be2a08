package sqlstore

import (
	"context"
	"errors"
	"math/big"
	"reflect"
	"testing"
)

const burnHash = "0x00000000000000000000000000000000000000000000000000000000000000cd"

// burnProject projects redemptions 1..6: asset 3 fulfilled (1, 2, 4),
// pending (3), rejected (5); asset 4 fulfilled (6).
func burnProject(t *testing.T, db *DB) {
	t.Helper()
	for _, r := range []Redemption{
		{ID: 1, Account: 1, Asset: 3, Amount: 100, Status: RedemptionFulfilled},
		{ID: 2, Account: 2, Asset: 3, Amount: 250, Status: RedemptionFulfilled},
		{ID: 3, Account: 1, Asset: 3, Amount: 300, Status: RedemptionPending},
		{ID: 4, Account: 1, Asset: 3, Amount: 400, Status: RedemptionFulfilled},
		{ID: 5, Account: 1, Asset: 3, Amount: 500, Status: RedemptionRejected},
		{ID: 6, Account: 1, Asset: 4, Amount: 600, Status: RedemptionFulfilled},
	} {
		r.Receipt, r.CreatedSeq, r.CreatedAt, r.SettledSeq, r.SettledAt = "R", r.ID*10, int64(r.ID), r.ID*10+1, int64(r.ID)+1
		projectRedemption(t, db, r)
	}
}

func burnIDs(rs []Redemption) []uint64 {
	ids := []uint64{}
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestBurnsBatchAndStateMachine(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		burnProject(t, db)

		all, err := db.UnburnedFulfilled(ctx, 0, 100)
		if err != nil || !reflect.DeepEqual(burnIDs(all), []uint64{1, 2, 4, 6}) {
			t.Fatalf("UnburnedFulfilled(all) = %v, %v; want 1 2 4 6", burnIDs(all), err)
		}
		of3, err := db.UnburnedFulfilled(ctx, 3, 2)
		if err != nil || !reflect.DeepEqual(burnIDs(of3), []uint64{1, 2}) || of3[1].Amount != 250 {
			t.Fatalf("UnburnedFulfilled(3, 2) = %+v, %v", of3, err)
		}

		// Refusals store nothing.
		for name, tc := range map[string]struct {
			asset uint32
			raw   *big.Int
			ids   []uint64
		}{
			"asset 0":         {0, big.NewInt(1), []uint64{1}},
			"zero total":      {3, big.NewInt(0), []uint64{1}},
			"negative total":  {3, big.NewInt(-1), []uint64{1}},
			"nil total":       {3, nil, []uint64{1}},
			"no redemptions":  {3, big.NewInt(1), nil},
			"listed twice":    {3, big.NewInt(1), []uint64{1, 1}},
			"pending one":     {3, big.NewInt(1), []uint64{1, 3}},
			"another asset's": {3, big.NewInt(1), []uint64{1, 6}},
			"unknown one":     {3, big.NewInt(1), []uint64{1, 99}},
			"above uint256":   {3, new(big.Int).Add(maxU256, big.NewInt(1)), []uint64{1}},
		} {
			if _, err := db.CreateBurn(ctx, tc.asset, tc.raw, tc.ids, 10); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			}
		}
		if list, _ := db.ListBurnsByStatus(ctx, BurnPending, 100); len(list) != 0 {
			t.Fatalf("refusals stored %+v", list)
		}

		b, err := db.CreateBurn(ctx, 3, maxU256, []uint64{4, 1, 2}, 100)
		if err != nil {
			t.Fatal(err)
		}
		want := Burn{ID: b.ID, Asset: 3, TotalRaw: maxU256, Status: BurnPending, Redemptions: []uint64{1, 2, 4}, CreatedAt: 100, UpdatedAt: 100}
		if b.ID == 0 || !reflect.DeepEqual(b, want) {
			t.Fatalf("created %+v, want %+v", b, want)
		}
		if rest, err := db.UnburnedFulfilled(ctx, 0, 100); err != nil || !reflect.DeepEqual(burnIDs(rest), []uint64{6}) {
			t.Fatalf("unburned after the batch: %v, %v; want 6", burnIDs(rest), err)
		}
		if id, err := db.BurnOfRedemption(ctx, 2); err != nil || id != b.ID {
			t.Fatalf("BurnOfRedemption(2) = %d, %v", id, err)
		}
		if _, err := db.BurnOfRedemption(ctx, 6); !errors.Is(err, ErrNotFound) {
			t.Fatalf("BurnOfRedemption(6): %v, want ErrNotFound", err)
		}

		// A redemption mapped already: ErrDuplicate, nothing stored.
		if _, err := db.CreateBurn(ctx, 3, big.NewInt(5), []uint64{2}, 110); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("a mapped redemption: %v, want ErrDuplicate", err)
		}
		if list, err := db.ListBurnsByStatus(ctx, BurnPending, 100); err != nil || len(list) != 1 || list[0].ID != b.ID {
			t.Fatalf("pending burns after the duplicate: %+v, %v", list, err)
		}

		// The state machine.
		if err := db.MarkBurnBurned(ctx, b.ID, 120); !errors.Is(err, ErrConflict) {
			t.Errorf("burned from pending: %v, want ErrConflict", err)
		}
		if err := db.MarkBurnBurning(ctx, 9999, 1, []byte{1}, burnHash, 120); !errors.Is(err, ErrNotFound) {
			t.Errorf("a missing burn: %v, want ErrNotFound", err)
		}
		if err := db.MarkBurnBurning(ctx, b.ID, 1, nil, burnHash, 120); !errors.Is(err, ErrInvalid) {
			t.Errorf("no signed tx: %v, want ErrInvalid", err)
		}
		if n, err := db.NextBurnNonce(ctx); err != nil || n != 0 {
			t.Fatalf("NextBurnNonce before any = %d, %v", n, err)
		}
		if err := db.MarkBurnBurning(ctx, b.ID, 41, []byte{0xbe, 0xef}, burnHash, 130); err != nil {
			t.Fatal(err)
		}
		if n, err := db.NextBurnNonce(ctx); err != nil || n != 42 {
			t.Fatalf("NextBurnNonce = %d, %v; want 42", n, err)
		}
		if err := db.MarkBurnBurning(ctx, b.ID, 43, []byte{1}, burnHash, 131); !errors.Is(err, ErrConflict) {
			t.Errorf("sign a burning burn again: %v, want ErrConflict", err)
		}
		burning, err := db.ListBurnsByStatus(ctx, BurnBurning, 10)
		want.Status, want.Nonce, want.HasNonce, want.SignedTx, want.TxHash, want.UpdatedAt = BurnBurning, 41, true, []byte{0xbe, 0xef}, burnHash, 130
		if err != nil || len(burning) != 1 || !reflect.DeepEqual(burning[0], want) {
			t.Fatalf("burning = %+v, %v; want %+v", burning, err, want)
		}
		if err := db.MarkBurnBurned(ctx, b.ID, 140); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkBurnFailed(ctx, b.ID, "late", 150); !errors.Is(err, ErrConflict) {
			t.Errorf("fail a burned burn: %v, want ErrConflict", err)
		}
		got, err := db.Burn(ctx, b.ID)
		want.Status, want.UpdatedAt = BurnBurned, 140
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("burned = %+v, %v; want %+v", got, err, want)
		}
		if _, err := db.ListBurnsByStatus(ctx, "nope", 10); !errors.Is(err, ErrInvalid) {
			t.Errorf("bad status: %v", err)
		}
	})
}

// TestBurnFailedReleases: a failed burn keeps its row but releases its
// redemptions, which the next batch takes.
func TestBurnFailedReleases(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		burnProject(t, db)
		b, err := db.CreateBurn(ctx, 4, big.NewInt(6), []uint64{6}, 100)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.MarkBurnBurning(ctx, b.ID, 7, []byte{1}, burnHash, 110); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkBurnFailed(ctx, b.ID, "", 120); !errors.Is(err, ErrInvalid) {
			t.Errorf("no reason: %v, want ErrInvalid", err)
		}
		if err := db.MarkBurnFailed(ctx, b.ID, "reverted", 120); err != nil {
			t.Fatal(err)
		}
		got, err := db.Burn(ctx, b.ID)
		if err != nil || got.Status != BurnFailed || got.Error != "reverted" || len(got.Redemptions) != 0 || got.Nonce != 7 {
			t.Fatalf("failed burn %+v, %v", got, err)
		}
		if err := db.MarkBurnFailed(ctx, b.ID, "again", 130); !errors.Is(err, ErrConflict) {
			t.Errorf("fail twice: %v, want ErrConflict", err)
		}
		if rest, err := db.UnburnedFulfilled(ctx, 4, 10); err != nil || !reflect.DeepEqual(burnIDs(rest), []uint64{6}) {
			t.Fatalf("released: %v, %v; want 6", burnIDs(rest), err)
		}
		again, err := db.CreateBurn(ctx, 4, big.NewInt(6), []uint64{6}, 140)
		if err != nil || again.ID == b.ID || !reflect.DeepEqual(again.Redemptions, []uint64{6}) {
			t.Fatalf("a new batch of the released redemption: %+v, %v", again, err)
		}
		// A pending burn may fail too (nothing signed).
		if err := db.MarkBurnFailed(ctx, again.ID, "would revert", 150); err != nil {
			t.Fatal(err)
		}
		if n, err := db.NextBurnNonce(ctx); err != nil || n != 8 {
			t.Fatalf("NextBurnNonce = %d, %v; a failed burn's nonce counts", n, err)
		}
	})
}
