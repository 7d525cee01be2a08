package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
)

// txHash is a distinct, well-formed tx or block hash for n.
func txHash(n int) string { return fmt.Sprintf("0x%064x", n) }

func bigPow(base, exp int64) *big.Int {
	return new(big.Int).Exp(big.NewInt(base), big.NewInt(exp), nil)
}

// maxU256 is 2^256-1, built independently of the code under test.
var maxU256, _ = new(big.Int).SetString("115792089237316195423570985008687907853269984665640564039457584007913129639935", 10)

// testDeposit is a valid deposit for account 1, asset 3, numbered n.
func testDeposit(n int) Deposit {
	return Deposit{
		ChainID: 1337, TxHash: txHash(n), LogIndex: uint32(n % 4), Ref: [32]byte{byte(n), byte(n >> 8), 0xde},
		Account: 1, Asset: 3, AmountRaw: big.NewInt(int64(n) * 1e16), Amount: int64(n), BlockNumber: uint64(1000 + n),
		BlockHash: txHash(1_000_000 + n), CreatedAt: int64(1000 + n),
	}
}

func sameDeposit(a, b Deposit) bool {
	if a.AmountRaw.Cmp(b.AmountRaw) != 0 || a.DustRaw.Cmp(b.DustRaw) != 0 {
		return false
	}
	a.AmountRaw, a.DustRaw, b.AmountRaw, b.DustRaw = nil, nil, nil, nil
	return a == b
}

func TestDeposits(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		d := testDeposit(1)
		d.AmountRaw, d.DustRaw = new(big.Int).Set(maxU256), bigPow(10, 30)
		if err := db.RecordDeposit(ctx, d); err != nil {
			t.Fatal(err)
		}
		want := d
		want.Status, want.UpdatedAt = DepositSeen, d.CreatedAt
		got, err := db.Deposit(ctx, d.ChainID, d.TxHash, d.LogIndex)
		if err != nil || !sameDeposit(got, want) {
			t.Fatalf("Deposit = %+v, %v; want %+v", got, err, want)
		}
		if got, err := db.DepositByRef(ctx, d.Ref); err != nil || !sameDeposit(got, want) {
			t.Fatalf("DepositByRef = %+v, %v; want %+v", got, err, want)
		}
		// Dust left out is 0.
		d0 := testDeposit(2)
		if err := db.RecordDeposit(ctx, d0); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Deposit(ctx, d0.ChainID, d0.TxHash, d0.LogIndex); err != nil || got.DustRaw.Sign() != 0 {
			t.Errorf("default dust: %v, %v", got.DustRaw, err)
		}

		again := d
		again.Ref[31] = 1 // another ref, the same key
		if err := db.RecordDeposit(ctx, again); !errors.Is(err, ErrDuplicate) {
			t.Errorf("same chain, tx and log index: %v, want ErrDuplicate", err)
		}
		again = testDeposit(3)
		again.Ref = d.Ref // the same ref, another key
		if err := db.RecordDeposit(ctx, again); !errors.Is(err, ErrDuplicate) {
			t.Errorf("same ref: %v, want ErrDuplicate", err)
		}
		if _, err := db.Deposit(ctx, 1337, txHash(99), 0); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing deposit: %v, want ErrNotFound", err)
		}
		if _, err := db.DepositByRef(ctx, [32]byte{0xff}); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing ref: %v, want ErrNotFound", err)
		}
		if _, err := db.Deposit(ctx, 1337, strings.ToUpper(d.TxHash), 0); !errors.Is(err, ErrInvalid) {
			t.Errorf("read with a bad hash: %v, want ErrInvalid", err)
		}
	})
}

