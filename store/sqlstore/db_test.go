package sqlstore

import (
	"context"
	"errors"
	"testing"

	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/migrations"
)

// eachDB runs f as a subtest on a fresh, migrated PostgreSQL schema and on
// a fresh SQLite file: every repository test runs on both.
func eachDB(t *testing.T, f func(t *testing.T, db *DB)) {
	t.Helper()
	for _, d := range []migrations.Dialect{migrations.Postgres, migrations.SQLite} {
		t.Run(string(d), func(t *testing.T) {
			f(t, openTestDB(t, d))
		})
	}
}

// openTestDB opens a fresh database of dialect d with the schema applied.
func openTestDB(t testing.TB, d migrations.Dialect) *DB {
	t.Helper()
	url := SQLiteURL(t.TempDir())
	if d == migrations.Postgres {
		url = servicetest.Postgres(t)
	}
	m, err := OpenMigrator(url)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Up(); err != nil {
		t.Fatalf("migrate up: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestErrorsAreTyped: constraint violations come back as this package's
// errors on both databases.
func TestErrorsAreTyped(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		insert := func(id int64, kind string) error {
			_, err := db.DB.ExecContext(ctx, db.q("INSERT INTO accounts (id, kind, created_at) VALUES (?, ?, ?)"), id, kind, 1)
			return mapError(err)
		}
		if err := insert(1, "consumer"); err != nil {
			t.Fatal(err)
		}
		if err := insert(1, "consumer"); !errors.Is(err, ErrDuplicate) {
			t.Errorf("duplicate id: %v", err)
		}
		if err := insert(2, "pirate"); !errors.Is(err, ErrInvalid) {
			t.Errorf("bad kind: %v", err)
		}
		var kind string
		err := mapError(db.DB.QueryRowContext(ctx, db.q("SELECT kind FROM accounts WHERE id = ?"), 99).Scan(&kind))
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("missing row: %v", err)
		}
		_, err = db.DB.ExecContext(ctx, db.q("INSERT INTO wallets (chain_id, address, account_id, proof, verified_at) VALUES (?, ?, ?, ?, ?)"),
			1, "0x"+"ab"+"0123456789abcdef0123456789abcdef012345", 1, "p", 1)
		if err != nil {
			t.Fatalf("a good wallet: %v", err)
		}
		_, err = db.DB.ExecContext(ctx, db.q("INSERT INTO wallets (chain_id, address, account_id, proof, verified_at) VALUES (?, ?, ?, ?, ?)"),
			1, "0xZZ0123456789abcdef0123456789abcdef012345", 1, "p", 1)
		if err = mapError(err); !errors.Is(err, ErrInvalid) {
			t.Errorf("a bad address: %v", err)
		}
	})
}
