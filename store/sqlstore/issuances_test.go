package sqlstore

import (
	"context"
	"errors"
	"math/big"
	"reflect"
	"strings"
	"testing"
)

// testIssuance is a valid issuance of brand 1 with reference ref for
// customer 2, asset 3, created at at.
func testIssuance(ref string, at int64) Issuance {
	return Issuance{Brand: 1, Reference: ref, Customer: 2, Asset: 3, Amount: 2500, AmountRaw: bigPow(10, 19), CreatedAt: at}
}

const issHash = "0x00000000000000000000000000000000000000000000000000000000000000ab"

func TestIssuancesStateMachine(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		in := testIssuance("campaign-1", 100)
		in.AmountRaw = new(big.Int).Set(maxU256) // exact at 2^256-1
		in.Status, in.Error, in.HasNonce = IssuanceCredited, "ignored", true
		got, created, err := db.CreateIssuance(ctx, in)
		if err != nil || !created {
			t.Fatalf("CreateIssuance = %+v, %v, %v", got, created, err)
		}
		want := Issuance{Brand: 1, Reference: "campaign-1", Customer: 2, Asset: 3, Amount: 2500, AmountRaw: maxU256,
			Status: IssuancePending, CreatedAt: 100, UpdatedAt: 100}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("created %+v, want %+v", got, want)
		}

		// A repeat returns the stored row and ErrDuplicate, changing nothing.
		again := testIssuance("campaign-1", 200)
		again.Amount, again.Customer = 1, 9
		got, created, err = db.CreateIssuance(ctx, again)
		if !errors.Is(err, ErrDuplicate) || created || !reflect.DeepEqual(got, want) {
			t.Fatalf("repeat = %+v, %v, %v; want the first row and ErrDuplicate", got, created, err)
		}
		// Another brand may use the same reference.
		other := testIssuance("campaign-1", 150)
		other.Brand = 7
		if _, created, err := db.CreateIssuance(ctx, other); err != nil || !created {
			t.Fatalf("another brand's same reference: %v, %v", created, err)
		}

		// Illegal moves from pending.
		if err := db.MarkIssuanceCredited(ctx, 1, "campaign-1", 0, 5, 300); !errors.Is(err, ErrConflict) {
			t.Errorf("credit a pending issuance: %v, want ErrConflict", err)
		}
		if err := db.MarkIssuanceMinting(ctx, 1, "nope", 0, []byte{1}, issHash, 300); !errors.Is(err, ErrNotFound) {
			t.Errorf("mint a missing issuance: %v, want ErrNotFound", err)
		}
		if err := db.MarkIssuanceMinting(ctx, 1, "campaign-1", 0, nil, issHash, 300); !errors.Is(err, ErrInvalid) {
			t.Errorf("no signed tx: %v, want ErrInvalid", err)
		}
		if err := db.MarkIssuanceMinting(ctx, 1, "campaign-1", 0, []byte{1}, strings.ToUpper(issHash), 300); !errors.Is(err, ErrInvalid) {
			t.Errorf("bad hash: %v, want ErrInvalid", err)
		}

		if n, err := db.NextIssuanceNonce(ctx); err != nil || n != 0 {
			t.Fatalf("NextIssuanceNonce before any = %d, %v", n, err)
		}
		if err := db.MarkIssuanceMinting(ctx, 1, "campaign-1", 41, []byte{0xde, 0xad}, issHash, 300); err != nil {
			t.Fatal(err)
		}
		if n, err := db.NextIssuanceNonce(ctx); err != nil || n != 42 {
			t.Fatalf("NextIssuanceNonce = %d, %v; want 42", n, err)
		}
		if err := db.MarkIssuanceMinting(ctx, 1, "campaign-1", 43, []byte{1}, issHash, 301); !errors.Is(err, ErrConflict) {
			t.Errorf("sign a minting issuance again: %v, want ErrConflict", err)
		}
		if err := db.MarkIssuanceCredited(ctx, 1, "campaign-1", 3, 77, 400); err != nil {
			t.Fatal(err)
		}
		got, err = db.Issuance(ctx, 1, "campaign-1")
		want.Status, want.Nonce, want.HasNonce, want.SignedTx, want.TxHash = IssuanceCredited, 41, true, []byte{0xde, 0xad}, issHash
		want.LogIndex, want.HasLogIndex, want.CreditedSeq, want.UpdatedAt = 3, true, 77, 400
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("credited = %+v, %v; want %+v", got, err, want)
		}
		if err := db.MarkIssuanceFailed(ctx, 1, "campaign-1", "late", 500); !errors.Is(err, ErrConflict) {
			t.Errorf("fail a credited issuance: %v, want ErrConflict", err)
		}
		if err := db.MarkIssuanceCredited(ctx, 1, "campaign-1", 3, 77, 500); !errors.Is(err, ErrConflict) {
			t.Errorf("credit twice: %v, want ErrConflict", err)
		}

		// pending → failed, and minting → failed.
		if err := db.MarkIssuanceFailed(ctx, 7, "campaign-1", "", 500); !errors.Is(err, ErrInvalid) {
			t.Errorf("no reason: %v, want ErrInvalid", err)
		}
		if err := db.MarkIssuanceFailed(ctx, 7, "campaign-1", "not a minter", 500); err != nil {
			t.Fatal(err)
		}
		mustIssuance(t, db, testIssuance("b", 50))
		if err := db.MarkIssuanceMinting(ctx, 1, "b", 42, []byte{1}, issHash, 60); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkIssuanceFailed(ctx, 1, "b", "reverted", 70); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkIssuanceMinting(ctx, 1, "b", 43, []byte{1}, issHash, 80); !errors.Is(err, ErrConflict) {
			t.Errorf("sign a failed issuance: %v, want ErrConflict", err)
		}
		got, err = db.Issuance(ctx, 1, "b")
		if err != nil || got.Status != IssuanceFailed || got.Error != "reverted" || got.HasLogIndex || got.CreditedSeq != 0 {
			t.Fatalf("failed = %+v, %v", got, err)
		}
	})
}

