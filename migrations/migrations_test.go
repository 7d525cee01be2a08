package migrations_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/migrations"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// migrationsTable is golang-migrate's bookkeeping table.
const migrationsTable = "schema_migrations"

// testDB is a fresh, empty database of one dialect: its URL for the
// migrator and a connection of the test's own to look at it.
type testDB struct {
	dialect migrations.Dialect
	url     string
	db      *sql.DB
}

// eachDialect runs f as a subtest on a fresh PostgreSQL schema and on a
// fresh SQLite file.
func eachDialect(t *testing.T, f func(t *testing.T, tdb testDB)) {
	t.Helper()
	for _, d := range []migrations.Dialect{migrations.Postgres, migrations.SQLite} {
		t.Run(string(d), func(t *testing.T) {
			url := sqlstore.SQLiteURL(t.TempDir())
			if d == migrations.Postgres {
				url = servicetest.Postgres(t)
			}
			db, err := sqlstore.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			f(t, testDB{dialect: d, url: url, db: db.DB})
		})
	}
}

// migrator opens a migrator on tdb, closed when the test ends.
func (tdb testDB) migrator(t *testing.T) *migrations.Migrator {
	t.Helper()
	m, err := sqlstore.OpenMigrator(tdb.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close migrator: %v", err)
		}
	})
	return m
}

// setVersion writes the bookkeeping row directly, as a crash or another
// lpx would leave it; version -1 with dirty false leaves no row.
func (tdb testDB) setVersion(t *testing.T, version int, dirty bool) {
	t.Helper()
	ctx := context.Background()
	if _, err := tdb.db.ExecContext(ctx, "DELETE FROM "+migrationsTable); err != nil {
		t.Fatal(err)
	}
	if version == -1 && !dirty {
		return
	}
	insert := "INSERT INTO " + migrationsTable + " (version, dirty) VALUES (?, ?)"
	if tdb.dialect == migrations.Postgres {
		insert = "INSERT INTO " + migrationsTable + " (version, dirty) VALUES ($1, $2)"
	}
	if _, err := tdb.db.ExecContext(ctx, insert, version, dirty); err != nil {
		t.Fatal(err)
	}
}

// wantVersion fails the test unless m reports version v (-1: none) and
// dirty.
func wantVersion(t *testing.T, m *migrations.Migrator, v int, dirty bool) {
	t.Helper()
	got, gotDirty, ok, err := m.Version()
	if err != nil {
		t.Fatal(err)
	}
	gotV := int(got)
	if !ok {
		gotV = -1
	}
	if gotV != v || gotDirty != dirty {
		t.Fatalf("version %d dirty %v (ok %v), want %d dirty %v", gotV, gotDirty, ok, v, dirty)
	}
}

// latest is the newest migration of d.
func latest(t *testing.T, d migrations.Dialect) int {
	t.Helper()
	v, err := migrations.Latest(d)
	if err != nil {
		t.Fatal(err)
	}
	if v == 0 {
		t.Fatalf("%s has no migrations", d)
	}
	return int(v)
}

// below is the version before v, -1 (none) for the first: versions run
// 1, 2, ... (TestFiles).
func below(v int) int {
	if v == 1 {
		return -1
	}
	return v - 1
}

