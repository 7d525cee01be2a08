package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/cmd/lpx/marketmaker"
	"github.com/lpx-exchange/lpx/cmd/lpx/node"
)

// serveDemo, in the embedded mode with its dev chain and without
// --no-demo, seeds the demo world (or finds it: seconds the first time),
// says on stdout what it is, and runs its market maker in-process until
// ctx ends; done is closed once all of that has stopped. Elsewhere it
// does nothing. A world that cannot be seeded is said and left: the next
// start finishes it.
func serveDemo(ctx context.Context, n *node.Node, log *slog.Logger, stdout io.Writer) (done <-chan struct{}) {
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		world, err := n.SeedDemo(ctx)
		switch {
		case errors.Is(err, node.ErrNoDemo), errors.Is(err, node.ErrDemoDisabled), err != nil && ctx.Err() != nil:
			return
		case err != nil:
			fmt.Fprintf(stdout, "The demo world could not be seeded (the next start goes on where this one stopped): %v\n", err)
			return
		}
		fmt.Fprintf(stdout, "\n%s  try it: lpx demo --server %s (with the admin key in LPX_KEY and LPX_SECRET)\n\n", world.Describe(n.BaseURL()), n.BaseURL())
		if err := runDemoMarketMaker(ctx, n, world, log); err != nil && ctx.Err() == nil {
			fmt.Fprintf(stdout, "The demo market maker stopped: %v\n", err)
		}
	}()
	return ch
}

// runDemoMarketMaker quotes the demo world's markets in-process, over the
// node's own API with the market maker's key, until ctx ends; then it
// cancels its quotes (marketmaker.Run).
func runDemoMarketMaker(ctx context.Context, n *node.Node, w *node.DemoWorld, log *slog.Logger) error {
	q, err := n.DemoQuoting(w)
	if err != nil {
		return err
	}
	if log == nil {
		log = slog.Default()
	}
	return marketmaker.Run(ctx, marketmaker.Config{
		Client:  &client.Client{BaseURL: q.BaseURL, KeyID: q.KeyID, HMACSecret: []byte(q.Secret), HTTP: &http.Client{Timeout: 10 * time.Second}},
		Markets: q.Markets, Spread: q.Spread, Step: q.Step, Size: q.Size, Levels: q.Levels,
		RequoteEvery: q.RequoteEvery, DeadMan: q.DeadMan, Mids: q.Mids, Mid: q.Mid,
		Log: log.With("component", "demo market maker"),
	})
}