func mustIssuance(t *testing.T, db *DB, is Issuance) {
	t.Helper()
	if _, created, err := db.CreateIssuance(context.Background(), is); err != nil || !created {
		t.Fatalf("create issuance %q: %v, %v", is.Reference, created, err)
	}
}

func TestIssuancesRefuseBadValues(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		for name, mod := range map[string]func(*Issuance){
			"brand 0":        func(is *Issuance) { is.Brand = 0 },
			"customer 0":     func(is *Issuance) { is.Customer = 0 },
			"asset 0":        func(is *Issuance) { is.Asset = 0 },
			"amount 0":       func(is *Issuance) { is.Amount = 0 },
			"negative":       func(is *Issuance) { is.Amount = -1 },
			"empty ref":      func(is *Issuance) { is.Reference = "" },
			"long ref":       func(is *Issuance) { is.Reference = strings.Repeat("r", MaxIssuanceReference+1) },
			"nil raw":        func(is *Issuance) { is.AmountRaw = nil },
			"raw 0":          func(is *Issuance) { is.AmountRaw = new(big.Int) },
			"negative raw":   func(is *Issuance) { is.AmountRaw = big.NewInt(-1) },
			"raw above u256": func(is *Issuance) { is.AmountRaw = new(big.Int).Add(maxU256, big.NewInt(1)) },
		} {
			is := testIssuance("x", 1)
			mod(&is)
			if _, _, err := db.CreateIssuance(ctx, is); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			}
		}
		if _, err := db.ListIssuancesByStatus(ctx, "minted", 10); !errors.Is(err, ErrInvalid) {
			t.Errorf("unknown status: %v", err)
		}
	})
}

func TestIssuancesListOldestFirstAndExactRaw(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		raws := []*big.Int{big.NewInt(1), bigPow(2, 64), bigPow(2, 255), new(big.Int).Set(maxU256), bigPow(10, 30)}
		for i, raw := range raws {
			is := testIssuance(string(rune('e'-i)), int64(10-i)) // later references are older
			is.AmountRaw = raw
			mustIssuance(t, db, is)
		}
		if err := db.MarkIssuanceMinting(ctx, 1, "d", 0, []byte{1}, issHash, 20); err != nil {
			t.Fatal(err)
		}
		list, err := db.ListIssuancesByStatus(ctx, IssuancePending, 3)
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for _, is := range list {
			refs = append(refs, is.Reference)
		}
		if want := []string{"a", "b", "c"}; !reflect.DeepEqual(refs, want) {
			t.Fatalf("pending, oldest first: %v, want %v", refs, want)
		}
		for i, raw := range raws {
			is, err := db.Issuance(ctx, 1, string(rune('e'-i)))
			if err != nil || is.AmountRaw.Cmp(raw) != 0 {
				t.Errorf("raw %v read back as %v (%v)", raw, is.AmountRaw, err)
			}
		}
		if list, err := db.ListIssuancesByStatus(ctx, IssuanceMinting, 10); err != nil || len(list) != 1 || list[0].Reference != "d" {
			t.Fatalf("minting: %+v, %v", list, err)
		}
	})
}