// TestUpDownUp: the schema goes up from empty, down to nothing but the
// bookkeeping table, and up again to the very same schema; one step down
// and up works too.
func TestUpDownUp(t *testing.T) {
	eachDialect(t, func(t *testing.T, tdb testDB) {
		m := tdb.migrator(t)
		latest := latest(t, tdb.dialect)
		wantVersion(t, m, -1, false)

		if err := m.Up(); err != nil {
			t.Fatalf("up from empty: %v", err)
		}
		wantVersion(t, m, latest, false)
		if err := m.Check(); err != nil {
			t.Errorf("check at the latest version: %v", err)
		}
		first := dumpSchema(t, tdb)
		if err := m.Up(); !errors.Is(err, migrations.ErrNoChange) {
			t.Errorf("up again: %v, want ErrNoChange", err)
		}

		if err := m.Down(0); err != nil {
			t.Fatalf("down to zero: %v", err)
		}
		wantVersion(t, m, -1, false)
		if left := userObjects(t, tdb); len(left) > 0 {
			t.Errorf("down to zero left %v", left)
		}
		if err := m.Down(0); !errors.Is(err, migrations.ErrNoChange) {
			t.Errorf("down to zero again: %v, want ErrNoChange", err)
		}
		if err := m.Down(1); !errors.Is(err, migrations.ErrNoChange) {
			t.Errorf("down 1 with nothing applied: %v, want ErrNoChange", err)
		}
		if err := m.Check(); err != nil {
			t.Errorf("check on an empty schema: %v", err)
		}

		if err := m.Up(); err != nil {
			t.Fatalf("up after down: %v", err)
		}
		wantVersion(t, m, latest, false)
		if again := dumpSchema(t, tdb); !slices.Equal(first, again) {
			t.Errorf("the schema after down and up differs from the first:\n%s", diffLines(first, again))
		}

		if err := m.Down(1); err != nil {
			t.Fatalf("down 1: %v", err)
		}
		wantVersion(t, m, below(latest), false)
		if err := m.Up(); err != nil {
			t.Fatalf("up after down 1: %v", err)
		}
		wantVersion(t, m, latest, false)
		if again := dumpSchema(t, tdb); !slices.Equal(first, again) {
			t.Errorf("the schema after down 1 and up differs from the first:\n%s", diffLines(first, again))
		}

		// Asked to revert more than is applied, Down reverts everything
		// and says so.
		if err := m.Down(latest + 1); err == nil || !strings.Contains(err.Error(), "reverted them all") {
			t.Errorf("down %d: %v, want an error saying all were reverted", latest+1, err)
		}
		wantVersion(t, m, -1, false)
	})
}

// TestCheck: Check passes a clean schema at the latest version and an
// empty one, and refuses a dirty schema and a newer one with a message
// that names the cure; the cure it names works.
func TestCheck(t *testing.T) {
	eachDialect(t, func(t *testing.T, tdb testDB) {
		m := tdb.migrator(t)
		latest := latest(t, tdb.dialect)
		if err := m.Up(); err != nil {
			t.Fatal(err)
		}

		tdb.setVersion(t, latest+5, false)
		err := m.Check()
		if !errors.Is(err, migrations.ErrSchema) || !strings.Contains(err.Error(), "newer lpx") {
			t.Errorf("newer schema: %v, want ErrSchema naming a newer lpx", err)
		}

		// A failed first up: PostgreSQL and SQLite roll the migration back,
		// so the schema is empty but the version says 1, dirty.
		tdb.setVersion(t, latest, false)
		if err := m.Down(0); err != nil {
			t.Fatal(err)
		}
		tdb.setVersion(t, 1, true)
		wantVersion(t, m, 1, true)
		err = m.Check()
		if !errors.Is(err, migrations.ErrSchema) || !strings.Contains(err.Error(), "`lpx migrate force -1`") {
			t.Fatalf("dirty at version 1: %v, want ErrSchema naming `lpx migrate force -1`", err)
		}
		t.Logf("dirty: %v", err)
		if err := m.Up(); err == nil {
			t.Error("up on a dirty schema succeeded")
		}
		if err := m.Force(-1); err != nil {
			t.Fatal(err)
		}
		wantVersion(t, m, -1, false)
		if err := m.Up(); err != nil {
			t.Fatalf("up after the cure: %v", err)
		}
		wantVersion(t, m, latest, false)

		// A failed up of the latest migration names the version before it.
		tdb.setVersion(t, latest, true)
		err = m.Check()
		want := fmt.Sprintf("`lpx migrate force %d`", below(latest))
		if !errors.Is(err, migrations.ErrSchema) || !strings.Contains(err.Error(), want) {
			t.Errorf("dirty at version %d: %v, want ErrSchema naming %s", latest, err, want)
		}

		// A failed revert of the first migration leaves "no version", dirty.
		tdb.setVersion(t, -1, true)
		wantVersion(t, m, -1, true)
		err = m.Check()
		if !errors.Is(err, migrations.ErrSchema) || !strings.Contains(err.Error(), "`lpx migrate force 1`") {
			t.Errorf("dirty with no version: %v, want ErrSchema naming `lpx migrate force 1`", err)
		}

		// Force refuses a version it has no migration for: migrate could
		// not go up from there.
		if err := m.Force(0); err == nil {
			t.Error("force 0 succeeded")
		}
		if err := m.Force(latest + 1); err == nil {
			t.Errorf("force %d succeeded", latest+1)
		}
		if err := m.Force(latest); err != nil {
			t.Fatal(err)
		}
		wantVersion(t, m, latest, false)
		if err := m.Check(); err != nil {
			t.Errorf("check after force %d: %v", latest, err)
		}
		if err := m.Force(-1); err != nil {
			t.Fatal(err)
		}
		wantVersion(t, m, -1, false)
	})
}

