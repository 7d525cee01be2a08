package sqlstore

import (
	"context"
	"errors"
	"strings"
	"testing"
)

const (
	addrA = "0x00000000000000000000000000000000000000aa"
	addrB = "0xabcdef0123456789abcdef0123456789abcdef01"
)

// badAddresses are refused wherever an address is taken.
var badAddresses = map[string]string{
	"capitals":     "0xABCDEF0123456789abcdef0123456789abcdef01",
	"0X":           "0Xabcdef0123456789abcdef0123456789abcdef01",
	"no 0x":        "abcdef0123456789abcdef0123456789abcdef0123",
	"short":        "0xabcdef0123456789abcdef0123456789abcdef0",
	"long":         "0xabcdef0123456789abcdef0123456789abcdef012",
	"not hex":      "0xgbcdef0123456789abcdef0123456789abcdef01",
	"empty":        "",
	"only 0x":      "0x",
	"space inside": "0xabcdef0123456789abcdef 123456789abcdef01",
}

func TestWallets(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustAccount(t, db, 1, AccountConsumer)
		mustAccount(t, db, 2, AccountConsumer)
		if err := db.LinkWallet(ctx, 1, 5, addrB, "sig-1", 10); err != nil {
			t.Fatal(err)
		}
		want := Wallet{ChainID: 5, Address: addrB, Account: 1, Proof: "sig-1", VerifiedAt: 10}
		if w, err := db.Wallet(ctx, 5, addrB); err != nil || w != want {
			t.Fatalf("Wallet = %+v, %v; want %+v", w, err, want)
		}
		// The same account again: a fresh proof.
		if err := db.LinkWallet(ctx, 1, 5, addrB, "sig-2", 20); err != nil {
			t.Fatalf("relink by the same account: %v", err)
		}
		want.Proof, want.VerifiedAt = "sig-2", 20
		if w, err := db.Wallet(ctx, 5, addrB); err != nil || w != want {
			t.Fatalf("after relink: %+v, %v; want %+v", w, err, want)
		}
		// Another account: refused, and the link stays as it was.
		if err := db.LinkWallet(ctx, 2, 5, addrB, "sig-x", 30); !errors.Is(err, ErrDuplicate) {
			t.Errorf("another account's address: %v, want ErrDuplicate", err)
		}
		if w, err := db.Wallet(ctx, 5, addrB); err != nil || w != want {
			t.Errorf("after the refused link: %+v, %v; want %+v", w, err, want)
		}
		// The same address on another chain is another wallet.
		if err := db.LinkWallet(ctx, 2, 6, addrB, "sig-y", 30); err != nil {
			t.Errorf("same address, other chain: %v", err)
		}
		if err := db.LinkWallet(ctx, 1, 5, addrA, "sig-3", 40); err != nil {
			t.Fatal(err)
		}
		list, err := db.ListWallets(ctx, 1)
		if err != nil || len(list) != 2 || list[0].Address != addrA || list[1] != want {
			t.Errorf("ListWallets(1) = %+v, %v", list, err)
		}

		if _, err := db.Wallet(ctx, 7, addrB); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing wallet: %v, want ErrNotFound", err)
		}
		if err := db.UnlinkWallet(ctx, 2, 5, addrB); !errors.Is(err, ErrNotFound) {
			t.Errorf("unlink another account's wallet: %v, want ErrNotFound", err)
		}
		if err := db.UnlinkWallet(ctx, 1, 5, addrB); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Wallet(ctx, 5, addrB); !errors.Is(err, ErrNotFound) {
			t.Errorf("after unlink: %v, want ErrNotFound", err)
		}
		if err := db.UnlinkWallet(ctx, 1, 5, addrB); !errors.Is(err, ErrNotFound) {
			t.Errorf("unlink twice: %v, want ErrNotFound", err)
		}
		// Now free: account 2 may link it.
		if err := db.LinkWallet(ctx, 2, 5, addrB, "sig-z", 50); err != nil {
			t.Errorf("link after unlink: %v", err)
		}
	})
}

func TestWalletsInvalid(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustAccount(t, db, 1, AccountConsumer)
		for name, addr := range badAddresses {
			if err := db.LinkWallet(ctx, 1, 5, addr, "sig", 1); !errors.Is(err, ErrInvalid) {
				t.Errorf("link %s: %v, want ErrInvalid", name, err)
			}
			if _, err := db.Wallet(ctx, 5, addr); !errors.Is(err, ErrInvalid) {
				t.Errorf("read %s: %v, want ErrInvalid", name, err)
			}
			if err := db.UnlinkWallet(ctx, 1, 5, addr); !errors.Is(err, ErrInvalid) {
				t.Errorf("unlink %s: %v, want ErrInvalid", name, err)
			}
		}
		for name, err := range map[string]error{
			"chain 0":         db.LinkWallet(ctx, 1, 0, addrA, "sig", 1),
			"chain 2^63":      db.LinkWallet(ctx, 1, 1<<63, addrA, "sig", 1),
			"empty proof":     db.LinkWallet(ctx, 1, 5, addrA, "", 1),
			"unknown account": db.LinkWallet(ctx, 9, 5, addrA, "sig", 1),
		} {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			}
		}
		if err := db.LinkWallet(ctx, 1, 5, strings.ToUpper(addrB[2:]), "sig", 1); err == nil || !strings.Contains(err.Error(), "lowercase") {
			t.Errorf("the message should say what is wanted: %v", err)
		}
	})
}
