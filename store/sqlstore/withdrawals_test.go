package sqlstore

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"reflect"
	"testing"
)

// testWithdrawal is a valid withdrawal numbered id for account 1, asset 3
// (amount (id mod 1000)*10 + 10).
func testWithdrawal(id uint64) Withdrawal {
	n := id % 1000 // ids may be huge; amounts, seqs and times stay small
	return Withdrawal{ID: id, Account: 1, Asset: 3, Amount: int64(n)*10 + 10, AmountRaw: bigPow(10, 30),
		ChainID: 1337, ToAddress: addrB, HeldSeq: 40 + n, CreatedAt: int64(1000 + n)}
}

func mustWithdrawal(t *testing.T, db *DB, w Withdrawal) {
	t.Helper()
	if err := db.CreateWithdrawal(context.Background(), w); err != nil {
		t.Fatalf("create withdrawal %d: %v", w.ID, err)
	}
}

// heldByProjection inserts the row the history projection writes when it
// sees the engine's hold: no raw amount, chain or address.
func heldByProjection(t *testing.T, db *DB, id uint64, account, asset uint32, amount int64, seq uint64, at int64) {
	t.Helper()
	_, err := db.DB.ExecContext(context.Background(), db.q(`INSERT INTO withdrawals
		(id, account_id, asset_id, amount, status, held_seq, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`),
		int64(id), int64(account), int64(asset), amount, int64(seq), at, at)
	if err != nil {
		t.Fatal(err)
	}
}

func TestWithdrawals(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := testWithdrawal(1)
		w.AmountRaw = new(big.Int).Set(maxU256)
		mustWithdrawal(t, db, w)
		want := w
		want.Status, want.UpdatedAt = WithdrawalPending, w.CreatedAt
		got, err := db.Withdrawal(ctx, 1)
		if err != nil || got.AmountRaw.Cmp(maxU256) != 0 {
			t.Fatalf("Withdrawal(1) = %+v, %v", got, err)
		}
		got.AmountRaw, want.AmountRaw = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Withdrawal(1) = %+v, want %+v", got, want)
		}
		if err := db.CreateWithdrawal(ctx, testWithdrawal(1)); !errors.Is(err, ErrDuplicate) {
			t.Errorf("same id again: %v, want ErrDuplicate", err)
		}
		if _, err := db.Withdrawal(ctx, 2); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing: %v, want ErrNotFound", err)
		}
		// 10^30 stays exact.
		w2 := testWithdrawal(2)
		w2.AmountRaw = new(big.Int).Add(bigPow(10, 30), big.NewInt(7))
		mustWithdrawal(t, db, w2)
		if got, err := db.Withdrawal(ctx, 2); err != nil || got.AmountRaw.String() != "1000000000000000000000000000007" {
			t.Errorf("10^30+7 came back as %v (%v)", got.AmountRaw, err)
		}
	})
}

// TestWithdrawalAfterProjection: the projection saw the engine's hold
// first; CreateWithdrawal adds the destination and keeps the rest.
func TestWithdrawalAfterProjection(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		heldByProjection(t, db, 5, 1, 3, 60, 41, 900)
		got, err := db.Withdrawal(ctx, 5)
		if err != nil || got.AmountRaw != nil || got.ChainID != 0 || got.ToAddress != "" {
			t.Fatalf("projected row: %+v, %v", got, err)
		}
		// Not signable without a destination.
		if err := db.MarkWithdrawalSigned(ctx, 5, 0, []byte{1}, txHash(1), 950); !errors.Is(err, ErrConflict) {
			t.Errorf("sign without a destination: %v, want ErrConflict", err)
		}
		w := testWithdrawal(5) // HeldSeq 45, CreatedAt 1005: the stored ones win
		mustWithdrawal(t, db, w)
		got, err = db.Withdrawal(ctx, 5)
		if err != nil || got.AmountRaw.Cmp(w.AmountRaw) != 0 || got.ChainID != 1337 || got.ToAddress != addrB ||
			got.HeldSeq != 41 || got.CreatedAt != 900 || got.Status != WithdrawalPending || got.Amount != 60 {
			t.Errorf("after CreateWithdrawal: %+v, %v", got, err)
		}
		if err := db.CreateWithdrawal(ctx, w); !errors.Is(err, ErrDuplicate) {
			t.Errorf("again once the address is in: %v, want ErrDuplicate", err)
		}

		// A projected row with no held_seq gets the caller's.
		if _, err := db.DB.ExecContext(ctx, db.q(`INSERT INTO withdrawals (id, account_id, asset_id, amount, status, created_at, updated_at)
			VALUES (?, 1, 3, 70, 'pending', 900, 900)`), 6); err != nil {
			t.Fatal(err)
		}
		mustWithdrawal(t, db, testWithdrawal(6))
		if got, err := db.Withdrawal(ctx, 6); err != nil || got.HeldSeq != 46 {
			t.Errorf("held seq filled in: %+v, %v", got, err)
		}

		// The projection's hold disagrees: a conflict, and nothing changes.
		for _, m := range []func(w *Withdrawal){
			func(w *Withdrawal) { w.Account = 2 },
			func(w *Withdrawal) { w.Asset = 4 },
			func(w *Withdrawal) { w.Amount = 81 },
		} {
			heldByProjection(t, db, 7, 1, 3, 80, 47, 900)
			w := testWithdrawal(7)
			m(&w)
			if err := db.CreateWithdrawal(ctx, w); !errors.Is(err, ErrConflict) {
				t.Errorf("mismatched hold %+v: %v, want ErrConflict", w, err)
			}
			if got, _ := db.Withdrawal(ctx, 7); got.ToAddress != "" {
				t.Errorf("a refused create changed the row: %+v", got)
			}
			db.DB.ExecContext(ctx, db.q("DELETE FROM withdrawals WHERE id = ?"), 7)
		}
	})
}

