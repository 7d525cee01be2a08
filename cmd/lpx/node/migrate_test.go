package node_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lpx-exchange/lpx/cmd/lpx/node"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/migrations"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// TestPrepareDatabase: on both databases the server migrates an empty
// database when told to, refuses one without a schema when not, and
// refuses a dirty or newer schema either way with the fix in the message.
func TestPrepareDatabase(t *testing.T) {
	for _, d := range []migrations.Dialect{migrations.Postgres, migrations.SQLite} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			url := sqlstore.SQLiteURL(t.TempDir())
			if d == migrations.Postgres {
				url = servicetest.Postgres(t)
			}
			latest, err := migrations.Latest(d)
			if err != nil {
				t.Fatal(err)
			}

			err = node.PrepareDatabase(ctx, url, false)
			if !errors.Is(err, migrations.ErrSchema) || !strings.Contains(err.Error(), "`lpx migrate up`") {
				t.Errorf("empty database without auto-migration: %v, want ErrSchema naming `lpx migrate up`", err)
			}
			if v, _, ok := version(t, url); ok {
				t.Fatalf("without auto-migration the schema went to version %d", v)
			}

			if err := node.PrepareDatabase(ctx, url, true); err != nil {
				t.Fatalf("empty database with auto-migration: %v", err)
			}
			if v, dirty, ok := version(t, url); !ok || dirty || v != latest {
				t.Fatalf("after auto-migration: version %d dirty %v ok %v, want %d clean", v, dirty, ok, latest)
			}
			for _, auto := range []bool{true, false} {
				if err := node.PrepareDatabase(ctx, url, auto); err != nil {
					t.Errorf("an up-to-date schema, auto-migration %v: %v", auto, err)
				}
			}

			for _, c := range []struct {
				name    string
				version int
				dirty   bool
				want    string
			}{
				{"dirty", int(latest), true, "lpx migrate force"},
				{"newer", int(latest) + 5, false, "newer lpx"},
			} {
				setVersion(t, url, c.version, c.dirty)
				for _, auto := range []bool{true, false} {
					err := node.PrepareDatabase(ctx, url, auto)
					if !errors.Is(err, migrations.ErrSchema) || !strings.Contains(err.Error(), c.want) {
						t.Errorf("%s schema, auto-migration %v: %v, want ErrSchema saying %q", c.name, auto, err, c.want)
					}
				}
				if v, dirty, _ := version(t, url); int(v) != c.version || dirty != c.dirty {
					t.Errorf("%s schema: PrepareDatabase changed the version to %d dirty %v", c.name, v, dirty)
				}
			}
			setVersion(t, url, int(latest), false)
			if err := node.PrepareDatabase(ctx, url, false); err != nil {
				t.Errorf("clean again: %v", err)
			}
		})
	}
	if err := node.PrepareDatabase(context.Background(), "mysql://nope", true); err == nil {
		t.Error("an unsupported URL was accepted")
	}
}

// version reads the schema's version through a migrator of its own.
func version(t *testing.T, url string) (v uint, dirty, ok bool) {
	t.Helper()
	m, err := sqlstore.OpenMigrator(url)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	v, dirty, ok, err = m.Version()
	if err != nil {
		t.Fatal(err)
	}
	return v, dirty, ok
}

// setVersion writes golang-migrate's bookkeeping row directly, as a failed
// migration or a newer lpx would leave it.
func setVersion(t *testing.T, url string, v int, dirty bool) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	insert := "INSERT INTO schema_migrations (version, dirty) VALUES (?, ?)"
	if db.Dialect == migrations.Postgres {
		insert = "INSERT INTO schema_migrations (version, dirty) VALUES ($1, $2)"
	}
	if _, err := db.DB.ExecContext(ctx, "DELETE FROM schema_migrations"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DB.ExecContext(ctx, insert, v, dirty); err != nil {
		t.Fatal(err)
	}
}
