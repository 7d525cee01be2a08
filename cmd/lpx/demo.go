package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/cmd/lpx/node"
)

const demoUsage = `Usage: lpx demo [flags]

Runs a scripted story against an lpx server and tells it in plain words:
a brand issues points to a consumer; she links her own wallet and
deposits from it; asks for a quote and swaps ACME points for COFFEE
coupons; the market maker's quotes move; she withdraws the coupons to
her wallet; another consumer redeems a coupon with the brand; and the
brands' liabilities are printed. Every step is checked: the first that
fails stops the story with a message (exit status 1).

With --server (or LPX_SERVER) it runs against that server, which must be
in the embedded demo mode (lpx serve without LPX_REDIS_URL,
LPX_ETH_RPC_URL or --no-demo: the demo world, its faucet and the dev
chain, whose JSON-RPC is on loopback, so on this machine), with an
operator's API key (--key or LPX_KEY, its secret in LPX_SECRET), such as
the admin key lpx serve printed at its first start. Without a server it
starts one in-process, in a temporary directory it removes afterwards.

Flags:
`

// runDemo is lpx demo; it returns the exit code.
func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lpx demo", flag.ContinueOnError)
	var rem remote
	fs.StringVar(&rem.Server, "server", "", "the running server's base URL; empty: start one in-process")
	fs.StringVar(&rem.Key, "key", "", "an operator's API key id, lpxk_... (with --server)")
	fs.StringVar(&rem.Secret, "secret", "", "its HMAC secret (prefer LPX_SECRET: a command line is visible to other users)")
	if code, ok := parseFlags(fs, args, demoUsage, stdout, stderr); !ok {
		return code
	}
	if rem.Server != "" {
		if err := rem.needKey(); err != nil {
			fmt.Fprintln(stderr, "lpx demo: with --server,", err)
			return 2
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := demo(ctx, rem, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "lpx demo:", err)
		return 1
	}
	return 0
}

// demo tells the story against rem's server, or one started in-process.
func demo(ctx context.Context, rem remote, stdout, stderr io.Writer) error {
	if rem.Server != "" {
		return newStory(stdout, rem.Server, rem.client()).tellAll(ctx)
	}
	dir, err := os.MkdirTemp("", "lpx-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	return demoInProcess(ctx, dir, stdout, stderr)
}

// demoInProcess starts a node in dir with the demo world and its market
// maker, tells the story against it with the first admin key, and stops
// it. The node logs its errors to stderr.
func demoInProcess(ctx context.Context, dir string, stdout, stderr io.Writer) (err error) {
	fmt.Fprintf(stdout, "Starting an exchange in-process in %s: the embedded Redis, SQLite and the dev chain.\n", dir)
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	n, err := node.Open(ctx, node.Config{DataDir: dir, Listen: "127.0.0.1:0", Log: log})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, n.Close()) }()
	runCtx, stopNode := context.WithCancel(context.WithoutCancel(ctx))
	ran := make(chan error, 1)
	go func() { ran <- n.Run(runCtx) }()
	defer func() {
		stopNode()
		if rerr := <-ran; rerr != nil && !errors.Is(rerr, context.Canceled) {
			err = errors.Join(err, rerr)
		}
	}()
	bctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	key, _, err := n.BootstrapAdmin(bctx)
	cancel()
	if err != nil {
		return fmt.Errorf("the operator's key: %w", err)
	}
	fmt.Fprintln(stdout, "Seeding the demo world: three brands deploy their tokens on the dev chain, markets open, a market maker gets its stock...")
	began := time.Now()
	sctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	world, err := n.SeedDemo(sctx)
	cancel()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "...done in %v.\n%s", time.Since(began).Round(100*time.Millisecond), world.Describe(n.BaseURL()))
	mmCtx, stopMM := context.WithCancel(ctx)
	mmDone := make(chan error, 1)
	go func() { mmDone <- runDemoMarketMaker(mmCtx, n, world, log) }()
	defer func() {
		stopMM()
		if merr := <-mmDone; merr != nil {
			err = errors.Join(err, fmt.Errorf("the demo market maker: %w", merr))
		}
	}()
	admin := &client.Client{BaseURL: n.BaseURL(), KeyID: key.KeyID, HMACSecret: []byte(key.Secret), HTTP: &http.Client{Timeout: 30 * time.Second}}
	return newStory(stdout, n.BaseURL(), admin).tellAll(ctx)
}
