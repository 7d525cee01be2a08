package node

import (
	"context"
	"errors"
	"fmt"

	"github.com/lpx-exchange/lpx/migrations"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// PrepareDatabase makes sure the SQL database at url has the schema this
// lpx needs before the server uses it. It refuses, with an error wrapping
// migrations.ErrSchema that names the fix, a dirty schema and one newer
// than this lpx knows. Otherwise, with autoMigrate it applies the pending
// migrations; without, it refuses a schema that is behind (an empty
// database included) and says to run `lpx migrate up`: a server told not
// to migrate must not run on tables it does not know.
func PrepareDatabase(ctx context.Context, url string, autoMigrate bool) error {
	// Open pings within ctx, so an unreachable database fails here and in
	// time; the migrator opens a connection of its own.
	db, err := sqlstore.Open(ctx, url)
	if err != nil {
		return fmt.Errorf("node: database: %w", err)
	}
	dialect := db.Dialect
	if err := db.Close(); err != nil {
		return fmt.Errorf("node: database: %w", err)
	}
	m, err := sqlstore.OpenMigrator(url)
	if err != nil {
		return fmt.Errorf("node: database: %w", err)
	}
	defer m.Close()

	// Check first: migrate's own errors for a dirty or newer schema do not
	// say what to do.
	if err := m.Check(); err != nil {
		return err
	}
	if autoMigrate {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := m.Up(); err != nil && !errors.Is(err, migrations.ErrNoChange) {
			return fmt.Errorf("node: migrate the database: %w", err)
		}
		return m.Check()
	}
	v, _, ok, err := m.Version()
	if err != nil {
		return err
	}
	latest, err := migrations.Latest(dialect)
	if err != nil {
		return err
	}
	switch {
	case !ok:
		return fmt.Errorf("%w: the database has no schema and migrating on start is off; run `lpx migrate up`", migrations.ErrSchema)
	case v < latest:
		return fmt.Errorf("%w: the schema is at version %d, this lpx needs %d, and migrating on start is off; run `lpx migrate up`", migrations.ErrSchema, v, latest)
	}
	return nil
}
