package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/lpx-exchange/lpx/cmd/lpx/node"
)

const serveUsage = `Usage: lpx serve [flags]

Runs the exchange: the sequencer over the recovered engine, its stores,
the projectors, the chain's deposit watcher and withdrawal sender, and the
REST API. With no settings every part is embedded (an in-process Redis
with the journal in files, SQLite and the dev chain, all in --data-dir).
Each flag can also be set by the LPX_ variable named after it.

On its first start it makes an operator account and prints its admin API
key once.

Flags:
`

// envName is the LPX_ variable that sets a flag: --data-dir is
// LPX_DATA_DIR.
func envName(flagName string) string {
	return "LPX_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// setFromEnv gives every flag not set on the command line the value of
// its LPX_ variable, if there is one, parsed as the flag parses it.
func setFromEnv(fs *flag.FlagSet) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if v, ok := os.LookupEnv(envName(f.Name)); ok && !given[f.Name] && err == nil {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = fmt.Errorf("%s=%q: %w", envName(f.Name), v, serr)
			}
		}
	})
	return err
}

// serveFlags declares lpx serve's settings on fs, into cfg.
func serveFlags(fs *flag.FlagSet, cfg *node.Config) {
	fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:8080", "address the API serves HTTP on")
	fs.StringVar(&cfg.DataDir, "data-dir", "lpx-data", "directory of the embedded parts' files")
	fs.StringVar(&cfg.RedisURL, "redis-url", "", "a real Redis, redis://host:port/db; empty: embedded")
	fs.StringVar(&cfg.KeyPrefix, "key-prefix", "lpx:", "prefix of every Redis key and channel")
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "postgres://... or sqlite://PATH; empty: SQLite in the data directory")
	fs.BoolVar(&cfg.NoMigrate, "no-migrate", false, "do not apply pending migrations at start")
	fs.StringVar(&cfg.EthRPCURL, "eth-rpc-url", "", "the chain's JSON-RPC endpoint; empty: the embedded dev chain")
	fs.StringVar(&cfg.VaultKey, "vault-key", "", "the vault's private key in hex; required with --eth-rpc-url")
	fs.BoolVar(&cfg.NoChain, "no-chain", false, "run without any chain: no deposits, withdrawals or token programs")
	fs.Uint64Var(&cfg.Confirmations, "confirmations", 0, "blocks before a deposit is credited and a withdrawal settled (0: 3, or 1 on the dev chain)")
	fs.DurationVar(&cfg.ChainPoll, "chain-poll", 0, "how often the deposit watcher and the vault look at the chain (0: 1s)")
	fs.Uint64Var(&cfg.WatchFromBlock, "watch-from-block", 0, "where the deposit watcher starts without a cursor (0: the chain's head, or block 0 on the dev chain)")
	fs.StringVar(&cfg.KeyEncryptionKey, "key-encryption-key", "", "64 hex digits encrypting API keys' HMAC secrets; empty: made in the data directory (embedded Redis only)")
	fs.StringVar(&cfg.API.Domain, "domain", "localhost", "the host sign-in with Ethereum messages must name")
	fs.IntVar(&cfg.Exchange.MaxBatch, "batch-size", 0, "commands per journal batch at most (0: 1024)")
	fs.IntVar(&cfg.Exchange.InboxSize, "inbox-size", 0, "commands waiting for the sequencer at most (0: 65536)")
	fs.Uint64Var(&cfg.Exchange.SnapshotEvery, "snapshot-every", 0, "take a snapshot after this many commands (0: 100000)")
	fs.DurationVar(&cfg.Exchange.SnapshotInterval, "snapshot-interval", 0, "take a snapshot after this long (0: 5m)")
	fs.DurationVar(&cfg.Exchange.TickEvery, "tick-every", 0, "journal a tick after this long without a command (0: 1s)")
	fs.DurationVar(&cfg.API.BookInterval, "book-interval", 0, "conflate WebSocket book updates to one per interval (0: 100ms; negative: none)")
}

// runServe is lpx serve; it returns the exit code.
func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lpx serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg node.Config
	serveFlags(fs, &cfg)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, serveUsage)
			fs.SetOutput(stdout)
			fs.VisitAll(func(f *flag.Flag) { f.Usage += " (" + envName(f.Name) + ")" })
			fs.PrintDefaults()
			return 0
		}
		fmt.Fprintln(stderr, "usage: lpx serve [flags]  (lpx serve -h for help)")
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "lpx serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if err := setFromEnv(fs); err != nil {
		fmt.Fprintln(stderr, "lpx serve:", err)
		return 2
	}
	cfg.Log = slog.New(slog.NewTextHandler(stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, cfg, stdout); err != nil {
		fmt.Fprintln(stderr, "lpx serve:", err)
		return 1
	}
	return 0
}

// serve runs a node until ctx ends.
func serve(ctx context.Context, cfg node.Config, stdout io.Writer) error {
	n, err := node.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	fmt.Fprintf(stdout, "lpx is serving on http://%s (the API under /v1, /openapi.yaml, /healthz, /readyz, /metrics)\n%s\n", n.Addr, n.Describe())
	bctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	key, created, err := n.BootstrapAdmin(bctx)
	cancel()
	switch {
	case err != nil:
		fmt.Fprintf(stdout, "could not make the first admin key: %v\n", err)
	case created:
		fmt.Fprintf(stdout, "\nFirst start: operator account %d with an admin API key (HMAC-SHA256). It is shown this once:\n  LPX-KEY:    %s\n  secret:     %s\n\n", key.Account, key.KeyID, key.Secret)
	default:
		fmt.Fprintln(stdout, "The operator account exists already (its first admin key was printed at the first start).")
	}
	return <-done
}
