package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/lpx-exchange/lpx/cmd/lpx/node"
	"github.com/lpx-exchange/lpx/engine"
)

// TestProjectorRebuild runs lpx projector rebuild on an embedded node's
// data directory: the history comes back up to the last command.
func TestProjectorRebuild(t *testing.T) {
	dir := t.TempDir()
	n, err := node.Open(context.Background(), node.Config{DataDir: dir, NoChain: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	var last uint64
	for range 3 {
		res, err := n.Submit(context.Background(), engine.Command{Kind: engine.CmdCreateAccount})
		if err != nil {
			t.Fatal(err)
		}
		last = res.Seq
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	n.Close()

	var out, errOut bytes.Buffer
	if code := runProjector([]string{"--data-dir", dir, "rebuild"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "rebuilt up to sequence") || last == 0 {
		t.Fatalf("output %q", out.String())
	}
	if code := runProjector([]string{"rebuild", "now"}, &out, &errOut); code != 2 {
		t.Fatalf("bad usage: exit %d", code)
	}
}
