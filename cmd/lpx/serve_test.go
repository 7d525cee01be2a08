package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/cmd/lpx/node"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/store/filejournal"
	"github.com/lpx-exchange/lpx/store/redisstore"
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
	// The banner names the web page, which is there.
	if !strings.Contains(out.String(), "The web page: "+base+"/\n") {
		t.Errorf("the banner does not name the web page %s/: %q", base, out.String())
	}
	if resp, err := http.Get(base + "/"); err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("GET /: %v %v", resp, err)
	} else {
		resp.Body.Close()
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
	t.Setenv("LPX_IP_RATE", "1000")
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	var cfg node.Config
	serveFlags(fs, &cfg)
	if err := fs.Parse([]string{"--listen", "127.0.0.1:1", "--key-rate", "5000"}); err != nil {
		t.Fatal(err)
	}
	if err := setFromEnv(fs); err != nil {
		t.Fatal(err)
	}
	if cfg.Confirmations != 7 || cfg.Exchange.MaxBatch != 64 || cfg.Listen != "127.0.0.1:1" {
		t.Fatalf("confirmations %d, batch %d, listen %s", cfg.Confirmations, cfg.Exchange.MaxBatch, cfg.Listen)
	}
	if want := (redisstore.Limit{Rate: 5000, Per: time.Second, Burst: 10000}); cfg.API.KeyLimit != want {
		t.Fatalf("--key-rate 5000: %+v", cfg.API.KeyLimit)
	}
	if want := (redisstore.Limit{Rate: 1000, Per: time.Second, Burst: 2000}); cfg.API.IPLimit != want {
		t.Fatalf("LPX_IP_RATE=1000: %+v", cfg.API.IPLimit)
	}
	bad := flag.NewFlagSet("t", flag.ContinueOnError)
	bad.SetOutput(io.Discard)
	serveFlags(bad, &node.Config{})
	if err := bad.Parse([]string{"--key-rate", "-3"}); err == nil {
		t.Fatal("--key-rate -3 accepted")
	}
	t.Setenv("LPX_SNAPSHOT_INTERVAL", "soon")
	if code := runServe(nil, io.Discard, io.Discard); code != 2 {
		t.Fatalf("a malformed LPX_SNAPSHOT_INTERVAL: exit %d, want 2", code)
	}
}

// TestServeBadSettings: a setting that keeps lpx serve from starting is
// one line on stderr naming the flag and the variable to fix (and no
// secret), with exit 2 for a malformed value and 1 for a service that
// cannot be used.
func TestServeBadSettings(t *testing.T) {
	const kek = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	const vault = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
	unusedDB := strings.Replace(servicetest.PostgresURL(), "/test?", "/lpx_no_such_database?", 1)
	for _, c := range []struct {
		name    string
		args    []string
		code    int
		setting string // the flag the message names
		want    string
	}{
		{"Redis unreachable", []string{"--redis-url", "redis://127.0.0.1:1/0", "--key-encryption-key", kek, "--no-chain"}, 1, "redis-url", "cannot use Redis at 127.0.0.1:1"},
		{"Redis URL malformed", []string{"--redis-url", "http://127.0.0.1:6379", "--key-encryption-key", kek, "--no-chain"}, 2, "redis-url", "the Redis URL is malformed"},
		{"real Redis without a key encryption key", []string{"--redis-url", "redis://127.0.0.1:1/0", "--no-chain"}, 2, "key-encryption-key", "needs a key encryption key"},
		{"key encryption key malformed", []string{"--key-encryption-key", "abc", "--no-chain"}, 2, "key-encryption-key", "not 64 hex digits"},
		{"database unreachable", []string{"--database-url", "postgres://lpx:pw@127.0.0.1:1/test?sslmode=disable", "--no-chain"}, 1, "database-url", "cannot use the database at postgres://127.0.0.1:1"},
		{"database missing", []string{"--database-url", unusedDB, "--no-chain"}, 1, "database-url", "cannot use the database"},
		{"database URL malformed", []string{"--database-url", "mysql://root@127.0.0.1/lpx", "--no-chain"}, 2, "database-url", "the database URL is malformed"},
		{"vault key malformed", []string{"--vault-key", "0xnothex"}, 2, "vault-key", "the vault key is not a private key"},
		{"chain without a vault key", []string{"--eth-rpc-url", "http://127.0.0.1:1"}, 2, "vault-key", "needs the vault's private key"},
		{"chain unreachable", []string{"--eth-rpc-url", "http://127.0.0.1:1/v3/SECRETPROJECTKEY", "--vault-key", vault}, 1, "eth-rpc-url", "cannot use the chain at http://127.0.0.1:1"},
		{"chain URL malformed", []string{"--eth-rpc-url", "ftp://127.0.0.1/x", "--vault-key", vault}, 2, "eth-rpc-url", "JSON-RPC URL is malformed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			args := append([]string{"--data-dir", t.TempDir(), "--listen", "127.0.0.1:0", "--no-demo"}, c.args...)
			code := runServe(args, &out, &errs)
			var lines []string
			for _, l := range strings.Split(strings.TrimSpace(errs.String()), "\n") {
				if strings.HasPrefix(l, "lpx serve:") {
					lines = append(lines, l)
				}
			}
			if code != c.code || len(lines) != 1 {
				t.Fatalf("exit %d (want %d), stderr:\n%s", code, c.code, errs.String())
			}
			for _, want := range []string{c.want, "--" + c.setting, node.EnvName(c.setting)} {
				if !strings.Contains(lines[0], want) {
					t.Errorf("%q lacks %q", lines[0], want)
				}
			}
			for _, secret := range []string{"SECRETPROJECTKEY", "lpx:pw", vault} {
				if strings.Contains(errs.String(), secret) {
					t.Errorf("stderr shows a secret: %s", errs.String())
				}
			}
		})
	}
}

