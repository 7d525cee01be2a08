package node

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lpx-exchange/lpx/api"
	"github.com/lpx-exchange/lpx/store/redisstore"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// openAPI builds the REST API over the node and, with Config.Listen,
// opens its listener (so that Addr is known before Run).
func (n *Node) openAPI(metrics *api.Metrics) error {
	kek, err := n.keyEncryptionKey()
	if err != nil {
		return err
	}
	cfg := n.cfg.API
	cfg.KeyEncryptionKey = kek
	if n.ChainID != 0 {
		cfg.ChainID = n.ChainID // sign-in names the chain the node is on
	}
	if cfg.Log == nil {
		cfg.Log = n.log
	}
	p := n.cfg.KeyPrefix
	deps := api.Deps{
		Exchange:    n.Sequencer,
		Store:       n.SQL,
		MarketData:  n.MarketData,
		MarketFeed:  n.MarketData,
		Guard:       redisstore.NewGuard(n.Redis, p),
		Idempotency: n.Idempotency,
		SIWENonces:  redisstore.NewSIWENonces(n.Redis, p),
		LinkNonces:  n.Nonces,
		Ready:       n.ready,
		Metrics:     metrics,
		Snapshots:   n.Sequencer,
	}
	if n.Chain != nil {
		deps.Chain = apiChain{n}
	}
	if n.Embedded && n.DevChain != nil {
		deps.Faucet = &faucet{n: n} // the embedded demo mode only (faucet.go)
		// GET /v1/info tells the page's demo wallet where the dev chain is,
		// and the page's Content-Security-Policy lets it call there.
		cfg.Demo = &api.DemoInfo{RPCURL: n.DevChain.RPCURL(), ChainID: n.ChainID}
	}
	if n.cfg.Listen != "" {
		if n.listener, err = net.Listen("tcp", n.cfg.Listen); err != nil {
			return fmt.Errorf("node: listen on %s: %w", n.cfg.Listen, err)
		}
		n.Addr = n.listener.Addr()
		n.closers = append(n.closers, func() error {
			if err := n.listener.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
				return err
			}
			return nil
		})
		if cfg.URI == "" {
			cfg.URI = strings.TrimSuffix(PageURL(n.Addr.String()), "/") // the page's origin, for sign-in messages
		}
		if cfg.Domain == "" {
			// The page's host, as a browser wallet sees it: a wallet warns
			// when a sign-in message names another.
			cfg.Domain = strings.TrimPrefix(cfg.URI, "http://")
		}
	}
	if cfg.Domain == "" {
		cfg.Domain = "localhost"
	}
	if n.API, err = api.New(deps, cfg); err != nil {
		return err
	}
	return nil
}

// PageURL is the web page's URL on a server listening at addr
// (host:port): http://host:port/, with an unspecified host (0.0.0.0,
// [::]) shown as 127.0.0.1.
func PageURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr + "/"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// serveAPI serves HTTP on the listener until ctx is done, then stops
// taking requests and lets those running finish (at most apiGrace).
func (n *Node) serveAPI(ctx context.Context) (done <-chan struct{}) {
	ch := make(chan struct{})
	if n.listener == nil {
		close(ch)
		return ch
	}
	served := make(chan error, 1)
	go func() {
		// Sessions open in the engine belonged to connections that did not
		// survive the restart: close them (cancelling their orders) before
		// any new connection.
		if closed, err := n.API.CloseStaleSessions(ctx); err != nil {
			n.log.Error("closing the WebSocket sessions of the last run failed; they stay open", "err", err)
		} else if closed > 0 {
			n.log.Info("closed the WebSocket sessions of the last run", "sessions", closed)
		}
		if ctx.Err() != nil {
			served <- nil // stopped before it served
			return
		}
		served <- n.API.App().Listener(n.listener)
	}()
	streams := make(chan struct{})
	go func() {
		defer close(streams)
		if err := n.API.RunStreams(ctx); err != nil && ctx.Err() == nil {
			n.log.Error("the WebSocket private streams stopped", "err", err)
		}
	}()
	go func() {
		defer close(ch)
		defer func() { <-streams }()
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), apiGrace)
			defer cancel()
			if err := n.API.Shutdown(sctx); err != nil {
				n.log.Warn("API shutdown", "err", err)
			}
			<-served
		case err := <-served:
			if err != nil {
				n.log.Error("API stopped serving", "err", err)
			}
		}
	}()
	return ch
}

