package migrations

import (
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/database"
	"github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/database/sqlite"
	"github.com/golang-migrate/migrate/v4/source/iofs"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// Dialect is a supported SQL database.
type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// ErrNoChange: there was nothing to migrate.
var ErrNoChange = migrate.ErrNoChange

// ErrSchema is returned (wrapped) by Check for a schema the binary must
// not run on: dirty, or newer than it knows.
var ErrSchema = errors.New("migrations: the database schema is not usable")

// Latest is the newest version the binary has for d.
func Latest(d Dialect) (uint, error) {
	vs, err := versions(d)
	if err != nil || len(vs) == 0 {
		return 0, err
	}
	return vs[len(vs)-1], nil
}

// versions lists the versions the binary has for d, in ascending order.
func versions(d Dialect) ([]uint, error) {
	entries, err := fs.ReadDir(files, string(d))
	if err != nil {
		return nil, fmt.Errorf("migrations: %s: %w", d, err)
	}
	var vs []uint
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.ParseUint(num, 10, 32)
		if !ok || err != nil {
			return nil, fmt.Errorf("migrations: %s/%s is not named <version>_<name>.<up|down>.sql", d, e.Name())
		}
		vs = append(vs, uint(v))
	}
	slices.Sort(vs)
	return slices.Compact(vs), nil
}

// previous is the newest known version below v, or -1 (none) when v is
// the first: the version to force when applying migration v failed.
func previous(vs []uint, v uint) int {
	prev := -1
	for _, known := range vs {
		if known < v {
			prev = int(known)
		}
	}
	return prev
}

// next is the oldest known version above v (-1: none): the version to
// force when reverting it (down to v) failed.
func next(vs []uint, v int) int {
	for _, known := range vs {
		if int(known) > v {
			return int(known)
		}
	}
	return -1
}

// dirtyError explains a dirty schema. migrate records the version a
// migration goes to, dirty, before running it: after a failed up that is
// the migration's own version, after a failed down the one below it. In
// PostgreSQL and SQLite a migration runs in a transaction, so a failure
// usually leaves the schema as it was before the migration.
func dirtyError(vs []uint, v int) error {
	at := fmt.Sprintf("at version %d", v)
	var cures []string
	if v >= 0 {
		cures = append(cures, fmt.Sprintf("`lpx migrate force %d` if applying migration %d failed", previous(vs, uint(v)), v))
	} else {
		at = "with no version"
	}
	if n := next(vs, v); n >= 0 {
		cures = append(cures, fmt.Sprintf("`lpx migrate force %d` if reverting migration %d failed", n, n))
	}
	return fmt.Errorf("%w: the schema is dirty %s: a migration failed part-way. Look at what it changed and repair it if needed, then record the version the schema is really at and start again: %s",
		ErrSchema, at, strings.Join(cures, ", or "))
}

// Migrator applies the embedded migrations to one database.
type Migrator struct {
	m       *migrate.Migrate
	driver  database.Driver // read directly by Version, which migrate hides a dirty "no version" from
	dialect Dialect
}

// New returns a migrator for db, which it owns: Close closes db.
func New(db *sql.DB, d Dialect) (*Migrator, error) {
	var driver database.Driver
	var err error
	switch d {
	case Postgres:
		driver, err = pgx.WithInstance(db, &pgx.Config{})
	case SQLite:
		driver, err = sqlite.WithInstance(db, &sqlite.Config{})
	default:
		err = fmt.Errorf("unknown dialect %q", d)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("migrations: %w", err)
	}
	src, err := iofs.New(files, string(d))
	if err != nil {
		driver.Close()
		return nil, fmt.Errorf("migrations: %w", err)
	}
	m, err := migrate.NewWithInstance("iofs", src, string(d), driver)
	if err != nil {
		driver.Close()
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return &Migrator{m: m, driver: driver, dialect: d}, nil
}

// Up applies every pending migration (ErrNoChange if none).
func (m *Migrator) Up() error { return wrap(m.m.Up()) }

// Down reverts n migrations, or all of them when n <= 0 (ErrNoChange when
// none is applied). Asked for more than are applied, it reverts them all
// and says so in an error.
func (m *Migrator) Down(n int) error {
	if n <= 0 {
		return wrap(m.m.Down())
	}
	if _, dirty, ok, err := m.Version(); err != nil {
		return err
	} else if !ok && !dirty {
		return ErrNoChange // migrate's Steps would say "file does not exist"
	}
	err := m.m.Steps(-n)
	var short migrate.ErrShortLimit
	if errors.As(err, &short) {
		return fmt.Errorf("migrations: asked to revert %d migrations but only %d were applied: reverted them all", n, n-int(short.Short))
	}
	return wrap(err)
}

// Version is the schema's version, whether it is dirty, and ok false when
// no version is recorded. dirty with ok false is a failed revert of the
// first migration.
func (m *Migrator) Version() (version uint, dirty, ok bool, err error) {
	v, dirty, err := m.driver.Version()
	if err != nil {
		return 0, false, false, fmt.Errorf("migrations: %w", err)
	}
	if v == database.NilVersion {
		return 0, dirty, false, nil
	}
	return uint(v), dirty, true, nil
}

// Force records version v as applied and clean without running anything
// (-1: none), the cure for a dirty schema after looking at what the failed
// migration did. v must be a version the binary knows, or -1: migrate
// cannot go up from a version it has no file for.
func (m *Migrator) Force(v int) error {
	vs, err := versions(m.dialect)
	if err != nil {
		return err
	}
	if v != database.NilVersion && (v < 0 || !slices.Contains(vs, uint(v))) {
		return fmt.Errorf("migrations: cannot force version %d: it is not a migration this lpx knows (its versions: %v; -1 for none)", v, vs)
	}
	return wrap(m.m.Force(v))
}

// Check refuses a dirty schema and one newer than this binary knows. An
// empty schema passes: whether that is acceptable is the caller's call.
func (m *Migrator) Check() error {
	v, dirty, ok, err := m.Version()
	if err != nil {
		return err
	}
	if !ok && !dirty {
		return nil
	}
	vs, err := versions(m.dialect)
	if err != nil {
		return err
	}
	if !ok {
		return dirtyError(vs, database.NilVersion)
	}
	var latest uint
	if len(vs) > 0 {
		latest = vs[len(vs)-1]
	}
	switch {
	case v > latest:
		return fmt.Errorf("%w: the schema is at version %d but this lpx knows only up to %d; run a newer lpx, or `lpx migrate down %d` with the newer one first", ErrSchema, v, latest, v-latest)
	case dirty:
		return dirtyError(vs, int(v))
	}
	return nil
}

// Close releases the migrator and its database.
func (m *Migrator) Close() error {
	serr, derr := m.m.Close()
	return errors.Join(serr, derr)
}

func wrap(err error) error {
	if err == nil || errors.Is(err, migrate.ErrNoChange) {
		return err
	}
	return fmt.Errorf("migrations: %w", err)
}