// userObjects lists what is in the test's schema besides the bookkeeping
// table and its index.
func userObjects(t *testing.T, tdb testDB) []string {
	t.Helper()
	query := `SELECT type || ' ' || name FROM sqlite_master
		WHERE tbl_name <> '` + migrationsTable + `' AND name NOT LIKE 'sqlite_%' ORDER BY 1`
	if tdb.dialect == migrations.Postgres {
		query = `SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence'
				WHEN 'v' THEN 'view' ELSE c.relkind::text END || ' ' || c.relname
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = current_schema() AND c.relname NOT LIKE '` + migrationsTable + `%'
			UNION ALL
			SELECT 'type ' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
			WHERE n.nspname = current_schema() AND t.typrelid = 0 AND t.typelem = 0
			ORDER BY 1`
	}
	return queryLines(t, tdb.db, query)
}

// notNullName matches PostgreSQL's names for NOT NULL constraints in
// information_schema (namespace oid, table oid, column number), which
// change when a table is created again.
var notNullName = regexp.MustCompile(`^\d+_\d+_\d+_not_null$`)

// dumpSchema describes the schema in the test's schema (PostgreSQL) or
// file (SQLite), one sorted line per column, constraint and index.
func dumpSchema(t *testing.T, tdb testDB) []string {
	t.Helper()
	if tdb.dialect == migrations.SQLite {
		return queryLines(t, tdb.db, `SELECT type || ' ' || name || ' ON ' || tbl_name || ': ' || coalesce(sql, '')
			FROM sqlite_master ORDER BY type, name`)
	}
	var lines []string
	lines = append(lines, queryLines(t, tdb.db, `
		SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type
			|| coalesce('(' || numeric_precision || ',' || numeric_scale || ')', '')
			|| CASE is_nullable WHEN 'NO' THEN ' NOT NULL' ELSE '' END
			|| coalesce(' DEFAULT ' || column_default, '')
		FROM information_schema.columns WHERE table_schema = current_schema()`)...)
	for _, line := range queryLines(t, tdb.db, `
		SELECT tc.constraint_name || ' ' || tc.constraint_type || ' ON ' || tc.table_name
			|| coalesce(' CHECK ' || cc.check_clause, '')
			|| coalesce(' REFERENCES ' || rc.unique_constraint_name || ' ON UPDATE ' || rc.update_rule || ' ON DELETE ' || rc.delete_rule, '')
		FROM information_schema.table_constraints tc
		LEFT JOIN information_schema.check_constraints cc
			ON cc.constraint_schema = tc.constraint_schema AND cc.constraint_name = tc.constraint_name
		LEFT JOIN information_schema.referential_constraints rc
			ON rc.constraint_schema = tc.constraint_schema AND rc.constraint_name = tc.constraint_name
		WHERE tc.table_schema = current_schema()`) {
		name, rest, _ := strings.Cut(line, " ")
		if notNullName.MatchString(name) {
			name = "not_null"
		}
		lines = append(lines, "constraint "+name+" "+rest)
	}
	lines = append(lines, queryLines(t, tdb.db, `
		SELECT 'key ' || constraint_name || ' ON ' || table_name || ' ' || ordinal_position || ': ' || column_name
			|| coalesce(' -> ' || position_in_unique_constraint, '')
		FROM information_schema.key_column_usage WHERE table_schema = current_schema()`)...)
	lines = append(lines, queryLines(t, tdb.db, `
		SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()`)...)
	slices.Sort(lines)
	return lines
}

