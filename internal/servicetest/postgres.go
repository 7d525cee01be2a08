package servicetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// PostgresURL is the test PostgreSQL: LPX_TEST_POSTGRES_URL, or the local
// one (trust auth, database test).
func PostgresURL() string {
	if u := os.Getenv("LPX_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// Postgres creates a schema of the test's own in the test database and
// returns a URL whose connections use it (search_path); the schema is
// dropped when the test ends. It skips the test when PostgreSQL is
// unreachable, unless LPX_TEST_REQUIRE_SERVICES=1.
func Postgres(t testing.TB) string {
	t.Helper()
	db, err := sql.Open("pgx", PostgresURL())
	if err != nil {
		t.Fatalf("LPX_TEST_POSTGRES_URL: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		if os.Getenv("LPX_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatalf("PostgreSQL at %s is unreachable and LPX_TEST_REQUIRE_SERVICES=1: %v", PostgresURL(), err)
		}
		t.Skipf("PostgreSQL at %s is unreachable (%v): start it or set LPX_TEST_POSTGRES_URL", PostgresURL(), err)
	}
	schema := fmt.Sprintf("lpxtest_%s_%d_%d", strings.ToLower(sanitize(t.Name())), os.Getpid(), time.Now().UnixNano())
	if len(schema) > 63 {
		schema = fmt.Sprintf("lpxtest_%d_%d", os.Getpid(), time.Now().UnixNano())
	}
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		db.Close()
	})
	u, err := url.Parse(PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// sanitize keeps letters, digits and underscores of a test name.
func sanitize(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
