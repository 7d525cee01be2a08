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
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lpx-exchange/lpx/cmd/lpx/node"
	"github.com/lpx-exchange/lpx/store/redisstore"
)

const serveUsage = `Usage: lpx serve [flags]

Runs the exchange: the sequencer over the recovered engine, its stores,
the projectors, the chain's deposit watcher and withdrawal sender, and the
REST API. With no settings every part is embedded (an in-process Redis
with the journal in files, SQLite and the dev chain, all in --data-dir);
--redis-url, --database-url and --eth-rpc-url switch a part to the real
thing. Each flag can also be set by the LPX_ variable named after it.

On its first start it makes an operator account and prints its admin API
key once. In the embedded mode (no --redis-url, no --eth-rpc-url) it
also seeds a demo world (three brands' tokens, markets, a market maker
quoting them in-process; not with --no-demo), says what it is, and
serves a faucet for demo wallets (POST /v1/demo/faucet); lpx demo tells
a story against it. On SIGINT or SIGTERM it stops taking requests,
drains the sequencer, writes a snapshot and exits 0. A setting that
keeps it from starting is one line on stderr naming the flag to fix
(exit 2 for a malformed value, 1 for a service that cannot be used).

Flags:
`

// envName is the LPX_ variable that sets a flag: --data-dir is
// LPX_DATA_DIR.
func envName(flagName string) string { return node.EnvName(flagName) }

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
	fs.StringVar(&cfg.DevChainRPC, "dev-chain-rpc", "127.0.0.1:8545", "loopback address of the embedded dev chain's JSON-RPC, for wallets (127.0.0.1:0: any free port)")
	fs.StringVar(&cfg.VaultKey, "vault-key", "", "the vault's private key in hex; required with --eth-rpc-url")
	fs.BoolVar(&cfg.NoChain, "no-chain", false, "run without any chain: no deposits, withdrawals or token programs")
	fs.Uint64Var(&cfg.Confirmations, "confirmations", 0, "blocks before a deposit is credited and a withdrawal settled (0: 3, or 1 on the dev chain)")
	fs.DurationVar(&cfg.ChainPoll, "chain-poll", 0, "how often the deposit watcher and the vault look at the chain (0: 1s)")
	fs.Uint64Var(&cfg.WatchFromBlock, "watch-from-block", 0, "where the deposit watcher starts without a cursor (0: the chain's head, or block 0 on the dev chain)")
	fs.StringVar(&cfg.KeyEncryptionKey, "key-encryption-key", "", "64 hex digits encrypting API keys' HMAC secrets; empty: made in the data directory (embedded Redis only)")
	fs.StringVar(&cfg.API.Domain, "domain", "", "the host sign-in with Ethereum messages must name (empty: the address it listens on, as the page's URL has it)")
	fs.IntVar(&cfg.Exchange.MaxBatch, "batch-size", 0, "commands per journal batch at most (0: 1024)")
	fs.IntVar(&cfg.Exchange.InboxSize, "inbox-size", 0, "commands waiting for the sequencer at most (0: 65536)")
	fs.Uint64Var(&cfg.Exchange.SnapshotEvery, "snapshot-every", 0, "take a snapshot after this many commands (0: 100000)")
	fs.DurationVar(&cfg.Exchange.SnapshotInterval, "snapshot-interval", 0, "take a snapshot after this long (0: 5m)")
	fs.DurationVar(&cfg.Exchange.TickEvery, "tick-every", 0, "journal a tick after this long without a command (0: 1s)")
	fs.DurationVar(&cfg.API.BookInterval, "book-interval", 0, "conflate WebSocket book updates to one per interval (0: 100ms; negative: none)")
	fs.Var(perSecond{&cfg.API.KeyLimit}, "key-rate", "requests a second per API key or web session, bursts of twice that (0: 200)")
	fs.Var(perSecond{&cfg.API.IPLimit}, "ip-rate", "requests a second per client address, bursts of twice that (0: 50)")
	fs.IntVar(&cfg.API.WSRate, "ws-rate", 0, "messages a second per WebSocket connection, bursts of twice that (0: 500)")
	fs.BoolVar(&cfg.Demo.Disabled, "no-demo", false, "embedded mode: seed no demo world (brands, tokens, markets, market maker); the faucet then gives gas only")
}

