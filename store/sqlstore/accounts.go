package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
)

// AccountKind is what an account is for.
type AccountKind string

// The kinds of account the schema allows.
const (
	AccountConsumer    AccountKind = "consumer"
	AccountBrand       AccountKind = "brand"
	AccountMarketMaker AccountKind = "market_maker"
	AccountOperator    AccountKind = "operator"
)

func (k AccountKind) valid() bool {
	switch k {
	case AccountConsumer, AccountBrand, AccountMarketMaker, AccountOperator:
		return true
	}
	return false
}

// Account is an account's row. ID is the engine's AccountID.
type Account struct {
	ID        uint32
	Kind      AccountKind
	Name      string
	CreatedAt int64 // Unix nanoseconds
}

// MaxPageSize is the largest limit a List method accepts.
const MaxPageSize = 1000

// CreateAccount stores a new account under the id the engine gave it.
// An id already stored is ErrDuplicate; id 0 or an unknown kind is
// ErrInvalid.
func (db *DB) CreateAccount(ctx context.Context, a Account) error {
	return db.createAccount(ctx, db.DB, a)
}

// createAccount is CreateAccount on ex: the database or a transaction.
func (db *DB) createAccount(ctx context.Context, ex execer, a Account) error {
	if err := checkAccount(a); err != nil {
		return err
	}
	_, err := ex.ExecContext(ctx, db.q("INSERT INTO accounts (id, kind, name, created_at) VALUES (?, ?, ?, ?)"),
		int64(a.ID), string(a.Kind), a.Name, a.CreatedAt)
	return dbErr(err, "create account %d", a.ID)
}

// checkAccount refuses what CreateAccount refuses before asking the
// database: id 0 and an unknown kind.
func checkAccount(a Account) error {
	if a.ID == 0 {
		return invalidf("account id 0")
	}
	if !a.Kind.valid() {
		return invalidf("account kind %q", a.Kind)
	}
	return nil
}

// Account returns the account with id, or ErrNotFound.
func (db *DB) Account(ctx context.Context, id uint32) (Account, error) {
	row := db.DB.QueryRowContext(ctx, db.q("SELECT "+accountSelect+" FROM accounts WHERE id = ?"), int64(id))
	a, err := scanAccount(row)
	return a, dbErr(err, "account %d", id)
}

// ListAccounts returns up to limit accounts with ids above afterID (0:
// from the first), in id order, only those of kind unless kind is "". The
// next page starts after the last id returned.
func (db *DB) ListAccounts(ctx context.Context, kind AccountKind, afterID uint32, limit int) ([]Account, error) {
	if err := checkLimit(limit); err != nil {
		return nil, err
	}
	query := "SELECT " + accountSelect + " FROM accounts WHERE id > ?"
	args := []any{int64(afterID)}
	if kind != "" {
		if !kind.valid() {
			return nil, invalidf("account kind %q", kind)
		}
		query += " AND kind = ?"
		args = append(args, string(kind))
	}
	query += " ORDER BY id LIMIT ?"
	list, err := queryList(ctx, db, scanAccount, query, append(args, limit)...)
	return list, dbErr(err, "list accounts")
}

const accountSelect = "id, kind, name, created_at"

func scanAccount(r rowScanner) (Account, error) {
	var a Account
	var id int64
	var kind string
	err := r.Scan(&id, &kind, &a.Name, &a.CreatedAt)
	a.ID, a.Kind = uint32(id), AccountKind(kind)
	return a, err
}

// What follows is shared by the repositories of this package.

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// execer is a *sql.DB or a *sql.Tx: a statement that runs alone or in a
// transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// queryList runs a query written with ? placeholders and scans every row.
// It returns an empty (not nil) slice when there are none.
func queryList[T any](ctx context.Context, db *DB, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.DB.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, rows.Err()
}

// invalidf is an ErrInvalid that says what is wrong.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// dbErr maps a driver's error to this package's (mapError) and says what
// was being done: "account 7: sqlstore: not found". An error that is not
// one of the typed ones (a lost connection, say) is wrapped as it is, for
// the logs. A nil error stays nil.
func dbErr(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	err = mapError(err)
	what := fmt.Sprintf(format, args...)
	for _, typed := range []error{ErrNotFound, ErrDuplicate, ErrInvalid, ErrConflict} {
		if errors.Is(err, typed) {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return fmt.Errorf("sqlstore: %s: %w", what, err)
}

// checkLimit refuses a page size outside 1..MaxPageSize.
func checkLimit(limit int) error {
	if limit < 1 || limit > MaxPageSize {
		return invalidf("page size %d is not within 1..%d", limit, MaxPageSize)
	}
	return nil
}

// int63 is v as the BIGINT it is stored in, or ErrInvalid when it does
// not fit (above 2^63-1).
func int63(field string, v uint64) (int64, error) {
	if v > math.MaxInt64 {
		return 0, invalidf("%s %d is above 2^63-1", field, v)
	}
	return int64(v), nil
}

// nullIfZero binds 0 as NULL (an optional time or sequence number).
func nullIfZero(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}
