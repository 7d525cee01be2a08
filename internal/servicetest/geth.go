package servicetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/build"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// GethVersion is the geth release that .ci/run installs:
// go install github.com/ethereum/go-ethereum/cmd/geth@GethVersion.
const GethVersion = "v1.17.10"

// Geth starts a `geth --dev` of the test's own (1 s blocks, chain id 1337)
// on a free port of 127.0.0.1, with a temporary data directory, and
// returns its JSON-RPC URL once it answers eth_chainId. The process is
// stopped by its pid when the test ends: SIGTERM, then SIGKILL if it has
// not exited within 10 s.
//
// The binary is `geth` on PATH, else in $(go env GOBIN) or
// $(go env GOPATH)/bin, and must be version 1.17 or 1.16. Without one the
// test is skipped with a message naming the install command, or fails when
// LPX_TEST_REQUIRE_SERVICES=1.
//
// Funds: geth --dev prefunds one account and holds it unlocked in its
// keystore, so a test funds a key of its own with FundFromDev, which asks
// eth_accounts for the developer account (DevAccount) and sends the value
// from it with eth_sendTransaction (the node signs); the test's key then
// signs its own transactions.
func Geth(t testing.TB) (rpcURL string) {
	t.Helper()
	bin, version, err := findGeth()
	if err != nil {
		msg := fmt.Sprintf("no usable geth (%v): go install github.com/ethereum/go-ethereum/cmd/geth@%s", err, GethVersion)
		if os.Getenv("LPX_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal(msg + " (LPX_TEST_REQUIRE_SERVICES=1)")
		}
		t.Skip(msg)
	}
	t.Logf("geth: %s (%s)", bin, version)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "geth.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--dev", "--dev.period", "1",
		"--http", "--http.addr", "127.0.0.1", "--http.port", strconv.Itoa(port),
		"--nodiscover", "--maxpeers", "0", "--ipcdisable",
		"--datadir", filepath.Join(dir, "data"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	began := time.Now()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("geth: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); logFile.Close(); close(exited) }()
	t.Cleanup(func() { stopProcess(t, cmd, exited) })

	rpcURL = fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(30 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		var id hexutil.Big
		err := rpcCall(ctx, rpcURL, "eth_chainId", nil, &id)
		cancel()
		if err == nil {
			t.Logf("geth --dev answers on %s (chain id %d) after %v", rpcURL, id.ToInt(), time.Since(began).Round(time.Millisecond))
			return rpcURL
		}
		select {
		case <-exited:
			t.Fatalf("geth exited before answering on %s: %v\n%s", rpcURL, cmd.ProcessState, tail(logPath))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("geth did not answer on %s within 30 s: %v\n%s", rpcURL, err, tail(logPath))
		}
	}
}

// DevAccount is the prefunded, unlocked developer account of the geth --dev
// at rpcURL (the first of eth_accounts).
func DevAccount(t testing.TB, rpcURL string) common.Address {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var accounts []common.Address
	if err := rpcCall(ctx, rpcURL, "eth_accounts", nil, &accounts); err != nil {
		t.Fatalf("eth_accounts: %v", err)
	}
	if len(accounts) == 0 {
		t.Fatalf("eth_accounts at %s: none (not a geth --dev?)", rpcURL)
	}
	return accounts[0]
}

// FundFromDev sends wei to `to` from the developer account of the geth --dev
// at rpcURL (eth_sendTransaction, signed by the node) and waits, up to 15 s,
// for the transaction to succeed in a block.
func FundFromDev(t testing.TB, rpcURL string, to common.Address, wei *big.Int) {
	t.Helper()
	from := DevAccount(t, rpcURL)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	tx := map[string]any{"from": from, "to": to, "value": (*hexutil.Big)(wei)}
	var hash common.Hash
	if err := rpcCall(ctx, rpcURL, "eth_sendTransaction", []any{tx}, &hash); err != nil {
		t.Fatalf("eth_sendTransaction from %s: %v", from, err)
	}
	var last error // a lookup failure, asked again: a fresh geth answers
	// "transaction indexing is in progress" for a while after it starts
	for {
		var receipt *struct {
			Status      hexutil.Uint64 `json:"status"`
			BlockNumber hexutil.Uint64 `json:"blockNumber"`
		}
		last = rpcCall(ctx, rpcURL, "eth_getTransactionReceipt", []any{hash}, &receipt)
		if last == nil && receipt != nil {
			if receipt.Status != 1 {
				t.Fatalf("funding %s: transaction %s failed in block %d", to, hash, receipt.BlockNumber)
			}
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("funding %s: transaction %s not in a block within 15 s (last lookup error: %v)", to, hash, last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// findGeth returns the geth binary's path and its version line.
func findGeth() (path, version string, err error) {
	path, err = exec.LookPath("geth")
	if err != nil {
		path = ""
		for _, dir := range goBinDirs() {
			p := filepath.Join(dir, "geth")
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
				path = p
				break
			}
		}
		if path == "" {
			return "", "", errors.New("not on PATH nor in $(go env GOPATH)/bin")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "version").Output()
	if err != nil {
		return path, "", fmt.Errorf("%s version: %w", path, err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Version:"); ok {
			version = strings.TrimSpace(v)
		}
	}
	if !strings.HasPrefix(version, "1.17.") && !strings.HasPrefix(version, "1.16.") {
		return path, version, fmt.Errorf("%s is version %q, not 1.17 or 1.16", path, version)
	}
	return path, version, nil
}

// goBinDirs are where `go install` puts binaries: $(go env GOBIN), or the
// first entry of $(go env GOPATH) + /bin.
func goBinDirs() []string {
	var dirs []string
	out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output()
	if err == nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) == 2 {
			if gobin := strings.TrimSpace(lines[0]); gobin != "" {
				dirs = append(dirs, gobin)
			}
			if gopath := filepath.SplitList(strings.TrimSpace(lines[1])); len(gopath) > 0 && gopath[0] != "" {
				dirs = append(dirs, filepath.Join(gopath[0], "bin"))
			}
		}
	}
	if gopath := filepath.SplitList(build.Default.GOPATH); len(gopath) > 0 && gopath[0] != "" {
		dirs = append(dirs, filepath.Join(gopath[0], "bin"))
	}
	return dirs
}

// stopProcess stops cmd by its pid: SIGTERM, then SIGKILL after 10 s; it
// returns once the process has exited (exited is closed).
func stopProcess(t testing.TB, cmd *exec.Cmd, exited <-chan struct{}) {
	select {
	case <-exited:
		return
	default:
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		return
	case <-time.After(10 * time.Second):
	}
	t.Logf("geth (pid %d) did not exit 10 s after SIGTERM: killing it", cmd.Process.Pid)
	cmd.Process.Kill()
	<-exited
}

// rpcCall makes one JSON-RPC call over HTTP and decodes its result into
// result (which may be a pointer to a nil pointer, for a null result).
func rpcCall(ctx context.Context, url, method string, params []any, result any) error {
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var reply struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil {
		return fmt.Errorf("%s: HTTP %d: %w", method, resp.StatusCode, err)
	}
	if reply.Error != nil {
		return fmt.Errorf("%s: error %d: %s", method, reply.Error.Code, reply.Error.Message)
	}
	return json.Unmarshal(reply.Result, result)
}

// tail is the end of the file at path, for a failure message.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