// apiGrace is how long requests running at shutdown may take to finish.
const apiGrace = 5 * time.Second

// ready reports whether Redis, the database and the chain answer.
func (n *Node) ready(ctx context.Context) error {
	var errs []error
	if err := n.Redis.Ping(ctx).Err(); err != nil {
		errs = append(errs, fmt.Errorf("redis: %w", err))
	}
	if err := n.SQL.DB.PingContext(ctx); err != nil {
		errs = append(errs, fmt.Errorf("database: %w", err))
	}
	if n.Chain != nil {
		if _, err := n.Chain.BlockNumber(ctx); err != nil {
			errs = append(errs, fmt.Errorf("chain: %w", err))
		}
	}
	return errors.Join(errs...)
}

// keyEncryptionKey is Config.KeyEncryptionKey, or the one kept in the
// data directory (made on first start) when the node is embedded.
func (n *Node) keyEncryptionKey() ([]byte, error) {
	given := strings.TrimSpace(n.cfg.KeyEncryptionKey)
	if given == "" && !n.Embedded {
		return nil, errors.New("node: a node on a real Redis needs LPX_KEY_ENCRYPTION_KEY (64 hex digits; every server of the exchange must share it; make one with: openssl rand -hex 32)")
	}
	if given == "" {
		path := filepath.Join(n.cfg.DataDir, "keyencryptionkey")
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			given = strings.TrimSpace(string(b))
		case errors.Is(err, os.ErrNotExist):
			var k [32]byte
			if _, err := rand.Read(k[:]); err != nil {
				return nil, err
			}
			given = hex.EncodeToString(k[:])
			if err := writeFileSync(path, []byte(given+"\n"), 0o600); err != nil {
				return nil, fmt.Errorf("node: key encryption key: %w", err)
			}
		default:
			return nil, fmt.Errorf("node: key encryption key: %w", err)
		}
	}
	k, err := hex.DecodeString(given)
	if err != nil || len(k) != 32 {
		return nil, errors.New("node: the key encryption key must be 64 hex digits (32 bytes)")
	}
	return k, nil
}

// AdminKey is the operator's first API key, made on a node's first start.
type AdminKey struct {
	Account uint32
	KeyID   string
	Secret  string // shown once; stored encrypted
}

// BootstrapAdmin makes an operator account with an HMAC key holding every
// scope if the database has no operator yet, and returns it (created
// false and a zero key when there is one already). The sequencer must be
// running (Run). The secret is never logged: the caller shows it once.
func (n *Node) BootstrapAdmin(ctx context.Context) (key AdminKey, created bool, err error) {
	ops, err := n.SQL.ListAccounts(ctx, sqlstore.AccountOperator, 0, 1)
	if err != nil || len(ops) > 0 {
		return AdminKey{}, false, err
	}
	id, err := n.API.CreateAccount(ctx, sqlstore.AccountOperator, "operator")
	if err != nil {
		return AdminKey{}, false, err
	}
	all := []sqlstore.Scope{sqlstore.ScopeRead, sqlstore.ScopeTrade, sqlstore.ScopeWithdraw, sqlstore.ScopeIssue, sqlstore.ScopeAdmin}
	keyID, secret, err := n.API.IssueHMACKey(ctx, id, all, "first admin key")
	if err != nil {
		return AdminKey{}, false, err
	}
	return AdminKey{Account: id, KeyID: keyID, Secret: secret}, true, nil
}
