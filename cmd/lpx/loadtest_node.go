package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/redis/go-redis/v9"

	"github.com/lpx-exchange/lpx/api"
	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/cmd/lpx/node"
	"github.com/lpx-exchange/lpx/store/redisstore"
)

// inProcessSettings choose the stores of the node lpx loadtest runs when
// it is given no --server. The node is throwaway: its data directory is
// a temporary one, its Redis keys live under a fresh prefix and its SQL
// tables in a fresh PostgreSQL schema, all removed when it stops (unless
// keepData), so that it never touches anything that was there.
type inProcessSettings struct {
	redisURL, databaseURL string
	bookInterval          time.Duration
	keepData              bool
}

func (s *inProcessSettings) declare(fs *flag.FlagSet) {
	fs.StringVar(&s.redisURL, "redis-url", "", "in-process node: a real Redis, redis://host:port/db, its keys under a fresh prefix (empty: embedded)")
	fs.StringVar(&s.databaseURL, "database-url", "", "in-process node: postgres://... (its tables in a fresh schema) or sqlite://PATH (empty: SQLite in its temporary directory)")
	fs.DurationVar(&s.bookInterval, "book-interval", 0, "in-process node: conflate WebSocket book updates to one per interval (0: 100ms; negative: none)")
	fs.BoolVar(&s.keepData, "keep-data", false, "in-process node: keep its directory, Redis keys and schema, and say where they are")
}

// inProcessNode is a node lpx loadtest started, with the operator key the
// load test sets itself up with.
type inProcessNode struct {
	admin *client.Client
	stop  func() error
}

// The limits of the in-process node: high enough that the load, not the
// node's guard, sets the pace.
var inProcessLimit = redisstore.Limit{Rate: 1_000_000, Per: time.Second, Burst: 1_000_000}

// startInProcess opens and runs a node as settings say, on loopback, and
// makes its operator's admin key.
func startInProcess(ctx context.Context, s inProcessSettings, log *slog.Logger, stdout io.Writer) (_ *inProcessNode, err error) {
	var cleanups []func() error
	cleanup := func() error {
		var errs []error
		for i := len(cleanups) - 1; i >= 0; i-- {
			errs = append(errs, cleanups[i]())
		}
		return errors.Join(errs...)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, cleanup())
		}
	}()
	id := randomHex(4)
	dir, err := os.MkdirTemp("", "lpx-loadtest-")
	if err != nil {
		return nil, err
	}
	keep := func(what string) { fmt.Fprintf(stdout, "kept %s\n", what) }
	cleanups = append(cleanups, func() error {
		if s.keepData {
			keep("the node's directory " + dir)
			return nil
		}
		return os.RemoveAll(dir)
	})
	cfg := node.Config{
		DataDir: dir, Listen: "127.0.0.1:0", RedisURL: s.redisURL, KeyPrefix: "lpxloadtest:" + id + ":",
		KeyEncryptionKey: randomHex(32), ChainPoll: 250 * time.Millisecond, Log: log,
		API: api.Config{KeyLimit: inProcessLimit, IPLimit: inProcessLimit, WSRate: inProcessLimit.Rate, BookInterval: s.bookInterval},
	}
	if s.redisURL != "" {
		cleanups = append(cleanups, func() error {
			if s.keepData {
				keep("the Redis keys under " + cfg.KeyPrefix)
				return nil
			}
			return deleteRedisPrefix(s.redisURL, cfg.KeyPrefix)
		})
	}
	if cfg.DatabaseURL, err = freshSchema(ctx, s.databaseURL, "lpx_loadtest_"+id); err != nil {
		return nil, err
	}
	if cfg.DatabaseURL != s.databaseURL {
		cleanups = append(cleanups, func() error {
			if s.keepData {
				keep("the PostgreSQL schema lpx_loadtest_" + id)
				return nil
			}
			return dropSchema(s.databaseURL, "lpx_loadtest_"+id)
		})
	}
	n, err := node.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("the in-process node: %w", err)
	}
	runCtx, stopRun := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() { done <- n.Run(runCtx) }()
	stopNode := func() error {
		stopRun()
		runErr := <-done
		if errors.Is(runErr, context.Canceled) {
			runErr = nil
		}
		return errors.Join(runErr, n.Close())
	}
	cleanups = append(cleanups, stopNode)
	bctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	key, _, err := n.BootstrapAdmin(bctx)
	cancel()
	if err == nil && key.KeyID == "" {
		err = errors.New("the node has an operator already")
	}
	if err != nil {
		return nil, fmt.Errorf("the in-process node's admin key: %w", err)
	}
	fmt.Fprintf(stdout, "in-process node on http://%s\n%s\n", n.Addr, n.Describe())
	admin := &client.Client{
		BaseURL: "http://" + n.Addr.String(), KeyID: key.KeyID, HMACSecret: []byte(key.Secret),
		HTTP: &http.Client{Timeout: 2 * time.Minute},
	}
	return &inProcessNode{admin: admin, stop: cleanup}, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// freshSchema makes schema in the PostgreSQL database of raw and returns
// raw with its connections searching it; any other URL comes back as it
// is.
func freshSchema(ctx context.Context, raw, schema string) (string, error) {
	if !strings.HasPrefix(raw, "postgres://") && !strings.HasPrefix(raw, "postgresql://") {
		return raw, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("--database-url: %w", err)
	}
	db, err := sql.Open("pgx", raw)
	if err != nil {
		return "", fmt.Errorf("--database-url: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", fmt.Errorf("create the schema %s in the --database-url's database: %w", schema, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// dropSchema removes schema and everything in it.
func dropSchema(raw, schema string) error {
	db, err := sql.Open("pgx", raw)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
		return fmt.Errorf("drop the schema %s: %w", schema, err)
	}
	return nil
}

// deleteRedisPrefix removes every key under prefix.
func deleteRedisPrefix(raw, prefix string) error {
	opt, err := redis.ParseURL(raw)
	if err != nil {
		return err
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := rdb.Unlink(ctx, batch...).Err()
		batch = batch[:0]
		return err
	}
	for iter.Next(ctx) {
		if batch = append(batch, iter.Val()); len(batch) == 500 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	return flush()
}