// TestDepositUint256 stores raw amounts at the edges of uint256 and reads
// them back digit for digit: NUMERIC(78,0) and TEXT, never a float.
func TestDepositUint256(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		good := []*big.Int{
			big.NewInt(0), big.NewInt(1), bigPow(10, 30), new(big.Int).Add(bigPow(10, 30), big.NewInt(1)),
			bigPow(2, 64), bigPow(2, 255), new(big.Int).Set(maxU256),
		}
		for i, x := range good {
			d := testDeposit(10 + i)
			d.AmountRaw, d.DustRaw = x, x
			if err := db.RecordDeposit(ctx, d); err != nil {
				t.Fatalf("%v: %v", x, err)
			}
			got, err := db.Deposit(ctx, d.ChainID, d.TxHash, d.LogIndex)
			if err != nil || got.AmountRaw.Cmp(x) != 0 || got.DustRaw.Cmp(x) != 0 || got.AmountRaw.String() != x.String() {
				t.Errorf("%v came back as %v / %v (%v)", x, got.AmountRaw, got.DustRaw, err)
			}
		}
		bad := map[string]*big.Int{
			"nil":   nil,
			"-1":    big.NewInt(-1),
			"2^256": bigPow(2, 256),
		}
		for name, x := range bad {
			d := testDeposit(50)
			d.AmountRaw = x
			if err := db.RecordDeposit(ctx, d); !errors.Is(err, ErrInvalid) {
				t.Errorf("amount %s: %v, want ErrInvalid", name, err)
			}
			if x == nil {
				continue
			}
			d.AmountRaw, d.DustRaw = big.NewInt(1), x
			if err := db.RecordDeposit(ctx, d); !errors.Is(err, ErrInvalid) {
				t.Errorf("dust %s: %v, want ErrInvalid", name, err)
			}
		}
	})
}

func TestDepositsInvalid(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		bad := map[string]func(d *Deposit){
			"chain 0":           func(d *Deposit) { d.ChainID = 0 },
			"tx hash capitals":  func(d *Deposit) { d.TxHash = strings.ToUpper(d.TxHash) },
			"tx hash short":     func(d *Deposit) { d.TxHash = d.TxHash[:65] },
			"tx hash an addr":   func(d *Deposit) { d.TxHash = addrA },
			"block hash":        func(d *Deposit) { d.BlockHash = "0x12" },
			"log index 2^31":    func(d *Deposit) { d.LogIndex = 1 << 31 },
			"block 2^63":        func(d *Deposit) { d.BlockNumber = 1 << 63 },
			"account 0":         func(d *Deposit) { d.Account = 0 },
			"asset 0":           func(d *Deposit) { d.Asset = 0 },
			"negative amount":   func(d *Deposit) { d.Amount = -1 },
			"recorded credited": func(d *Deposit) { d.Status = DepositCredited },
		}
		for name, mutate := range bad {
			d := testDeposit(1)
			mutate(&d)
			if err := db.RecordDeposit(ctx, d); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			}
		}
		if _, err := db.ListDeposits(ctx, 1, nil, 0); !errors.Is(err, ErrInvalid) {
			t.Errorf("limit 0: %v, want ErrInvalid", err)
		}
	})
}