// queryLines runs a query of one text column and returns its rows.
func queryLines(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatalf("%v\n%s", err, query)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// diffLines shows the lines only one of two sorted dumps has.
func diffLines(a, b []string) string {
	var out strings.Builder
	for _, l := range a {
		if !slices.Contains(b, l) {
			fmt.Fprintf(&out, "- %s\n", l)
		}
	}
	for _, l := range b {
		if !slices.Contains(a, l) {
			fmt.Fprintf(&out, "+ %s\n", l)
		}
	}
	if out.Len() == 0 {
		return "(the same lines in another order or count)"
	}
	return out.String()
}

// migrationName is how golang-migrate's iofs source wants a file named;
// it skips, silently, any file named otherwise.
var migrationName = regexp.MustCompile(`^(\d+)_(\w+)\.(up|down)\.sql$`)

// TestFiles: every migration is named as golang-migrate expects, has an up
// and a down, and exists for both dialects under the same name; versions
// run 1, 2, ... without gaps, and Latest is the last.
func TestFiles(t *testing.T) {
	names := map[migrations.Dialect][]string{}
	for _, d := range []migrations.Dialect{migrations.Postgres, migrations.SQLite} {
		// The embed pattern is <dialect>/*.sql, so the .sql files on disk
		// are the embedded ones.
		paths, err := filepath.Glob(filepath.Join(string(d), "*.sql"))
		if err != nil {
			t.Fatal(err)
		}
		halves := map[string][]string{} // "0001_init" -> up, down
		for _, p := range paths {
			name := filepath.Base(p)
			names[d] = append(names[d], name)
			sub := migrationName.FindStringSubmatch(name)
			if sub == nil {
				t.Errorf("%s is not named <version>_<name>.<up|down>.sql", p)
				continue
			}
			halves[sub[1]+"_"+sub[2]] = append(halves[sub[1]+"_"+sub[2]], sub[3])
		}
		var stems []string
		for stem, h := range halves {
			slices.Sort(h)
			if !slices.Equal(h, []string{"down", "up"}) {
				t.Errorf("%s/%s has %v, want one up and one down", d, stem, h)
			}
			stems = append(stems, stem)
		}
		slices.Sort(stems)
		for i, stem := range stems {
			var v int
			fmt.Sscanf(stem, "%d", &v)
			if v != i+1 {
				t.Errorf("%s/%s: version %d, want %d (one migration per version, no gaps)", d, stem, v, i+1)
			}
		}
		if got := latest(t, d); got != len(stems) {
			t.Errorf("Latest(%s) = %d, want %d", d, got, len(stems))
		}
	}
	if !slices.Equal(names[migrations.Postgres], names[migrations.SQLite]) {
		t.Errorf("postgres and sqlite migrations differ:\npostgres: %v\nsqlite:   %v", names[migrations.Postgres], names[migrations.SQLite])
	}
}

var (
	// sqlComment matches a -- comment to the end of its line.
	sqlComment = regexp.MustCompile(`--[^\n]*`)
	// inexactType matches a column type SQLite would store as a float:
	// money must be integers or text of digits there.
	inexactType = regexp.MustCompile(`(?i)\b(NUMERIC|DECIMAL|REAL|FLOAT|DOUBLE)\b`)
	// createTable matches a CREATE TABLE statement up to its end.
	createTable = regexp.MustCompile(`(?is)\bCREATE\s+TABLE\b[^;]*(;|$)`)
	// strictEnd matches the end of a STRICT table's statement.
	strictEnd = regexp.MustCompile(`(?is)\)\s*STRICT\s*;?$`)
)

// TestSQLiteTypes: no SQLite migration declares a type SQLite keeps as a
// float, and every table is STRICT, so a value of the wrong type is
// refused instead of converted.
func TestSQLiteTypes(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("sqlite", "*.up.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no sqlite migrations")
	}
	for _, p := range paths {
		text, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		code := sqlComment.ReplaceAllString(string(text), "")
		for _, m := range inexactType.FindAllString(code, -1) {
			t.Errorf("%s declares %s, which SQLite stores as a float", p, m)
		}
		for _, stmt := range createTable.FindAllString(code, -1) {
			if !strictEnd.MatchString(stmt) {
				first, _, _ := strings.Cut(strings.TrimSpace(stmt), "(")
				t.Errorf("%s: %s is not STRICT", p, strings.TrimSpace(first))
			}
		}
	}
}
