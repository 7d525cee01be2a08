package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/lpx-exchange/lpx/cmd/lpx/node"
)

const projectorUsage = `Usage: lpx projector [flags] rebuild

  rebuild   empty the SQL history (orders, trades, ledger, redemptions,
            assets, markets) and project it again from the whole event
            log. Stop the server first. It fails, changing nothing but the
            emptied tables, if retention has trimmed the event log.

The stores are those lpx serve uses: --redis-url (else LPX_REDIS_URL; none:
the embedded mode's files in the data directory), --data-dir (else
LPX_DATA_DIR, else ./lpx-data), --database-url (else LPX_DATABASE_URL, else
SQLite in the data directory).

Flags:
`

// runProjector is lpx projector: 0 done, 1 failed, 2 bad usage.
func runProjector(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lpx projector", flag.ContinueOnError)
	fs.SetOutput(stderr)
	redisURL := fs.String("redis-url", "", "a real Redis (redis://...); empty: the embedded mode")
	dataDir := fs.String("data-dir", "", "the data directory")
	databaseURL := fs.String("database-url", "", "PostgreSQL (postgres://...) or SQLite (sqlite://PATH)")
	keyPrefix := fs.String("key-prefix", "", "the prefix of lpx's Redis keys (default lpx:)")
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, projectorUsage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return 0
		}
		fmt.Fprintln(stderr, "usage: lpx projector [flags] rebuild  (lpx projector -h for help)")
		return 2
	}
	if fs.NArg() != 1 || fs.Arg(0) != "rebuild" {
		fmt.Fprintln(stderr, "usage: lpx projector [flags] rebuild  (lpx projector -h for help)")
		return 2
	}
	cfg := node.Config{
		RedisURL:    firstNonEmpty(*redisURL, os.Getenv("LPX_REDIS_URL")),
		DataDir:     firstNonEmpty(*dataDir, os.Getenv("LPX_DATA_DIR"), "lpx-data"),
		DatabaseURL: firstNonEmpty(*databaseURL, os.Getenv("LPX_DATABASE_URL")),
		KeyPrefix:   *keyPrefix,
	}
	seq, err := node.RebuildHistory(context.Background(), cfg)
	if err != nil {
		fmt.Fprintf(stderr, "lpx projector rebuild: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "the SQL history is rebuilt up to sequence %d\n", seq)
	return 0
}
