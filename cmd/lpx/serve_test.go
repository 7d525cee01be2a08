package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/cmd/lpx/node"
)

// syncBuffer is a bytes.Buffer the serving goroutine writes and the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveOnce runs serve until it printed where it listens and whether it
// made an admin key, GETs /healthz, stops it and returns what it printed.
func serveOnce(t *testing.T, dir string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, node.Config{DataDir: dir, Listen: "127.0.0.1:0", NoChain: true}, out)
	}()
	addr := regexp.MustCompile(`serving on (http://[0-9.:]+)`)
	var base string
	for deadline := time.Now().Add(20 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("serve printed no address: %q (%v)", out.String(), <-done)
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "ok") {
		t.Fatalf("/healthz: %d %s", resp.StatusCode, body)
	}
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(out.String(), "operator account") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond) // the admin key is made just after the banner
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	return out.String()
}

// TestServePrintsTheAdminKeyOnce: the first start makes the operator's
// key and prints it; a restart on the same data prints none.
func TestServePrintsTheAdminKeyOnce(t *testing.T) {
	dir := t.TempDir()
	first := serveOnce(t, dir)
	if !strings.Contains(first, "LPX-KEY:") || !strings.Contains(first, "secret:") {
		t.Fatalf("first start printed no admin key:\n%s", first)
	}
	if again := serveOnce(t, dir); strings.Contains(again, "LPX-KEY:") {
		t.Fatalf("a restart printed another admin key:\n%s", again)
	}
}

// TestServeSettings: every setting is a flag and an LPX_ variable; the
// variable applies when the flag is not given, the flag wins otherwise,
// and -h lists both.
func TestServeSettings(t *testing.T) {
	var out bytes.Buffer
	if code := runServe([]string{"-h"}, &out, io.Discard); code != 0 {
		t.Fatalf("-h exits %d", code)
	}
	for _, want := range []string{"-listen", "LPX_LISTEN", "-redis-url", "LPX_REDIS_URL", "-database-url", "-eth-rpc-url", "-vault-key", "-key-encryption-key", "-confirmations", "LPX_CONFIRMATIONS", "-snapshot-interval", "-batch-size", "LPX_BATCH_SIZE", "-book-interval"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-h does not list %s", want)
		}
	}
	t.Setenv("LPX_CONFIRMATIONS", "7")
	t.Setenv("LPX_BATCH_SIZE", "64")
	t.Setenv("LPX_LISTEN", "127.0.0.1:9999")
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	var cfg node.Config
	serveFlags(fs, &cfg)
	if err := fs.Parse([]string{"--listen", "127.0.0.1:1"}); err != nil {
		t.Fatal(err)
	}
	if err := setFromEnv(fs); err != nil {
		t.Fatal(err)
	}
	if cfg.Confirmations != 7 || cfg.Exchange.MaxBatch != 64 || cfg.Listen != "127.0.0.1:1" {
		t.Fatalf("confirmations %d, batch %d, listen %s", cfg.Confirmations, cfg.Exchange.MaxBatch, cfg.Listen)
	}
	t.Setenv("LPX_SNAPSHOT_INTERVAL", "soon")
	if code := runServe(nil, io.Discard, io.Discard); code != 2 {
		t.Fatalf("a malformed LPX_SNAPSHOT_INTERVAL: exit %d, want 2", code)
	}
}