// TestWithdrawalTopBitID: a WithdrawalID from 2^63 up is stored with the
// same bits, as the projection stores it, and works like any other.
func TestWithdrawalTopBitID(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		id := uint64(1<<63 | 502)
		heldByProjection(t, db, id, 1, 3, 5030, 9, 900)
		w := testWithdrawal(id)
		w.Amount = 5030
		mustWithdrawal(t, db, w)
		if err := db.MarkWithdrawalSigned(ctx, id, 3, []byte{1}, txHash(3), 950); err != nil {
			t.Fatal(err)
		}
		got, err := db.Withdrawal(ctx, id)
		if err != nil || got.ID != id || got.ToAddress != addrB || got.HeldSeq != 9 || got.Status != WithdrawalSigned {
			t.Errorf("Withdrawal(2^63+502) = %+v, %v", got, err)
		}
		if list, err := db.ListWithdrawalsByStatus(ctx, WithdrawalSigned, 10); err != nil || len(list) != 1 || list[0].ID != id {
			t.Errorf("signed list: %+v, %v", list, err)
		}
	})
}

func TestWithdrawalsInvalid(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		bad := map[string]func(w *Withdrawal){
			"id 0":            func(w *Withdrawal) { w.ID = 0 },
			"account 0":       func(w *Withdrawal) { w.Account = 0 },
			"asset 0":         func(w *Withdrawal) { w.Asset = 0 },
			"amount 0":        func(w *Withdrawal) { w.Amount = 0 },
			"negative amount": func(w *Withdrawal) { w.Amount = -5 },
			"no raw amount":   func(w *Withdrawal) { w.AmountRaw = nil },
			"raw above 2^256": func(w *Withdrawal) { w.AmountRaw = bigPow(2, 256) },
			"negative raw":    func(w *Withdrawal) { w.AmountRaw = big.NewInt(-1) },
			"chain 0":         func(w *Withdrawal) { w.ChainID = 0 },
			"no address":      func(w *Withdrawal) { w.ToAddress = "" },
			"bad address":     func(w *Withdrawal) { w.ToAddress = badAddresses["capitals"] },
			"held seq 2^63":   func(w *Withdrawal) { w.HeldSeq = 1 << 63 },
		}
		for name, mutate := range bad {
			w := testWithdrawal(1)
			mutate(&w)
			if err := db.CreateWithdrawal(ctx, w); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			}
		}
		mustWithdrawal(t, db, testWithdrawal(1))
		for name, err := range map[string]error{
			"empty signed tx": db.MarkWithdrawalSigned(ctx, 1, 0, nil, txHash(1), 5),
			"bad tx hash":     db.MarkWithdrawalSigned(ctx, 1, 0, []byte{1}, addrA, 5),
			"nonce 2^63":      db.MarkWithdrawalSigned(ctx, 1, 1<<63, []byte{1}, txHash(1), 5),
			"no reason":       db.MarkWithdrawalFailed(ctx, 1, "", 5),
			"id 0":            db.MarkWithdrawalSent(ctx, 0, 5),
		} {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			}
		}
		if got, _ := db.Withdrawal(ctx, 1); got.Status != WithdrawalPending {
			t.Errorf("refused marks changed the row: %+v", got)
		}
		if _, err := db.ListWithdrawalsByStatus(ctx, "lost", 10); !errors.Is(err, ErrInvalid) {
			t.Errorf("bad status: %v, want ErrInvalid", err)
		}
		if _, err := db.ListWithdrawals(ctx, 1, 0, MaxPageSize+1); !errors.Is(err, ErrInvalid) {
			t.Errorf("limit too large: %v, want ErrInvalid", err)
		}
	})
}

