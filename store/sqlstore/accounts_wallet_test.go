package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
)

func TestCreateAccountWithWallet(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := Account{ID: 7, Kind: AccountConsumer, Name: "first sign-in", CreatedAt: 100}
		w := Wallet{ChainID: 5, Address: addrB, Proof: "siwe-sig", VerifiedAt: 100} // Account 0: the new one
		if err := db.CreateAccountWithWallet(ctx, a, w); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Account(ctx, 7); err != nil || got != a {
			t.Errorf("Account = %+v, %v; want %+v", got, err, a)
		}
		w.Account = 7
		if got, err := db.Wallet(ctx, 5, addrB); err != nil || got != w {
			t.Errorf("Wallet = %+v, %v; want %+v", got, err, w)
		}
		if list, err := db.ListWallets(ctx, 7); err != nil || !reflect.DeepEqual(list, []Wallet{w}) {
			t.Errorf("ListWallets = %+v, %v", list, err)
		}

		// w.Account may name the new account.
		a8 := Account{ID: 8, Kind: AccountBrand, CreatedAt: 1}
		w8 := Wallet{ChainID: 5, Address: addrA, Account: 8, Proof: "p", VerifiedAt: 1}
		if err := db.CreateAccountWithWallet(ctx, a8, w8); err != nil {
			t.Fatalf("w.Account = a.ID: %v", err)
		}
		if got, err := db.Wallet(ctx, 5, addrA); err != nil || got != w8 {
			t.Errorf("Wallet = %+v, %v; want %+v", got, err, w8)
		}
	})
}

// TestCreateAccountWithWalletRollback: when the wallet is linked already
// the account inserted in the same transaction is rolled back; when the
// account id is taken no wallet is linked; and the database is usable
// afterwards (SQLite's one connection is not left in a transaction).
func TestCreateAccountWithWalletRollback(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustAccount(t, db, 1, AccountConsumer)
		if err := db.LinkWallet(ctx, 1, 5, addrB, "sig-1", 10); err != nil {
			t.Fatal(err)
		}
		linked := Wallet{ChainID: 5, Address: addrB, Account: 1, Proof: "sig-1", VerifiedAt: 10}

		// The wallet is another account's: nothing is created and the link
		// is untouched.
		a := Account{ID: 2, Kind: AccountConsumer, CreatedAt: 20}
		err := db.CreateAccountWithWallet(ctx, a, Wallet{ChainID: 5, Address: addrB, Proof: "sig-2", VerifiedAt: 20})
		if !errors.Is(err, ErrDuplicate) {
			t.Fatalf("wallet taken: %v, want ErrDuplicate", err)
		}
		if _, err := db.Account(ctx, 2); !errors.Is(err, ErrNotFound) {
			t.Errorf("account after the refused create: %v, want ErrNotFound (rolled back)", err)
		}
		if got, err := db.Wallet(ctx, 5, addrB); err != nil || got != linked {
			t.Errorf("wallet after the refused create: %+v, %v; want %+v", got, err, linked)
		}
		if list, err := db.ListAccounts(ctx, "", 0, 10); err != nil || len(list) != 1 {
			t.Errorf("accounts after the refused create: %+v, %v; want account 1 only", list, err)
		}

		// The account id is taken: no wallet is linked to anyone.
		err = db.CreateAccountWithWallet(ctx, Account{ID: 1, Kind: AccountBrand, CreatedAt: 30}, Wallet{ChainID: 5, Address: addrA, Proof: "p", VerifiedAt: 30})
		if !errors.Is(err, ErrDuplicate) {
			t.Errorf("account id taken: %v, want ErrDuplicate", err)
		}
		if _, err := db.Wallet(ctx, 5, addrA); !errors.Is(err, ErrNotFound) {
			t.Errorf("wallet after the refused create: %v, want ErrNotFound", err)
		}
		if got, err := db.Account(ctx, 1); err != nil || got.Kind != AccountConsumer {
			t.Errorf("account 1 after the refused create: %+v, %v; want it unchanged", got, err)
		}

		// Same address, another chain: another wallet, free. The same
		// account id as the rolled-back attempt can be created now.
		if err := db.CreateAccountWithWallet(ctx, a, Wallet{ChainID: 6, Address: addrB, Proof: "sig-3", VerifiedAt: 40}); err != nil {
			t.Fatalf("after the rollbacks: %v", err)
		}
		if got, err := db.Wallet(ctx, 6, addrB); err != nil || got.Account != 2 {
			t.Errorf("new wallet: %+v, %v", got, err)
		}
	})
}

func TestCreateAccountWithWalletInvalid(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustAccount(t, db, 9, AccountConsumer)
		goodA := Account{ID: 1, Kind: AccountConsumer, CreatedAt: 1}
		goodW := Wallet{ChainID: 5, Address: addrA, Proof: "p", VerifiedAt: 1}
		bad := map[string]func(a *Account, w *Wallet){
			"account id 0":   func(a *Account, w *Wallet) { a.ID = 0 },
			"account kind":   func(a *Account, w *Wallet) { a.Kind = "pirate" },
			"chain 0":        func(a *Account, w *Wallet) { w.ChainID = 0 },
			"chain 2^63":     func(a *Account, w *Wallet) { w.ChainID = 1 << 63 },
			"empty proof":    func(a *Account, w *Wallet) { w.Proof = "" },
			"other account":  func(a *Account, w *Wallet) { w.Account = 9 },
			"wallet account": func(a *Account, w *Wallet) { w.Account = 2 },
		}
		for name, addr := range badAddresses {
			bad["address "+name] = func(a *Account, w *Wallet) { w.Address = addr }
		}
		for name, mutate := range bad {
			a, w := goodA, goodW
			mutate(&a, &w)
			if err := db.CreateAccountWithWallet(ctx, a, w); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			}
		}
		if list, err := db.ListAccounts(ctx, "", 0, 10); err != nil || len(list) != 1 {
			t.Errorf("accounts after the refused creates: %+v, %v; want account 9 only", list, err)
		}
		if list, err := db.ListWallets(ctx, 9); err != nil || len(list) != 0 {
			t.Errorf("account 9's wallets: %+v, %v; want none", list, err)
		}
	})
}

// TestCreateAccountWithWalletRace: first sign-ins of one wallet racing
// under different account ids: one wins, the others get ErrDuplicate and
// leave no account behind.
func TestCreateAccountWithWalletRace(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = db.CreateAccountWithWallet(ctx, Account{ID: uint32(i + 1), Kind: AccountConsumer, CreatedAt: 1},
					Wallet{ChainID: 5, Address: addrB, Proof: fmt.Sprint("sig-", i), VerifiedAt: 1})
			}()
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Errorf("both %d and %d linked the wallet", winner+1, i+1)
			case err == nil:
				winner = i
			case !errors.Is(err, ErrDuplicate):
				t.Errorf("account %d: %v, want nil or ErrDuplicate", i+1, err)
			}
		}
		if winner < 0 {
			t.Fatal("no sign-in won")
		}
		w, err := db.Wallet(ctx, 5, addrB)
		if err != nil || w.Account != uint32(winner+1) {
			t.Errorf("Wallet = %+v, %v; want account %d's", w, err, winner+1)
		}
		if list, err := db.ListAccounts(ctx, "", 0, 10); err != nil || len(list) != 1 || list[0].ID != uint32(winner+1) {
			t.Errorf("accounts: %+v, %v; want only the winner, %d", list, err, winner+1)
		}
	})
}
