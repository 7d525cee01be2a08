package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/lpx-exchange/lpx/migrations"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Errors the repositories return instead of the drivers' own. Compare with
// errors.Is.
var (
	ErrNotFound  = errors.New("sqlstore: not found")
	ErrDuplicate = errors.New("sqlstore: already exists")
	// ErrInvalid: a value the schema refuses (a check or a reference).
	ErrInvalid = errors.New("sqlstore: invalid value")
	// ErrConflict: the row is not in a state that allows the change (a
	// withdrawal that is not pending cannot be signed, say).
	ErrConflict = errors.New("sqlstore: conflicting state")
)

// DB is an open lpx database, PostgreSQL or SQLite.
type DB struct {
	DB      *sql.DB
	Dialect migrations.Dialect
	url     string
}

// Target is where a database URL points: its dialect and the driver's
// name and data source.
type Target struct {
	Dialect    migrations.Dialect
	DriverName string
	DSN        string
}

// ParseURL reads a database URL: postgres:// or postgresql:// for
// PostgreSQL; sqlite://PATH (or sqlite:PATH) for a SQLite file, opened in
// WAL mode with a busy timeout, foreign keys on and write transactions
// that take the lock at BEGIN.
func ParseURL(raw string) (Target, error) {
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok {
		return Target{}, fmt.Errorf("sqlstore: database URL %q has no scheme (postgres:// or sqlite://)", raw)
	}
	switch scheme {
	case "postgres", "postgresql":
		if _, err := url.Parse(raw); err != nil {
			return Target{}, fmt.Errorf("sqlstore: database URL: %w", err)
		}
		return Target{Dialect: migrations.Postgres, DriverName: "pgx", DSN: raw}, nil
	case "sqlite":
		path := strings.TrimPrefix(rest, "//")
		if path == "" {
			return Target{}, fmt.Errorf("sqlstore: database URL %q names no file", raw)
		}
		if i := strings.IndexByte(path, '?'); i >= 0 {
			return Target{}, fmt.Errorf("sqlstore: database URL %q: sqlite takes no parameters here", raw)
		}
		q := url.Values{}
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "synchronous(FULL)")
		q.Set("_txlock", "immediate")
		return Target{Dialect: migrations.SQLite, DriverName: "sqlite", DSN: "file:" + path + "?" + q.Encode()}, nil
	}
	return Target{}, fmt.Errorf("sqlstore: database URL scheme %q: want postgres:// or sqlite://", scheme)
}

// SQLiteURL is the URL of a SQLite database file in dir.
func SQLiteURL(dir string) string { return "sqlite://" + filepath.Join(dir, "lpx.db") }

// Open opens the database at url (it must exist for PostgreSQL; a SQLite
// file is created, with its directory). SQLite gets a single connection:
// one writer at a time, as SQLite allows, instead of SQLITE_BUSY errors.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	t, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	db, err := openTarget(t)
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlstore: %s: %w", t.Dialect, err)
	}
	return &DB{DB: db, Dialect: t.Dialect, url: rawURL}, nil
}

func openTarget(t Target) (*sql.DB, error) {
	if t.Dialect == migrations.SQLite {
		path := strings.TrimPrefix(t.DSN[:strings.IndexByte(t.DSN, '?')], "file:")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("sqlstore: %w", err)
		}
	}
	db, err := sql.Open(t.DriverName, t.DSN)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	if t.Dialect == migrations.SQLite {
		db.SetMaxOpenConns(1)
	}
	return db, nil
}

// Migrator returns a migrator on a connection of its own (the caller
// closes it).
func (db *DB) Migrator() (*migrations.Migrator, error) {
	return OpenMigrator(db.url)
}

// OpenMigrator returns a migrator for the database at url.
func OpenMigrator(rawURL string) (*migrations.Migrator, error) {
	t, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	db, err := openTarget(t)
	if err != nil {
		return nil, err
	}
	return migrations.New(db, t.Dialect)
}

// Close closes the database.
func (db *DB) Close() error { return db.DB.Close() }

// q rewrites a query written with ? placeholders for the dialect
// (PostgreSQL numbers them: $1, $2, ...). Queries hold no ? elsewhere.
func (db *DB) q(query string) string {
	if db.Dialect != migrations.Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// mapError turns a driver's constraint error into ErrDuplicate or
// ErrInvalid (wrapping the original for the logs), sql.ErrNoRows into
// ErrNotFound, and leaves anything else as it is.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505":
			return fmt.Errorf("%w: %s", ErrDuplicate, pg.ConstraintName)
		case "23503", "23514", "23502", "22P02", "22003", "23P01":
			return fmt.Errorf("%w: %s %s", ErrInvalid, pg.ConstraintName, pg.Message)
		}
		return err
	}
	var sq *sqlite.Error
	if errors.As(err, &sq) {
		switch sq.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %v", ErrDuplicate, sq)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_DATATYPE:
			return fmt.Errorf("%w: %v", ErrInvalid, sq)
		}
	}
	return err
}