// TestWithdrawalStates tries every mark from every state: the legal moves
// happen with what they set; every other one is ErrConflict and changes
// nothing.
func TestWithdrawalStates(t *testing.T) {
	type mark struct {
		name string
		to   WithdrawalStatus
		from []WithdrawalStatus
		do   func(db *DB, id uint64) error
	}
	ctx := context.Background()
	marks := []mark{
		{"sign", WithdrawalSigned, []WithdrawalStatus{WithdrawalPending}, func(db *DB, id uint64) error {
			return db.MarkWithdrawalSigned(ctx, id, 1000+id, []byte{0xf8, byte(id)}, txHash(int(id)), 500)
		}},
		{"send", WithdrawalSent, []WithdrawalStatus{WithdrawalSigned}, func(db *DB, id uint64) error {
			return db.MarkWithdrawalSent(ctx, id, 500)
		}},
		{"confirm", WithdrawalConfirmed, []WithdrawalStatus{WithdrawalSent}, func(db *DB, id uint64) error {
			return db.MarkWithdrawalConfirmed(ctx, id, 500)
		}},
		{"fail", WithdrawalFailed, []WithdrawalStatus{WithdrawalPending, WithdrawalSigned, WithdrawalSent}, func(db *DB, id uint64) error {
			return db.MarkWithdrawalFailed(ctx, id, "reverted", 500)
		}},
	}
	// The legal path to each state, from pending.
	paths := map[WithdrawalStatus][]int{
		WithdrawalPending:   {},
		WithdrawalSigned:    {0},
		WithdrawalSent:      {0, 1},
		WithdrawalConfirmed: {0, 1, 2},
		WithdrawalFailed:    {3},
	}
	states := []WithdrawalStatus{WithdrawalPending, WithdrawalSigned, WithdrawalSent, WithdrawalConfirmed, WithdrawalFailed}
	eachDB(t, func(t *testing.T, db *DB) {
		id := uint64(0)
		for _, from := range states {
			for _, m := range marks {
				id++
				mustWithdrawal(t, db, testWithdrawal(id))
				for _, step := range paths[from] {
					if err := marks[step].do(db, id); err != nil {
						t.Fatalf("on the way to %s: %s: %v", from, marks[step].name, err)
					}
				}
				before, err := db.Withdrawal(ctx, id)
				if err != nil || before.Status != from {
					t.Fatalf("set up %s: %+v, %v", from, before, err)
				}
				legal := false
				for _, s := range m.from {
					legal = legal || s == from
				}
				err = m.do(db, id)
				after, rerr := db.Withdrawal(ctx, id)
				if rerr != nil {
					t.Fatal(rerr)
				}
				if !legal {
					if !errors.Is(err, ErrConflict) {
						t.Errorf("%s from %s: %v, want ErrConflict", m.name, from, err)
					}
					if !reflect.DeepEqual(after, before) {
						t.Errorf("%s from %s changed the row:\n%+v\n%+v", m.name, from, before, after)
					}
					continue
				}
				if err != nil || after.Status != m.to || after.UpdatedAt != 500 {
					t.Errorf("%s from %s: %v, row %s at %d", m.name, from, err, after.Status, after.UpdatedAt)
				}
				switch m.to {
				case WithdrawalSigned:
					if !after.HasNonce || after.Nonce != 1000+id || !bytes.Equal(after.SignedTx, []byte{0xf8, byte(id)}) || after.TxHash != txHash(int(id)) {
						t.Errorf("signed row: %+v", after)
					}
				case WithdrawalFailed:
					if after.Error != "reverted" {
						t.Errorf("failed row: %+v", after)
					}
				}
			}
		}
		for _, m := range marks {
			if err := m.do(db, 9999); !errors.Is(err, ErrNotFound) {
				t.Errorf("%s a missing withdrawal: %v, want ErrNotFound", m.name, err)
			}
		}
	})
}

