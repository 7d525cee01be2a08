package sqlstore

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestAPIKeys(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustAccount(t, db, 1, AccountMarketMaker)
		mustAccount(t, db, 2, AccountConsumer)
		pub := bytes.Repeat([]byte{0xed}, 32)
		ed := APIKey{ID: "k-ed", Account: 1, Kind: APIKeyEd25519, PublicKey: pub,
			Scopes: []Scope{ScopeRead, ScopeTrade}, Label: "quoter", CreatedAt: 10}
		hm := APIKey{ID: "k-hmac", Account: 1, Kind: APIKeyHMAC, SecretEncrypted: []byte("sealed"),
			Scopes: []Scope{ScopeAdmin, ScopeIssue, ScopeWithdraw, ScopeRead}, CreatedAt: 20}
		for _, k := range []APIKey{hm, ed} {
			if err := db.CreateAPIKey(ctx, k); err != nil {
				t.Fatalf("create %s: %v", k.ID, err)
			}
			got, err := db.APIKey(ctx, k.ID)
			if err != nil || !reflect.DeepEqual(got, k) {
				t.Fatalf("APIKey(%s) = %+v, %v; want %+v", k.ID, got, err, k)
			}
		}
		if !ed.HasScope(ScopeTrade) || ed.HasScope(ScopeWithdraw) {
			t.Error("HasScope")
		}
		if err := db.CreateAPIKey(ctx, ed); !errors.Is(err, ErrDuplicate) {
			t.Errorf("same id again: %v, want ErrDuplicate", err)
		}
		if _, err := db.APIKey(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing key: %v, want ErrNotFound", err)
		}

		bad := map[string]func(k *APIKey){
			"empty id":             func(k *APIKey) { k.ID = "" },
			"id with a space":      func(k *APIKey) { k.ID = "a b" },
			"id too long":          func(k *APIKey) { k.ID = string(bytes.Repeat([]byte{'x'}, maxAPIKeyIDLen+1)) },
			"bad kind":             func(k *APIKey) { k.Kind = "rsa" },
			"short public key":     func(k *APIKey) { k.PublicKey = pub[:31] },
			"ed25519 with secret":  func(k *APIKey) { k.SecretEncrypted = []byte("s") },
			"hmac without secret":  func(k *APIKey) { k.Kind = APIKeyHMAC },
			"hmac with public key": func(k *APIKey) { k.Kind, k.SecretEncrypted = APIKeyHMAC, []byte("s") },
			"no scopes":            func(k *APIKey) { k.Scopes = nil },
			"bad scope":            func(k *APIKey) { k.Scopes = []Scope{ScopeRead, "root"} },
			"scope in capitals":    func(k *APIKey) { k.Scopes = []Scope{"READ"} },
			"scope twice":          func(k *APIKey) { k.Scopes = []Scope{ScopeRead, ScopeTrade, ScopeRead} },
			"unknown account":      func(k *APIKey) { k.Account = 99 },
		}
		for name, mutate := range bad {
			k := ed
			k.ID = "k-new"
			mutate(&k)
			if err := db.CreateAPIKey(ctx, k); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			}
		}
	})
}

func TestRevokeAPIKey(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustAccount(t, db, 1, AccountConsumer)
		mustAccount(t, db, 2, AccountConsumer)
		for i, id := range []string{"c", "a", "b"} {
			k := APIKey{ID: id, Account: 1, Kind: APIKeyHMAC, SecretEncrypted: []byte{1}, Scopes: []Scope{ScopeRead}, CreatedAt: int64(i)}
			if err := db.CreateAPIKey(ctx, k); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.RevokeAPIKey(ctx, 2, "a", 50); !errors.Is(err, ErrNotFound) {
			t.Errorf("another account's key: %v, want ErrNotFound", err)
		}
		if err := db.RevokeAPIKey(ctx, 1, "zz", 50); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing key: %v, want ErrNotFound", err)
		}
		if err := db.RevokeAPIKey(ctx, 1, "a", 50); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeAPIKey(ctx, 1, "a", 60); err != nil {
			t.Errorf("revoking again: %v, want nil", err)
		}
		k, err := db.APIKey(ctx, "a")
		if err != nil || k.RevokedAt != 50 {
			t.Errorf("revoked key: %+v, %v; want RevokedAt 50 (the first revocation)", k, err)
		}
		keys, err := db.ListAPIKeys(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, k := range keys {
			got = append(got, k.ID)
		}
		if !reflect.DeepEqual(got, []string{"c", "a", "b"}) {
			t.Errorf("ListAPIKeys = %v, want c a b (oldest first, revoked included)", got)
		}
		if keys, err := db.ListAPIKeys(ctx, 2); err != nil || len(keys) != 0 {
			t.Errorf("account 2's keys: %v, %v", keys, err)
		}
	})
}
