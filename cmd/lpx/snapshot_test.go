package main

import (
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// TestSnapshotCommand: lpx snapshot has the server store a snapshot and
// prints its sequence number and the state hash of the state then; it
// needs an admin key.
func TestSnapshotCommand(t *testing.T) {
	env := apitest.Start(t, apitest.Options{QuietClock: true})
	r := runCmd(runSnapshot, keyArgs(env, env.Admin)...)
	hash := env.StateHash()
	var seq uint64
	if _, err := fmt.Sscanf(r.stdout, "Snapshot stored at sequence %d, state hash", &seq); err != nil || seq == 0 {
		t.Fatalf("exit %d, %q: %v", r.code, r.stdout+r.stderr, err)
	}
	r.want(t, "snapshot", 0, "state hash "+hex.EncodeToString(hash[:]))

	reader := env.NewClient(sqlstore.AccountConsumer, "tess", sqlstore.ScopeRead)
	runCmd(runSnapshot, keyArgs(env, reader)...).want(t, "without the admin scope", 1, "forbidden")
	runCmd(runSnapshot, "--server", env.URL).want(t, "no key", 2, "an API key is required")
	runCmd(runSnapshot, "now").want(t, "an argument", 2, `unexpected argument "now"`)
}