func TestWithdrawalNonces(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		for id := uint64(1); id <= 4; id++ {
			w := testWithdrawal(id)
			if id == 3 {
				w.ChainID = 5
			}
			mustWithdrawal(t, db, w)
		}
		if n, err := db.NextNonce(ctx, 1337); err != nil || n != 0 {
			t.Errorf("NextNonce before any: %d, %v; want 0", n, err)
		}
		if err := db.MarkWithdrawalSigned(ctx, 1, 0, []byte{1}, txHash(1), 10); err != nil {
			t.Fatal(err)
		}
		if n, err := db.NextNonce(ctx, 1337); err != nil || n != 1 {
			t.Errorf("NextNonce after nonce 0: %d, %v; want 1", n, err)
		}
		if err := db.MarkWithdrawalSigned(ctx, 2, 0, []byte{2}, txHash(2), 10); !errors.Is(err, ErrDuplicate) {
			t.Errorf("nonce 0 again on the chain: %v, want ErrDuplicate", err)
		}
		if got, _ := db.Withdrawal(ctx, 2); got.Status != WithdrawalPending || got.HasNonce {
			t.Errorf("a refused signing changed the row: %+v", got)
		}
		if err := db.MarkWithdrawalSigned(ctx, 3, 0, []byte{3}, txHash(3), 10); err != nil {
			t.Errorf("nonce 0 on another chain: %v", err)
		}
		if err := db.MarkWithdrawalSigned(ctx, 2, 7, []byte{2}, txHash(2), 10); err != nil {
			t.Fatal(err)
		}
		// A failed withdrawal's nonce still counts: its transaction may be out there.
		if err := db.MarkWithdrawalFailed(ctx, 2, "dropped", 11); err != nil {
			t.Fatal(err)
		}
		for chain, want := range map[uint64]uint64{1337: 8, 5: 1, 6: 0} {
			if n, err := db.NextNonce(ctx, chain); err != nil || n != want {
				t.Errorf("NextNonce(%d) = %d, %v; want %d", chain, n, err, want)
			}
		}
		if _, err := db.NextNonce(ctx, 0); !errors.Is(err, ErrInvalid) {
			t.Errorf("chain 0: %v, want ErrInvalid", err)
		}
	})
}

func TestListWithdrawals(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		// 25 small ids, the largest id below 2^63 (the first page's
		// cursor must not skip it) and one with the top bit set (stored
		// negative: it comes last).
		ids := []uint64{1<<63 - 1, 1<<63 | 2}
		for i := uint64(1); i <= 25; i++ {
			ids = append(ids, i*2)
			other := testWithdrawal(i*2 + 1)
			other.Account = 2
			mustWithdrawal(t, db, other)
		}
		for _, id := range ids {
			mustWithdrawal(t, db, testWithdrawal(id))
		}
		all := collectPages(t, 10, uint64(0),
			func(before uint64, limit int) ([]Withdrawal, error) { return db.ListWithdrawals(ctx, 1, before, limit) },
			func(w Withdrawal) uint64 { return w.ID })
		if len(all) != 27 {
			t.Fatalf("%d withdrawals over the pages, want 27", len(all))
		}
		if all[0].ID != 1<<63-1 || all[26].ID != 1<<63|2 {
			t.Errorf("first %d, last %d; want 2^63-1 first and 2^63+2 last", all[0].ID, all[26].ID)
		}
		ids = ids[:0]
		for _, w := range all {
			if w.Account != 1 {
				t.Fatalf("account 2's withdrawal in account 1's list: %+v", w)
			}
			ids = append(ids, w.ID)
		}
		checkOrder(t, ids, func(a, b uint64) bool { return int64(a) > int64(b) })
	})
}

func TestListWithdrawalsByStatus(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		// Ids and times in opposite orders: the oldest comes first.
		for id := uint64(1); id <= 6; id++ {
			w := testWithdrawal(id)
			w.CreatedAt = int64(100 - id)
			mustWithdrawal(t, db, w)
		}
		for _, id := range []uint64{2, 4} {
			if err := db.MarkWithdrawalSigned(ctx, id, id, []byte{1}, txHash(int(id)), 5); err != nil {
				t.Fatal(err)
			}
		}
		ids := func(ws []Withdrawal) (out []uint64) {
			for _, w := range ws {
				out = append(out, w.ID)
			}
			return out
		}
		pending, err := db.ListWithdrawalsByStatus(ctx, WithdrawalPending, 3)
		if err != nil || !reflect.DeepEqual(ids(pending), []uint64{6, 5, 3}) {
			t.Errorf("pending = %v, %v; want 6 5 3", ids(pending), err)
		}
		signed, err := db.ListWithdrawalsByStatus(ctx, WithdrawalSigned, 10)
		if err != nil || !reflect.DeepEqual(ids(signed), []uint64{4, 2}) {
			t.Errorf("signed = %v, %v; want 4 2", ids(signed), err)
		}
		if sent, err := db.ListWithdrawalsByStatus(ctx, WithdrawalSent, 10); err != nil || len(sent) != 0 {
			t.Errorf("sent = %v, %v; want none", ids(sent), err)
		}
	})
}
