package sqlstore

import (
	"context"
	"errors"
	"testing"
)

// mustAccount creates account id of kind, failing the test otherwise.
func mustAccount(t *testing.T, db *DB, id uint32, kind AccountKind) {
	t.Helper()
	if err := db.CreateAccount(context.Background(), Account{ID: id, Kind: kind, Name: "n", CreatedAt: 100}); err != nil {
		t.Fatalf("create account %d: %v", id, err)
	}
}

// collectPages reads pages of size rows from first on (page returns the
// page after a cursor; next is the cursor after a row) until a short page,
// checks that every page before it is full, and returns all rows in order.
func collectPages[T, C any](t *testing.T, size int, first C, page func(after C, limit int) ([]T, error), next func(T) C) []T {
	t.Helper()
	var all []T
	cursor := first
	for i := 0; ; i++ {
		rows, err := page(cursor, size)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		all = append(all, rows...)
		if len(rows) < size {
			return all
		}
		if i > 1000 {
			t.Fatal("paging does not end")
		}
		cursor = next(rows[len(rows)-1])
	}
}

// checkOrder fails unless every key is strictly before the next one (a
// total, stable order: no row twice, none skipped between pages).
func checkOrder[K any](t *testing.T, keys []K, before func(a, b K) bool) {
	t.Helper()
	for i := 1; i < len(keys); i++ {
		if !before(keys[i-1], keys[i]) {
			t.Fatalf("rows %d and %d out of order: %v then %v", i-1, i, keys[i-1], keys[i])
		}
	}
}

func TestAccounts(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		want := Account{ID: 7, Kind: AccountBrand, Name: "Café Nord", CreatedAt: 1_700_000_000_000_000_001}
		if err := db.CreateAccount(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := db.Account(ctx, 7)
		if err != nil || got != want {
			t.Fatalf("Account(7) = %+v, %v; want %+v", got, err, want)
		}
		if err := db.CreateAccount(ctx, want); !errors.Is(err, ErrDuplicate) {
			t.Errorf("same id again: %v, want ErrDuplicate", err)
		}
		if _, err := db.Account(ctx, 8); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing account: %v, want ErrNotFound", err)
		}
		for _, a := range []Account{
			{ID: 0, Kind: AccountConsumer},
			{ID: 9, Kind: "pirate"},
			{ID: 9, Kind: ""},
			{ID: 9, Kind: "Consumer"},
		} {
			if err := db.CreateAccount(ctx, a); !errors.Is(err, ErrInvalid) {
				t.Errorf("CreateAccount(%+v): %v, want ErrInvalid", a, err)
			}
		}
	})
}

func TestListAccounts(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		kinds := []AccountKind{AccountConsumer, AccountBrand, AccountMarketMaker, AccountOperator}
		// Ids out of insertion order, with gaps.
		for i := 25; i >= 1; i-- {
			mustAccount(t, db, uint32(i*3), kinds[i%4])
		}
		list := func(kind AccountKind) func(uint32, int) ([]Account, error) {
			return func(after uint32, limit int) ([]Account, error) { return db.ListAccounts(ctx, kind, after, limit) }
		}
		lastID := func(a Account) uint32 { return a.ID }
		all := collectPages(t, 10, 0, list(""), lastID)
		if len(all) != 25 {
			t.Fatalf("%d accounts over the pages, want 25", len(all))
		}
		ids := make([]uint32, len(all))
		for i, a := range all {
			ids[i] = a.ID
		}
		checkOrder(t, ids, func(a, b uint32) bool { return a < b })

		brands := collectPages(t, 2, 0, list(AccountBrand), lastID)
		if len(brands) != 7 { // i = 1, 5, 9, ..., 25
			t.Errorf("%d brands, want 7", len(brands))
		}
		for _, a := range brands {
			if a.Kind != AccountBrand {
				t.Errorf("kind filter let %+v through", a)
			}
		}
		if rest, err := db.ListAccounts(ctx, "", 75, 10); err != nil || len(rest) != 0 {
			t.Errorf("after the last id: %v, %v", rest, err)
		}
		for _, limit := range []int{0, -1, MaxPageSize + 1} {
			if _, err := db.ListAccounts(ctx, "", 0, limit); !errors.Is(err, ErrInvalid) {
				t.Errorf("limit %d: %v, want ErrInvalid", limit, err)
			}
		}
		if _, err := db.ListAccounts(ctx, "pirate", 0, 10); !errors.Is(err, ErrInvalid) {
			t.Errorf("bad kind filter: %v, want ErrInvalid", err)
		}
	})
}
