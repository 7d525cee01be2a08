package servicetest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// OwnRedis is a redis-server that a test starts, stops and restarts by
// itself (never the shared one): on a free port, with appendonly yes and
// appendfsync always in a directory of the test's, so that what it
// acknowledged survives a restart.
type OwnRedis struct {
	t    testing.TB
	Addr string
	dir  string
	cmd  *exec.Cmd
}

// StartRedis starts an OwnRedis; it is stopped when the test ends. Without
// redis-server the test is skipped, or fails when
// LPX_TEST_REQUIRE_SERVICES=1.
func StartRedis(t testing.TB) *OwnRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("LPX_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("redis-server is not installed and LPX_TEST_REQUIRE_SERVICES=1")
		}
		t.Skip("redis-server is not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	r := &OwnRedis{t: t, Addr: addr, dir: t.TempDir()}
	r.Start()
	t.Cleanup(r.Stop)
	return r
}

// Start starts (or restarts) the server and waits until it answers.
func (r *OwnRedis) Start() {
	r.t.Helper()
	_, port, _ := net.SplitHostPort(r.Addr)
	r.cmd = exec.Command("redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "yes", "--appendfsync", "always", "--dir", r.dir, "--logfile", r.dir+"/redis.log")
	if err := r.cmd.Start(); err != nil {
		r.t.Fatalf("redis-server: %v", err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: r.Addr})
	defer rdb.Close()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("redis-server on %s did not start: %v", r.Addr, err)
		}
	}
}

// Stop kills the server (as a crash would) and waits for it to exit.
func (r *OwnRedis) Stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	r.cmd.Process.Kill()
	r.cmd.Wait()
	r.cmd = nil
}

// URL is the server's redis:// URL.
func (r *OwnRedis) URL() string { return fmt.Sprintf("redis://%s/0", r.Addr) }