// TestServeLogFormat: --log-format and --log-level are listed by -h and
// checked; json logs are one JSON object a line.
func TestServeLogFormat(t *testing.T) {
	var out bytes.Buffer
	if code := runServe([]string{"-h"}, &out, io.Discard); code != 0 || !strings.Contains(out.String(), "-log-format") || !strings.Contains(out.String(), "LPX_LOG_FORMAT") || !strings.Contains(out.String(), `(default "text")`) {
		t.Fatalf("-h: exit %d\n%s", code, out.String())
	}
	for _, args := range [][]string{{"--log-format", "xml"}, {"--log-level", "loud"}} {
		var errs bytes.Buffer
		if code := runServe(args, io.Discard, &errs); code != 2 || !strings.Contains(errs.String(), args[0]) {
			t.Errorf("%v: exit %d, %q", args, code, errs.String())
		}
	}
	var logs bytes.Buffer
	log, err := newLogger(&logs, "json", "info")
	if err != nil {
		t.Fatal(err)
	}
	log.Debug("hidden")
	log.Info("shown", "seq", 7)
	var line struct {
		Level, Msg string
		Seq        int
	}
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil || line.Msg != "shown" || line.Level != "INFO" || line.Seq != 7 {
		t.Fatalf("json log %q: %+v %v", logs.String(), line, err)
	}
}

// TestServeChild is the lpx serve that TestServeSIGTERM stops: it runs
// only when that test starts it.
func TestServeChild(t *testing.T) {
	dir := os.Getenv("LPX_TEST_SERVE_CHILD_DIR")
	if dir == "" {
		t.Skip("run by TestServeSIGTERM")
	}
	os.Exit(runServe([]string{"--data-dir", dir, "--listen", "127.0.0.1:0", "--no-chain", "--log-format", "json"}, os.Stdout, os.Stderr))
}

// TestServeSIGTERM: lpx serve, sent SIGTERM while clients keep creating
// accounts, stops taking requests, drains the sequencer, writes a
// snapshot at the journal's tip and exits 0; every account it answered is
// in the state recovered afterwards, and lpx verify-journal finds the
// data sound.
func TestServeSIGTERM(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "LPX_TEST_SERVE_CHILD_DIR="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := false
	t.Cleanup(func() {
		if !exited {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	// The banner gives the address and the first admin key.
	addr := regexp.MustCompile(`serving on (http://[0-9.:]+)`)
	key := regexp.MustCompile(`LPX-KEY:\s+(\S+)`)
	secret := regexp.MustCompile(`secret:\s+(\S+)`)
	ready := make(chan [3]string, 1)
	go func() {
		var got [3]string
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			for i, re := range []*regexp.Regexp{addr, key, secret} {
				if m := re.FindStringSubmatch(sc.Text()); m != nil {
					got[i] = m[1]
				}
			}
			if got[2] != "" {
				ready <- got
				break
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	var got [3]string
	select {
	case got = <-ready:
	case <-time.After(60 * time.Second):
		t.Fatalf("the child did not start within 60 s: %s", stderr.String())
	}
	admin := &client.Client{BaseURL: got[0], KeyID: got[1], HMACSecret: []byte(got[2]), HTTP: &http.Client{Timeout: 10 * time.Second}}

	// Clients create accounts until the server stops answering.
	var mu sync.Mutex
	var answered []uint64
	var wg sync.WaitGroup
	stopClients := make(chan struct{})
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; ; j++ {
				select {
				case <-stopClients:
					return
				default:
				}
				var a struct{ ID string }
				err := admin.Do(context.Background(), "POST", "/v1/admin/accounts", map[string]any{"kind": "consumer", "name": fmt.Sprintf("c%d-%d", i, j)}, &a)
				if err != nil {
					continue // refused while stopping, or no server any more
				}
				id, _ := strconv.ParseUint(a.ID, 10, 32)
				mu.Lock()
				answered = append(answered, id)
				mu.Unlock()
			}
		}()
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(answered)
		mu.Unlock()
		if n >= 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d accounts made in 20 s: %s", n, stderr.String())
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	exited = true
	close(stopClients)
	wg.Wait()
	if err != nil {
		t.Fatalf("after SIGTERM: %v\n%s", err, stderr.String())
	}
	for _, want := range []string{`"msg":"stopping: no new requests`, `"msg":"stopped: the sequencer drained and wrote its last snapshot"`} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("the logs lack %s:\n%s", want, stderr.String())
		}
	}

	ctx := context.Background()
	journal, err := filejournal.Open(filepath.Join(dir, "journal"))
	if err != nil {
		t.Fatal(err)
	}
	_, tip, _, err := journal.Tip(ctx)
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := filejournal.OpenSnapshots(filepath.Join(dir, "snapshots"))
	if err != nil {
		t.Fatal(err)
	}
	seqs, err := snaps.List(ctx)
	if err != nil || len(seqs) == 0 || seqs[len(seqs)-1] != tip {
		t.Fatalf("snapshots %v (%v), journal tip %d: no snapshot at the tip", seqs, err, tip)
	}
	recovered, err := exchange.Recover(ctx, exchange.Stores{Journal: journal, Snapshots: snaps}, nil)
	journal.Close()
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	for _, id := range answered {
		if id == 0 || id > uint64(recovered.Accounts()) {
			t.Errorf("account %d was answered but is not in the recovered state (%d accounts)", id, recovered.Accounts())
		}
	}
	mu.Unlock()
	var out, errs bytes.Buffer
	if code := runVerifyJournal([]string{"--data-dir", dir}, &out, &errs); code != 0 {
		t.Fatalf("verify-journal: exit %d\n%s%s", code, out.String(), errs.String())
	}
}
