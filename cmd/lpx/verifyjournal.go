package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lpx-exchange/lpx/cmd/lpx/node"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/store/filejournal"
	"github.com/lpx-exchange/lpx/store/redisstore"
)

const verifyJournalUsage = `Usage: lpx verify-journal [--data-dir DIR | --redis-url URL [--key-prefix P]] [flags]

Checks a stopped server's journal offline: it replays every journaled
command through a fresh engine (from the first command, or from the oldest
snapshot when the journal before it was trimmed) and checks that

  - the batches follow each other with no gap or repeat,
  - every stored snapshot's state hash equals the replayed state's at its
    sequence number,
  - the event log holds exactly the events the replay regenerates,
    wherever it holds a batch,
  - the engine's invariants hold (every asset conserved: balances add up to
    deposits, issues, withdrawals, redemptions and expiries; holds match
    the open orders; books sorted and not crossed) every --check-every
    commands, at each snapshot and at the end.

It prints a summary (batches, commands, the last sequence number and its
state hash, the snapshots checked) and exits 0 when all hold, 1 with what
failed. The stores are those lpx serve uses: the embedded mode's files in
--data-dir (which it refuses while a server uses them), or a real Redis
(--redis-url, its keys under --key-prefix), which must not be written
meanwhile: stop the server first. It writes nothing, except that, like a
server's start, it drops the torn end of a file journal that a crash left
(a batch never acknowledged).

Flags:
`

// runVerifyJournal is lpx verify-journal: 0 the journal is sound, 1 it
// is not (or cannot be read), 2 bad usage.
func runVerifyJournal(args []string, stdout, stderr io.Writer) int {
	const name = "lpx verify-journal"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	dataDir := fs.String("data-dir", "lpx-data", "the embedded mode's data directory")
	redisURL := fs.String("redis-url", "", "a real Redis holding the journal (redis://host:port/db); empty: the files in --data-dir")
	keyPrefix := fs.String("key-prefix", "lpx:", "the prefix of lpx's Redis keys")
	checkEvery := fs.Int("check-every", 100_000, "check the invariants every this many commands too (0: only at snapshots and the end)")
	if code, ok := parseFlags(fs, args, verifyJournalUsage, stdout, stderr); !ok {
		return code
	}
	if *checkEvery < 0 {
		return badInput(stderr, name, "--check-every must be 0 or more")
	}
	ctx := context.Background()
	var st exchange.Stores
	var closeStores func()
	var code int
	if *redisURL != "" {
		st, closeStores, code = openRedisJournal(ctx, name, *redisURL, *keyPrefix, stderr)
	} else {
		st, closeStores, code = openFileJournal(name, *dataDir, stderr)
	}
	if code != 0 {
		return code
	}
	defer closeStores()
	began := time.Now()
	v := verifyJournal(ctx, st, *checkEvery)
	v.print(stdout)
	if len(v.Problems) > 0 {
		for _, p := range v.Problems {
			fmt.Fprintf(stderr, "%s: FAILED: %s\n", name, p)
		}
		return 1
	}
	fmt.Fprintf(stdout, "ok: the journal is sound (%s)\n", time.Since(began).Round(time.Millisecond))
	return 0
}

// openFileJournal opens the embedded mode's stores in dir, holding the
// data directory's lock so that no server starts on them meanwhile.
func openFileJournal(name, dir string, stderr io.Writer) (exchange.Stores, func(), int) {
	var st exchange.Stores
	if _, err := os.Stat(filepath.Join(dir, "journal")); err != nil {
		return st, nil, badInput(stderr, name, "no journal in %s (%v): is it lpx serve's --data-dir (LPX_DATA_DIR)?", dir, err)
	}
	unlock, err := node.LockDataDir(dir)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return st, nil, 1
	}
	var closers []func() error
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
		unlock()
	}
	fail := func(what string, err error) (exchange.Stores, func(), int) {
		closeAll()
		fmt.Fprintf(stderr, "%s: FAILED: the %s cannot be opened: %v\n", name, what, err)
		return exchange.Stores{}, nil, 1
	}
	j, err := filejournal.Open(filepath.Join(dir, "journal"))
	if err != nil {
		return fail("journal", err)
	}
	closers = append(closers, j.Close)
	st.Journal = j
	if exists(filepath.Join(dir, "events")) {
		ev, err := filejournal.Open(filepath.Join(dir, "events"))
		if err != nil {
			return fail("event log", err)
		}
		closers = append(closers, ev.Close)
		st.Events = ev
	}
	if exists(filepath.Join(dir, "snapshots")) {
		snaps, err := filejournal.OpenSnapshots(filepath.Join(dir, "snapshots"))
		if err != nil {
			return fail("snapshots", err)
		}
		st.Snapshots = snaps
	}
	return st, closeAll, 0
}

// openRedisJournal opens the stores a node on the real Redis at url keeps
// under prefix.
func openRedisJournal(ctx context.Context, name, url, prefix string, stderr io.Writer) (exchange.Stores, func(), int) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return exchange.Stores{}, nil, badInput(stderr, name, "--redis-url (LPX_REDIS_URL) is malformed: %v", err)
	}
	rdb := redis.NewClient(redisstore.JournalOptions(opt))
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		rdb.Close()
		fmt.Fprintf(stderr, "%s: cannot use Redis at %s (%v); check --redis-url (LPX_REDIS_URL)\n", name, opt.Addr, err)
		return exchange.Stores{}, nil, 1
	}
	st := exchange.Stores{
		Journal:   redisstore.NewJournal(rdb, prefix+"journal", 0),
		Events:    redisstore.NewJournal(rdb, prefix+"events", 0),
		Snapshots: redisstore.NewSnapshots(rdb, prefix+"snapshots", 0, 0),
	}
	return st, func() { rdb.Close() }, 0
}

// exists reports whether path exists.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
