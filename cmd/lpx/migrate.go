package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/lpx-exchange/lpx/migrations"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// migrateUsage is lpx migrate's help; the flags' own lines follow it.
const migrateUsage = `Usage: lpx migrate [flags] ACTION

Actions:
  up            apply every pending migration
  down [N]      revert the newest N migrations (default 1)
  down all      revert every migration, leaving an empty schema
  version       print the schema's version and the newest this lpx knows
  force V       record version V as applied and clean without running
                anything (-1: none). After a failed migration N has left
                the schema dirty, look at what it did, repair it if needed,
                then force N-1 (-1 if N was the first) and try again.

The database is --database-url, else LPX_DATABASE_URL, else the SQLite
file lpx.db in the data directory (--data-dir, else LPX_DATA_DIR, else
./lpx-data). Flags go before the action.

Flags:
`

// migrateSynopsis is the one line printed after a usage error.
const migrateSynopsis = "usage: lpx migrate [flags] up | down [N|all] | version | force V  (lpx migrate -h for help)"

// runMigrate is lpx migrate: it runs one action on the database and
// returns the exit code: 0 done, 1 failed, 2 bad usage. It prints the
// outcome to stdout and errors to stderr.
func runMigrate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lpx migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	databaseURL := fs.String("database-url", "", "PostgreSQL (postgres://...) or SQLite (sqlite://PATH) database")
	dataDir := fs.String("data-dir", "", "the directory of the default SQLite database")
	fs.Usage = func() {} // Parse prints its error; the usage follows here
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) { // asked for: the whole help, on stdout
			fmt.Fprint(stdout, migrateUsage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return 0
		}
		fmt.Fprintln(stderr, migrateSynopsis)
		return 2
	}
	a, err := parseMigrateAction(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "lpx migrate: %v\n%s\n", err, migrateSynopsis)
		return 2
	}

	url := firstNonEmpty(*databaseURL, os.Getenv("LPX_DATABASE_URL"))
	if url == "" {
		url = sqlstore.SQLiteURL(firstNonEmpty(*dataDir, os.Getenv("LPX_DATA_DIR"), "lpx-data"))
	}
	target, err := sqlstore.ParseURL(url)
	if err != nil {
		fmt.Fprintf(stderr, "lpx migrate: %v\n", err)
		return 2
	}
	latest, err := migrations.Latest(target.Dialect)
	if err != nil {
		fmt.Fprintf(stderr, "lpx migrate: %v\n", err)
		return 1
	}
	m, err := sqlstore.OpenMigrator(url)
	if err != nil {
		fmt.Fprintf(stderr, "lpx migrate: %v\n", err)
		return 1
	}
	err = a.run(m, stdout)
	if cerr := m.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(stderr, "lpx migrate %s: %v\n", a.name, err)
		return 1
	}
	if a.name == "version" {
		fmt.Fprintf(stdout, "latest known version %d\n", latest)
	}
	return 0
}

// migrateAction is a parsed lpx migrate action.
type migrateAction struct {
	name string // up, down, version or force
	// n is how many migrations down reverts (0: all) or the version force
	// records (-1: none).
	n int
}

// parseMigrateAction reads the action and its operand; flags after the
// action are refused with a hint, since the flag package stops at the
// first operand.
func parseMigrateAction(args []string) (migrateAction, error) {
	if len(args) == 0 {
		return migrateAction{}, errors.New("no action")
	}
	a := migrateAction{name: args[0]}
	operands := args[1:]
	for _, o := range operands {
		if strings.HasPrefix(o, "--") || strings.HasPrefix(o, "-") && !isInt(o) {
			return migrateAction{}, fmt.Errorf("flag %s after the action: put flags before it (lpx migrate [flags] %s)", o, a.name)
		}
	}
	switch a.name {
	case "up", "version":
		if len(operands) > 0 {
			return migrateAction{}, fmt.Errorf("%s takes no argument", a.name)
		}
	case "down":
		a.n = 1
		if len(operands) > 1 {
			return migrateAction{}, errors.New("down takes at most one argument: N or all")
		}
		if len(operands) == 1 {
			if operands[0] == "all" {
				a.n = 0
				break
			}
			n, err := strconv.Atoi(operands[0])
			if err != nil || n < 1 {
				return migrateAction{}, fmt.Errorf("down %s: want a number of migrations (1 or more) or all", operands[0])
			}
			a.n = n
		}
	case "force":
		if len(operands) != 1 {
			return migrateAction{}, errors.New("force takes one argument: the version to record (-1: none)")
		}
		v, err := strconv.Atoi(operands[0])
		if err != nil || v < -1 {
			return migrateAction{}, fmt.Errorf("force %s: want a version, or -1 for none", operands[0])
		}
		a.n = v
	default:
		return migrateAction{}, fmt.Errorf("unknown action %q", a.name)
	}
	return a, nil
}

// run performs the action and prints where the schema ends up.
func (a migrateAction) run(m *migrations.Migrator, w io.Writer) error {
	switch a.name {
	case "up", "down":
		// Refuse a dirty or newer schema with a message that names the
		// fix, not migrate's own.
		if err := m.Check(); err != nil {
			return err
		}
		var err error
		if a.name == "up" {
			err = m.Up()
		} else {
			err = m.Down(a.n)
		}
		switch {
		case errors.Is(err, migrations.ErrNoChange):
			fmt.Fprint(w, "nothing to do: ")
		case err != nil:
			return err
		}
	case "force":
		if err := m.Force(a.n); err != nil {
			return err
		}
	}
	return printVersion(m, w)
}

// printVersion prints the schema's version: "version 1 (clean)", "version
// 1 (dirty)" or "no migrations applied".
func printVersion(m *migrations.Migrator, w io.Writer) error {
	v, dirty, ok, err := m.Version()
	if err != nil {
		return err
	}
	switch {
	case !ok && dirty:
		fmt.Fprintln(w, "no version (dirty)")
	case !ok:
		fmt.Fprintln(w, "no migrations applied")
	case dirty:
		fmt.Fprintf(w, "version %d (dirty)\n", v)
	default:
		fmt.Fprintf(w, "version %d (clean)\n", v)
	}
	return nil
}

// isInt reports whether s is a decimal integer, such as force's -1.
func isInt(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// firstNonEmpty returns the first of ss that is not empty.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