// TestDepositStates: reorged and rejected only from seen; every other
// move is ErrConflict and changes nothing.
func TestDepositStates(t *testing.T) {
	type mark func(db *DB, d Deposit) error
	reorg := func(db *DB, d Deposit) error {
		return db.MarkDepositReorged(context.Background(), d.ChainID, d.TxHash, d.LogIndex, 500)
	}
	reject := func(db *DB, d Deposit) error {
		return db.MarkDepositRejected(context.Background(), d.ChainID, d.TxHash, d.LogIndex, 500)
	}
	cases := []struct {
		from DepositStatus
		op   string
		mark mark
		want DepositStatus // "": ErrConflict
	}{
		{DepositSeen, "reorg", reorg, DepositReorged},
		{DepositSeen, "reject", reject, DepositRejected},
		{DepositReorged, "reorg", reorg, ""},
		{DepositReorged, "reject", reject, ""},
		{DepositRejected, "reorg", reorg, ""},
		{DepositRejected, "reject", reject, ""},
		{DepositCredited, "reorg", reorg, ""},
		{DepositCredited, "reject", reject, ""},
	}
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		for i, c := range cases {
			d := testDeposit(100 + i)
			if err := db.RecordDeposit(ctx, d); err != nil {
				t.Fatal(err)
			}
			// Put it in c.from as the projection (or an earlier mark) would.
			if c.from != DepositSeen {
				_, err := db.DB.ExecContext(ctx, db.q("UPDATE deposits SET status = ?, updated_at = 77 WHERE tx_hash = ?"), string(c.from), d.TxHash)
				if err != nil {
					t.Fatal(err)
				}
			}
			err := c.mark(db, d)
			got, rerr := db.Deposit(ctx, d.ChainID, d.TxHash, d.LogIndex)
			if rerr != nil {
				t.Fatal(rerr)
			}
			switch {
			case c.want == "" && !errors.Is(err, ErrConflict):
				t.Errorf("%s from %s: %v, want ErrConflict", c.op, c.from, err)
			case c.want == "" && (got.Status != c.from || got.UpdatedAt != 77):
				t.Errorf("%s from %s changed the row: %+v", c.op, c.from, got)
			case c.want != "" && (err != nil || got.Status != c.want || got.UpdatedAt != 500):
				t.Errorf("%s from %s: %v, row %s at %d; want %s at 500", c.op, c.from, err, got.Status, got.UpdatedAt, c.want)
			}
		}
		missing := testDeposit(999)
		if err := reorg(db, missing); !errors.Is(err, ErrNotFound) {
			t.Errorf("reorg a missing deposit: %v, want ErrNotFound", err)
		}
		if err := reject(db, missing); !errors.Is(err, ErrNotFound) {
			t.Errorf("reject a missing deposit: %v, want ErrNotFound", err)
		}
		missing.TxHash = "0x1"
		if err := reject(db, missing); !errors.Is(err, ErrInvalid) {
			t.Errorf("reject with a bad hash: %v, want ErrInvalid", err)
		}
	})
}

func TestListDeposits(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		for n := 1; n <= 25; n++ {
			d := testDeposit(n)
			d.CreatedAt = int64(n / 3) // ties: the order must not depend on time alone
			d.ChainID = uint64(1 + n%2)
			if err := db.RecordDeposit(ctx, d); err != nil {
				t.Fatal(err)
			}
			other := testDeposit(100 + n)
			other.Account = 2
			if err := db.RecordDeposit(ctx, other); err != nil {
				t.Fatal(err)
			}
		}
		all := collectPages(t, 10, (*DepositCursor)(nil),
			func(after *DepositCursor, limit int) ([]Deposit, error) { return db.ListDeposits(ctx, 1, after, limit) },
			func(d Deposit) *DepositCursor { c := d.Cursor(); return &c })
		if len(all) != 25 {
			t.Fatalf("%d deposits over the pages, want 25", len(all))
		}
		keys := make([]DepositCursor, len(all))
		for i, d := range all {
			if d.Account != 1 {
				t.Fatalf("account 2's deposit in account 1's list: %+v", d)
			}
			keys[i] = d.Cursor()
		}
		// Newest first, strictly: no row twice, none lost between pages.
		checkOrder(t, keys, func(a, b DepositCursor) bool {
			if a.CreatedAt != b.CreatedAt {
				return a.CreatedAt > b.CreatedAt
			}
			if a.ChainID != b.ChainID {
				return a.ChainID > b.ChainID
			}
			if a.TxHash != b.TxHash {
				return a.TxHash > b.TxHash
			}
			return a.LogIndex > b.LogIndex
		})
		// The same pages again: stable.
		again := collectPages(t, 10, (*DepositCursor)(nil),
			func(after *DepositCursor, limit int) ([]Deposit, error) { return db.ListDeposits(ctx, 1, after, limit) },
			func(d Deposit) *DepositCursor { c := d.Cursor(); return &c })
		for i := range all {
			if again[i].Cursor() != all[i].Cursor() {
				t.Fatalf("row %d differs on the second read", i)
			}
		}
	})
}
