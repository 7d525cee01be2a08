package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/migrations"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// migrateResult is what one lpx migrate run printed and returned.
type migrateResult struct {
	code           int
	stdout, stderr string
}

// migrate runs lpx migrate with args.
func migrate(args ...string) migrateResult {
	var stdout, stderr strings.Builder
	code := runMigrate(args, &stdout, &stderr)
	return migrateResult{code, stdout.String(), stderr.String()}
}

// want fails the test unless r has the exit code, exactly the stdout, and
// a stderr that contains errPart (empty: a stderr that is empty).
func (r migrateResult) want(t *testing.T, what string, code int, stdout, errPart string) {
	t.Helper()
	if r.code != code || r.stdout != stdout ||
		errPart == "" && r.stderr != "" || !strings.Contains(r.stderr, errPart) {
		t.Errorf("%s: exit %d, stdout %q, stderr %q\nwant exit %d, stdout %q, stderr containing %q",
			what, r.code, r.stdout, r.stderr, code, stdout, errPart)
	}
}

// noMigrateEnv clears the environment lpx migrate reads.
func noMigrateEnv(t *testing.T) {
	t.Setenv("LPX_DATABASE_URL", "")
	t.Setenv("LPX_DATA_DIR", "")
}

// TestMigrateUsage: bad usage exits 2 with the reason and a usage line on
// stderr, before any database is opened; -h prints the help on stdout.
func TestMigrateUsage(t *testing.T) {
	noMigrateEnv(t)
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "no action"},
		{[]string{"sideways"}, `unknown action "sideways"`},
		{[]string{"up", "1"}, "up takes no argument"},
		{[]string{"version", "now"}, "version takes no argument"},
		{[]string{"down", "0"}, "down 0: want a number"},
		{[]string{"down", "some"}, "down some: want a number"},
		{[]string{"down", "1", "2"}, "at most one argument"},
		{[]string{"force"}, "force takes one argument"},
		{[]string{"force", "x"}, "force x: want a version"},
		{[]string{"force", "-2"}, "force -2: want a version"},
		{[]string{"up", "--data-dir", dir}, "put flags before it"},
		{[]string{"--no-such-flag", "up"}, "flag provided but not defined"},
	} {
		args := append([]string{"--data-dir", dir}, c.args...)
		r := migrate(args...)
		r.want(t, strings.Join(c.args, " "), 2, "", c.want)
		if !strings.Contains(r.stderr, "usage: lpx migrate [flags] up | down") {
			t.Errorf("%v: no usage line on stderr: %q", c.args, r.stderr)
		}
	}
	migrate("--database-url", "mysql://x", "up").want(t, "a MySQL URL", 2, "", "want postgres:// or sqlite://")
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("bad usage touched the data directory: %v", entries)
	}

	r := migrate("-h")
	if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "down all") || !strings.Contains(r.stdout, "-database-url") {
		t.Errorf("-h: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestMigrateSQLite runs every action on a SQLite file found through the
// flags and through the environment.
func TestMigrateSQLite(t *testing.T) {
	noMigrateEnv(t)
	dir := t.TempDir()
	testMigrate(t, sqlstore.SQLiteURL(dir), migrations.SQLite, "--data-dir", dir)
	if _, err := os.Stat(filepath.Join(dir, "lpx.db")); err != nil {
		t.Errorf("--data-dir: %v", err)
	}

	// LPX_DATA_DIR, then LPX_DATABASE_URL, name the database when no flag
	// does; a flag wins over either.
	envDir := t.TempDir()
	t.Setenv("LPX_DATA_DIR", envDir)
	migrate("up").want(t, "up in LPX_DATA_DIR", 0, versionLine(latest(t, migrations.SQLite), false), "")
	if _, err := os.Stat(filepath.Join(envDir, "lpx.db")); err != nil {
		t.Errorf("LPX_DATA_DIR: %v", err)
	}
	t.Setenv("LPX_DATABASE_URL", sqlstore.SQLiteURL(dir))
	migrate("version").want(t, "version in LPX_DATABASE_URL", 0,
		fmt.Sprintf("no migrations applied\nlatest known version %d\n", latest(t, migrations.SQLite)), "")
	migrate("--database-url", sqlstore.SQLiteURL(envDir), "version").want(t, "--database-url over LPX_DATABASE_URL", 0,
		fmt.Sprintf("%slatest known version %d\n", versionLine(latest(t, migrations.SQLite), false), latest(t, migrations.SQLite)), "")
}

// TestMigratePostgres runs every action on a PostgreSQL schema of its own.
func TestMigratePostgres(t *testing.T) {
	noMigrateEnv(t)
	url := servicetest.Postgres(t)
	testMigrate(t, url, migrations.Postgres, "--database-url", url)
}

// testMigrate runs every action on the empty database at url, which flags
// name to lpx migrate, and leaves it empty.
func testMigrate(t *testing.T, url string, d migrations.Dialect, flags ...string) {
	t.Helper()
	run := func(args ...string) migrateResult { return migrate(append(flags, args...)...) }
	latest := latest(t, d)
	atLatest := versionLine(latest, false)
	known := fmt.Sprintf("latest known version %d\n", latest)

	run("version").want(t, "version on an empty database", 0, "no migrations applied\n"+known, "")
	run("down").want(t, "down on an empty database", 0, "nothing to do: no migrations applied\n", "")
	run("up").want(t, "up", 0, atLatest, "")
	run("up").want(t, "up again", 0, "nothing to do: "+atLatest, "")
	run("version").want(t, "version", 0, atLatest+known, "")
	run("down").want(t, "down", 0, versionLine(latest-1, false), "")
	run("up").want(t, "up after down", 0, atLatest, "")
	run("down", fmt.Sprint(latest)).want(t, "down N", 0, "no migrations applied\n", "")
	run("up").want(t, "up after down N", 0, atLatest, "")
	run("down", fmt.Sprint(latest+1)).want(t, "down more than applied", 1, "", "reverted them all")
	run("version").want(t, "version after down more than applied", 0, "no migrations applied\n"+known, "")
	run("up").want(t, "up after down more than applied", 0, atLatest, "")
	run("down", "all").want(t, "down all", 0, "no migrations applied\n", "")
	run("down", "all").want(t, "down all again", 0, "nothing to do: no migrations applied\n", "")

	// A first migration that failed: rolled back, but recorded as dirty.
	// up and down refuse it and name the cure, which works.
	setVersion(t, url, 1, true)
	run("version").want(t, "version when dirty", 0, versionLine(1, true)+known, "")
	run("up").want(t, "up when dirty", 1, "", "`lpx migrate force -1`")
	run("down").want(t, "down when dirty", 1, "", "`lpx migrate force -1`")
	run("force", "0").want(t, "force 0", 1, "", "not a migration this lpx knows")
	run("force", "-1").want(t, "force -1", 0, "no migrations applied\n", "")
	run("up").want(t, "up after the cure", 0, atLatest, "")

	// A schema a newer lpx migrated.
	setVersion(t, url, latest+5, false)
	run("version").want(t, "version when newer", 0, versionLine(latest+5, false)+known, "")
	run("up").want(t, "up when newer", 1, "", "newer lpx")
	run("down").want(t, "down when newer", 1, "", "newer lpx")
	run("force", fmt.Sprint(latest)).want(t, "force latest", 0, atLatest, "")
	run("down", "all").want(t, "down all at the end", 0, "no migrations applied\n", "")
}

// versionLine is what lpx migrate prints for version v (below 1: none).
func versionLine(v int, dirty bool) string {
	switch {
	case v < 1:
		return "no migrations applied\n"
	case dirty:
		return fmt.Sprintf("version %d (dirty)\n", v)
	}
	return fmt.Sprintf("version %d (clean)\n", v)
}

// latest is the newest migration of d.
func latest(t *testing.T, d migrations.Dialect) int {
	t.Helper()
	v, err := migrations.Latest(d)
	if err != nil {
		t.Fatal(err)
	}
	return int(v)
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
