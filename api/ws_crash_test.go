package api_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// crashKEK is the key encryption key of both lives of the crashed node.
const crashKEK = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"

// TestWSCrashChild is the node that TestWebSocketSessionSurvivesKill9
// kills: it runs only when that test starts it.
func TestWSCrashChild(t *testing.T) {
	dir := os.Getenv("LPX_WS_CRASH_DIR")
	if dir == "" {
		t.Skip("run by TestWebSocketSessionSurvivesKill9")
	}
	te := startTradeEnv(t, apitest.Options{Adjust: func(c *nodeConfig) { c.DataDir, c.KeyEncryptionKey = dir, crashKEK }})
	mm, id := te.NewAccount(sqlstore.AccountMarketMaker, "max", sqlstore.ScopeRead, sqlstore.ScopeTrade)
	te.deposit(id, "ACME", 100_00)
	fmt.Printf("READY %s %s %s %d\n", te.URL, mm.KeyID, mm.HMACSecret, id)
	select {} // until killed
}

// TestWebSocketSessionSurvivesKill9: a market maker logs on and quotes
// over the WebSocket; the server is killed with SIGKILL (no shutdown, no
// session closed); the next start on the same data cancels the quotes of
// that cancel-on-disconnect session before it serves anyone.
func TestWebSocketSessionSurvivesKill9(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestWSCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "LPX_WS_CRASH_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = nil
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			_ = cmd.Process.Kill()
		}
		_ = cmd.Wait()
	})
	ready := make(chan []string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) == 5 && f[0] == "READY" {
				ready <- f[1:]
			}
		}
	}()
	var f []string
	select {
	case f = <-ready:
	case <-time.After(60 * time.Second):
		t.Fatal("the child node did not start within 60 s")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	mm := &client.Client{BaseURL: f[0], KeyID: f[1], HMACSecret: []byte(f[2])}
	w, err := mm.DialWS(ctx, 64)
	if err != nil {
		t.Fatal(err)
	}
	var logon struct {
		CancelOnDisconnect string `json:"cancel_on_disconnect"`
	}
	if err := w.Logon(ctx, &logon); err != nil || logon.CancelOnDisconnect != "session" {
		t.Fatalf("logon: %+v %v", logon, err)
	}
	var o struct{ ID, Status string }
	if err := w.Call(ctx, "order.place", limitOrder("sell", "1.50", "2.00"), &o); err != nil || o.Status != "open" {
		t.Fatalf("quote: %+v %v", o, err)
	}
	// SIGKILL: the answer above means the order and the session are in the
	// journal; nothing closes the session.
	killed = true
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	again := apitest.Start(t, apitest.Options{Adjust: func(c *nodeConfig) { c.DataDir, c.KeyEncryptionKey = dir, crashKEK }})
	var id uint64
	fmt.Sscan(o.ID, &id)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var resting bool
		var open int
		if err := again.Node.Sequencer.Read(ctx, func(e *engine.Engine) {
			_, resting = e.Order(engine.OrderID(id))
			open = len(e.Sessions(nil))
		}); err != nil {
			t.Fatal(err)
		}
		if !resting && open == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart: the quote resting %v, %d sessions open", resting, open)
		}
	}
}