// runServe is lpx serve; it returns the exit code: 0 stopped by SIGINT or
// SIGTERM (after draining and a snapshot), 1 failed, 2 bad usage or a
// malformed setting. A setting that keeps it from starting is said in one
// line on stderr, naming the flag and the variable to fix.
func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lpx serve", flag.ContinueOnError)
	var cfg node.Config
	serveFlags(fs, &cfg)
	logFormat := fs.String("log-format", "text", "logs as text lines (text) or one JSON object a line (json)")
	logLevel := fs.String("log-level", "info", "the least important logs shown: debug, info, warn or error")
	if code, ok := parseFlags(fs, args, serveUsage, stdout, stderr); !ok {
		return code
	}
	log, err := newLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		fmt.Fprintln(stderr, "lpx serve:", err)
		return 2
	}
	cfg.Log = log
	routeRedisLogs(log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, cfg, stdout); err != nil {
		fmt.Fprintln(stderr, "lpx serve:", strings.ReplaceAll(err.Error(), "\n", "; "))
		if se := (*node.SettingError)(nil); errors.As(err, &se) && se.Malformed {
			return 2
		}
		return 1
	}
	return 0
}

// newLogger is the logger of --log-format and --log-level, writing to w.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

// redisLog receives go-redis's own log lines (a pool that cannot dial,
// say) at debug level: the failures they explain reach the log, and the
// user, through the calls that failed, in lpx's words.
var (
	redisLog     atomic.Pointer[slog.Logger]
	redisLogOnce sync.Once
)

// redisLogger is go-redis's logger (redis.SetLogger is process-wide).
type redisLogger struct{}

func (redisLogger) Printf(ctx context.Context, format string, v ...any) {
	if l := redisLog.Load(); l != nil {
		l.DebugContext(ctx, "go-redis: "+fmt.Sprintf(format, v...))
	}
}

// routeRedisLogs sends go-redis's log lines to log.
func routeRedisLogs(log *slog.Logger) {
	redisLog.Store(log)
	redisLogOnce.Do(func() { redis.SetLogger(redisLogger{}) })
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
	fmt.Fprintf(stdout, "lpx is serving on http://%s (the API under /v1, /openapi.yaml, /healthz, /readyz, /metrics)\nThe web page: %s\n%s\n", n.Addr, node.PageURL(n.Addr.String()), n.Describe())
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
	demoCtx, stopDemo := context.WithCancel(ctx) // the demo world (demoserve.go)
	defer stopDemo()
	demoDone := serveDemo(demoCtx, n, cfg.Log, stdout)
	err = waitServed(ctx, cfg.Log, done)
	stopDemo()
	<-demoDone
	return err
}

// waitServed waits for the node's Run to return (done), saying when the
// shutdown begins and that it ended cleanly: Run stops taking requests,
// drains the sequencer, writes a snapshot and lets the projectors catch up.
func waitServed(ctx context.Context, log *slog.Logger, done <-chan error) error {
	if log == nil {
		log = slog.Default()
	}
	stopLog := context.AfterFunc(ctx, func() {
		log.Info("stopping: no new requests; draining the sequencer, then a snapshot")
	})
	defer stopLog()
	err := <-done
	if err == nil && ctx.Err() != nil {
		log.Info("stopped: the sequencer drained and wrote its last snapshot")
	}
	return err
}

// perSecond is a rate-limit flag: N requests a second with bursts of 2N;
// 0 (the default) leaves the API's default.
type perSecond struct{ limit *redisstore.Limit }

func (p perSecond) String() string {
	if p.limit == nil || p.limit.Rate == 0 {
		return "0"
	}
	return strconv.Itoa(p.limit.Rate)
}

func (p perSecond) Set(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return errors.New("not a whole number of requests a second")
	}
	*p.limit = redisstore.Limit{}
	if n > 0 {
		*p.limit = redisstore.Limit{Rate: n, Per: time.Second, Burst: 2 * n}
	}
	return nil
}
