package node_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lpx-exchange/lpx/cmd/lpx/node"
	"github.com/lpx-exchange/lpx/internal/servicetest"
)

// TestDataDirLock: an embedded node holds its data directory: a second
// node, or an offline command's LockDataDir, is refused with
// ErrDataDirInUse naming the holder's process, until the first closes.
func TestDataDirLock(t *testing.T) {
	dir := t.TempDir()
	cfg := node.Config{DataDir: dir, NoChain: true}
	n, err := node.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := node.Open(context.Background(), cfg); !errors.Is(err, node.ErrDataDirInUse) {
		t.Fatalf("a second node on the same data: %v", err)
	}
	_, err = node.LockDataDir(dir)
	if !errors.Is(err, node.ErrDataDirInUse) || !strings.Contains(err.Error(), "process "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("LockDataDir beside a node: %v", err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	unlock, err := node.LockDataDir(dir)
	if err != nil {
		t.Fatalf("LockDataDir after Close: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	again, err := node.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("reopened: %v", err)
	}
	again.Close()
}

// TestDescribe: the start-up banner names each part's mode and the
// setting that switches it, and shows no password.
func TestDescribe(t *testing.T) {
	n, err := node.Open(context.Background(), node.Config{DataDir: t.TempDir(), NoChain: true})
	if err != nil {
		t.Fatal(err)
	}
	embedded := n.Describe()
	n.Close()
	for _, want := range []string{"Redis: embedded", "--redis-url", "LPX_REDIS_URL", "SQL: embedded SQLite", "--database-url", "LPX_DATABASE_URL", "Chain: none", "--no-chain", "LPX_NO_CHAIN"} {
		if !strings.Contains(embedded, want) {
			t.Errorf("embedded banner lacks %q:\n%s", want, embedded)
		}
	}

	_, prefix := servicetest.Redis(t, nil)
	db, err := url.Parse(servicetest.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	db.User = url.UserPassword(db.User.Username(), "hunter2") // trust auth: any password
	n, err = node.Open(context.Background(), node.Config{RedisURL: servicetest.RedisURL(), KeyPrefix: prefix, DatabaseURL: db.String(),
		DataDir: t.TempDir(), NoChain: true, KeyEncryptionKey: testKEK})
	if err != nil {
		t.Fatal(err)
	}
	real := n.Describe()
	n.Close()
	for _, want := range []string{"Redis: real", prefix, "leave --redis-url (LPX_REDIS_URL) empty", "SQL: real PostgreSQL at postgres://", "leave --database-url (LPX_DATABASE_URL) empty"} {
		if !strings.Contains(real, want) {
			t.Errorf("real banner lacks %q:\n%s", want, real)
		}
	}
	if strings.Contains(real, "hunter2") {
		t.Errorf("the banner shows a password:\n%s", real)
	}
}
