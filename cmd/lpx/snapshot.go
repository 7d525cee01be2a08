package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"
)

const snapshotUsage = `Usage: lpx snapshot [flags]

Has the running server write a snapshot of the exchange's state now, and
prints its sequence number and state hash once the store holds it. The
next start recovers from the newest snapshot and replays only the journal
after it; the older snapshots beyond the kept number are deleted and the
journal before the oldest kept one is trimmed. It needs an operator's key
with the admin scope (--key and --secret, or LPX_KEY and LPX_SECRET).
lpx verify-journal, on the stopped server's data, prints the same state
hash at the same sequence number.

Flags:
`

// runSnapshot is lpx snapshot: 0 stored, 1 failed (the server's answer
// or none), 2 bad usage.
func runSnapshot(args []string, stdout, stderr io.Writer) int {
	const name = "lpx snapshot"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var r remote
	r.declare(fs)
	if code, ok := parseFlags(fs, args, snapshotUsage, stdout, stderr); !ok {
		return code
	}
	c, ok := keyed(name, &r, stderr)
	if !ok {
		return 2
	}
	c.HTTP = &http.Client{Timeout: 2 * time.Minute} // the server waits up to a minute for the store
	var answer struct {
		Seq       string `json:"seq"`
		StateHash string `json:"state_hash"`
	}
	if !apiCall(context.Background(), name, &r, c, stderr, "POST", "/v1/admin/snapshot", nil, nil, &answer) {
		return 1
	}
	fmt.Fprintf(stdout, "Snapshot stored at sequence %s, state hash %s.\n", answer.Seq, answer.StateHash)
	return 0
}
