package node

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/lpx-exchange/lpx/api"
	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/migrations"
	"github.com/lpx-exchange/lpx/store/filejournal"
	"github.com/lpx-exchange/lpx/store/redisstore"
	"github.com/lpx-exchange/lpx/store/sqlstore"
	"github.com/lpx-exchange/lpx/tokens/devchain"
	"github.com/redis/go-redis/v9"
)

// Config says where a node keeps its state. The zero value is the
// embedded mode in ./lpx-data.
type Config struct {
	// RedisURL is a real Redis (LPX_REDIS_URL). Empty: the embedded mode,
	// an in-process miniredis with the journal, the event log and the
	// snapshots in files under DataDir.
	RedisURL string
	// KeyPrefix is put before every Redis key and channel (default "lpx:").
	KeyPrefix string
	// DataDir holds the embedded mode's files (default ./lpx-data).
	DataDir string
	// DatabaseURL is the SQL database (LPX_DATABASE_URL: postgres://...
	// or sqlite://PATH); empty: SQLite in DataDir. Pending migrations are
	// applied at start unless NoMigrate.
	DatabaseURL string
	NoMigrate   bool
	// EthRPCURL is the chain's JSON-RPC endpoint (LPX_ETH_RPC_URL); empty:
	// the embedded dev chain (tokens/devchain) in DataDir/chain.
	EthRPCURL string
	// DevChainRPC is the loopback host:port the embedded dev chain serves
	// its JSON-RPC on (LPX_DEV_CHAIN_RPC), for wallets and tools; empty: a
	// free port, different at every start. lpx serve asks for the usual
	// 127.0.0.1:8545, so a browser wallet's network stays valid across
	// restarts.
	DevChainRPC string
	// VaultKey is the vault's private key in hex (LPX_VAULT_KEY), required
	// with EthRPCURL. Empty in the embedded mode: a key generated once into
	// DataDir/vaultkey (mode 0600) and reused. Never logged.
	VaultKey string
	// WatchFromBlock is where the deposit watcher starts when it has no
	// cursor yet. 0: the embedded chain's first block, or, on a chain named
	// by EthRPCURL, its head when the watcher first starts (a transfer to
	// the vault before lpx first watched it is not a deposit).
	WatchFromBlock uint64
	// Confirmations before a deposit is credited and a withdrawal settled;
	// 0: DefaultConfirmations (3), or 1 on the embedded dev chain.
	Confirmations uint64
	// ChainPoll is how often the deposit watcher and the vault loop
	// (withdrawals, issues, supply reports) look at the chain (default
	// DefaultChainPoll, 1 s).
	ChainPoll time.Duration
	// NoChain runs the node without any chain: no dev chain, no watcher,
	// no sender; RequestWithdrawal returns ErrNoChain.
	NoChain bool
	// Listen is where the API serves HTTP while Run runs ("" for nowhere;
	// "127.0.0.1:0" for any free port, see Node.Addr).
	Listen string
	// KeyEncryptionKey encrypts API keys' HMAC secrets at rest, 64 hex
	// digits (LPX_KEY_ENCRYPTION_KEY). Empty: a key generated once into
	// DataDir/keyencryptionkey (mode 0600) and reused; a node on a real
	// Redis must be given one (several servers must share it).
	KeyEncryptionKey string
	// API tunes the REST API (the node sets its key encryption key, chain
	// id, logger and, when empty, the sign-in domain: the host and port
	// it listens on as the page's URL has them, or "localhost").
	API      api.Config
	Exchange exchange.Config
	// Demo is the embedded mode's demo world and faucet (demo.go).
	Demo DemoConfig
	Log  *slog.Logger
}

// historyName is the SQL history projection's checkpoint name.
const historyName = "history"

// Node is a running exchange: the sequencer over the recovered engine,
// its stores, and the market-data projector.
type Node struct {
	Sequencer *exchange.Sequencer
	Redis     *redis.Client // market data, idempotency, nonces, rate limits
	SQL       *sqlstore.DB  // accounts, keys, wallets, history, ...
	// MarketData is read by the API; the rest are the API's primitives.
	MarketData  *redisstore.MarketData
	Idempotency *redisstore.Idempotency
	Nonces      *redisstore.Nonces
	RateLimiter *redisstore.RateLimiter
	// Embedded reports the embedded mode.
	Embedded bool
	// Chain is the chain's client (nil with NoChain); DevChain is the
	// embedded dev chain, nil with EthRPCURL. Vault is the address that
	// deposits go to and withdrawals come from; Factory the TokenFactory
	// deployed on the dev chain (zero with EthRPCURL).
	Chain    *ethclient.Client
	DevChain *devchain.Chain
	ChainID  uint64
	Vault    common.Address
	Factory  common.Address
	// API is the REST API; Addr is where it listens once Open returns
	// (nil without Config.Listen).
	API  *api.Server
	Addr net.Addr

	listener net.Listener

	vaultKey    *ecdsa.PrivateKey
	deployMu    sync.Mutex // one program deployment at a time (apichain.go)
	withdrawals withdrawalIDs

	cfg        Config
	log        *slog.Logger
	stores     exchange.Stores
	projectors []*exchange.Projector
	closers    []func() error
}

// Open recovers the exchange from its stores and returns a node ready to
// Run. It refuses to start when a projection is ahead of the journal, and
// when the embedded data directory is in use (ErrDataDirInUse). A
// setting that is wrong, or names a service that does not answer, is a
// *SettingError naming the setting to fix.
func Open(ctx context.Context, cfg Config) (_ *Node, err error) {
	if cfg.KeyPrefix == "" {
		cfg.KeyPrefix = "lpx:"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "lpx-data"
	}
	if err := checkSettings(cfg); err != nil {
		return nil, err
	}
	n := &Node{cfg: cfg, log: cfg.Log, Embedded: cfg.RedisURL == ""}
	if n.log == nil {
		n.log = slog.Default()
	}
	n.cfg.Exchange.Log = n.log
	defer func() {
		if err != nil {
			n.Close()
		}
	}()
	events, err := n.openStores(ctx)
	if err != nil {
		return nil, err
	}
	eng, err := exchange.Recover(ctx, n.stores, n.log)
	if err != nil {
		return nil, err
	}
	marketData := exchange.NewMarketData(n.MarketData)
	history := exchange.NewHistory(n.SQL, historyName)
	if err := exchange.CheckCheckpoints(ctx, eng.LastSeq(), map[string]exchange.Checkpointer{
		"the market data in Redis": marketData,
		"the SQL history":          history,
	}); err != nil {
		return nil, err
	}
	n.cfg.Exchange.EventReaders = append(n.cfg.Exchange.EventReaders, marketData, history)
	metrics := api.NewMetrics(func() int { return n.Sequencer.QueueDepth() })
	n.cfg.Exchange.OnBatch = metrics.ObserveBatch
	n.Sequencer = exchange.NewSequencer(eng, n.stores, n.cfg.Exchange)
	if !n.cfg.NoChain {
		if err := n.openChain(ctx); err != nil {
			return nil, err
		}
	}
	if err := n.openAPI(metrics); err != nil {
		return nil, err
	}
	n.projectors = []*exchange.Projector{
		{Name: "market data", Projection: marketData, Events: events(), Sequencer: n.Sequencer, Snapshots: n.stores.Snapshots, Log: n.log},
		{Name: "SQL history", Projection: history, Events: events(), Sequencer: n.Sequencer, Log: n.log},
	}
	return n, nil
}

// openStores opens Redis (real or embedded), the journal, the event log,
// the snapshots and the SQL database; events returns a reader of the
// event log for one goroutine.
func (n *Node) openStores(ctx context.Context) (events func() exchange.Journal, err error) {
	if n.Embedded {
		events, err = n.openEmbedded()
	} else {
		events, err = n.openRedis(ctx)
	}
	if err != nil {
		return nil, err
	}
	p := n.cfg.KeyPrefix
	n.MarketData = redisstore.NewMarketData(n.Redis, p, redisstore.MarketDataOptions{})
	n.Idempotency = redisstore.NewIdempotency(n.Redis, p, 0)
	n.Nonces = redisstore.NewNonces(n.Redis, p)
	n.RateLimiter = redisstore.NewRateLimiter(n.Redis, p)

	url := n.cfg.DatabaseURL
	if url == "" {
		url = sqlstore.SQLiteURL(n.cfg.DataDir)
	}
	if err := PrepareDatabase(ctx, url, !n.cfg.NoMigrate); err != nil {
		return nil, n.databaseError(err)
	}
	if n.SQL, err = sqlstore.Open(ctx, url); err != nil {
		return nil, n.databaseError(err)
	}
	n.closers = append(n.closers, n.SQL.Close)
	return events, nil
}

// openEmbedded starts miniredis and opens the files (the file journal
// serves several goroutines: every reader of the event log shares it).
func (n *Node) openEmbedded() (func() exchange.Journal, error) {
	dir := n.cfg.DataDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, &SettingError{Setting: "data-dir", Err: err, Problem: fmt.Sprintf("the data directory cannot be made (%v)", err)}
	}
	unlock, err := LockDataDir(dir)
	if err != nil {
		return nil, err
	}
	n.closers = append(n.closers, unlock)
	mr := miniredis.NewMiniRedis()
	mr.ClockTTL(true) // keys expire as the clock runs, as in Redis
	if err := mr.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("node: embedded Redis: %w", err)
	}
	n.closers = append(n.closers, func() error { mr.Close(); return nil })
	n.Redis = redis.NewClient(redisstore.JournalOptions(&redis.Options{Addr: mr.Addr()}))
	n.closers = append(n.closers, n.Redis.Close)
	journal, err := filejournal.Open(filepath.Join(dir, "journal"))
	if err != nil {
		return nil, err
	}
	n.closers = append(n.closers, journal.Close)
	events, err := filejournal.Open(filepath.Join(dir, "events"))
	if err != nil {
		return nil, err
	}
	n.closers = append(n.closers, events.Close)
	snaps, err := filejournal.OpenSnapshots(filepath.Join(dir, "snapshots"))
	if err != nil {
		return nil, err
	}
	n.stores = exchange.Stores{Journal: journal, Events: events, Snapshots: snaps}
	return func() exchange.Journal { return events }, nil
}

// openRedis connects to a real Redis, which holds everything (a reader of
// the event log gets a Journal of its own: one serves one goroutine).
func (n *Node) openRedis(ctx context.Context) (func() exchange.Journal, error) {
	opt, err := redis.ParseURL(n.cfg.RedisURL)
	if err != nil {
		return nil, &SettingError{Setting: "redis-url", Malformed: true, Err: err,
			Problem: fmt.Sprintf("the Redis URL is malformed (%s)", redact(err, n.cfg.RedisURL)),
			Fix:     "with redis://[:password@]host:port/db, or leave it empty for the embedded Redis"}
	}
	n.Redis = redis.NewClient(redisstore.JournalOptions(opt))
	n.closers = append(n.closers, n.Redis.Close)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := n.Redis.Ping(pctx).Err(); err != nil {
		return nil, &SettingError{Setting: "redis-url", Err: err,
			Problem: fmt.Sprintf("cannot use Redis at %s (%s)", opt.Addr, redact(err, n.cfg.RedisURL)),
			Fix:     "and check that Redis runs there and lets lpx in, or leave it empty for the embedded Redis"}
	}
	p := n.cfg.KeyPrefix
	n.stores = exchange.Stores{
		Journal:   redisstore.NewJournal(n.Redis, p+"journal", 0),
		Events:    redisstore.NewJournal(n.Redis, p+"events", 0),
		Snapshots: redisstore.NewSnapshots(n.Redis, p+"snapshots", 0, 0),
	}
	return func() exchange.Journal { return redisstore.NewJournal(n.Redis, p+"events", 0) }, nil
}

// projectorGrace is how long the projectors may go on after the sequencer
// stops; what it has not projected then waits in the event log for the
// next start.
const projectorGrace = 10 * time.Second

// Run runs the sequencer, the projectors and the chain's deposit watcher
// and withdrawal sender until ctx is done; then it stops the watcher and
// the sender (they submit commands), drains the sequencer, snapshots and
// lets the projectors catch up.
func (n *Node) Run(ctx context.Context) error {
	// The projectors outlive ctx: they catch up with what the sequencer
	// drained, for at most projectorGrace after the sequencer stops.
	pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	pdone := make(chan error, len(n.projectors))
	for _, p := range n.projectors {
		go func() {
			err := p.Run(pctx)
			if err != nil && !errors.Is(err, exchange.ErrCheckpointAhead) {
				n.log.Warn("projector stopped before catching up; it resumes at the next start", "projector", p.Name, "err", err)
				err = nil
			}
			pdone <- err
		}()
	}
	// The sequencer outlives ctx until the watcher and the vault loop stopped.
	chainCtx, stopChain := context.WithCancel(ctx)
	defer stopChain()
	chainDone := n.startChain(chainCtx)
	// HTTP stops first: no request submits once the sequencer drains.
	apiCtx, stopAPI := context.WithCancel(ctx)
	defer stopAPI()
	apiDone := n.serveAPI(apiCtx)
	sctx, stopSequencer := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSequencer()
	go func() {
		select {
		case <-ctx.Done():
		case <-sctx.Done():
		}
		stopAPI()
		<-apiDone
		stopChain()
		<-chainDone
		stopSequencer()
	}()
	err := n.Sequencer.Run(sctx)
	stopAPI() // the sequencer failed on its own: stop them too
	<-apiDone
	stopChain()
	<-chainDone
	grace := time.AfterFunc(projectorGrace, cancel)
	defer grace.Stop()
	for range n.projectors {
		err = errors.Join(err, <-pdone)
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return nil
	}
	return err
}

// Submit journals and applies a command (see exchange.Sequencer.Submit).
func (n *Node) Submit(ctx context.Context, cmd engine.Command) (exchange.Result, error) {
	return n.Sequencer.Submit(ctx, cmd)
}

// Describe says, for the start-up banner, which mode each part is in
// (embedded or real) and which setting switches it. URLs show by host only.
func (n *Node) Describe() string {
	redisLine := fmt.Sprintf("Redis: embedded (in-process, nothing on disk); journal, event log and snapshots: files in %s (fsynced). "+
		"For a real Redis: --redis-url redis://host:6379/0 (LPX_REDIS_URL) with --key-encryption-key", n.cfg.DataDir)
	if !n.Embedded {
		redisLine = fmt.Sprintf("Redis: real, %s, keys under %q (journal, event log, snapshots, market data). "+
			"For the embedded Redis: leave --redis-url (LPX_REDIS_URL) empty", n.Redis.Options().Addr, n.cfg.KeyPrefix)
	}
	sqlLine := "SQL: embedded SQLite, " + sqlstore.SQLiteURL(n.cfg.DataDir) + ". For PostgreSQL: --database-url postgres://user@host:5432/db (LPX_DATABASE_URL)"
	if n.cfg.DatabaseURL != "" {
		sqlLine = fmt.Sprintf("SQL: real PostgreSQL at %s. For SQLite in the data directory: leave --database-url (LPX_DATABASE_URL) empty", urlHost(n.cfg.DatabaseURL))
		if n.SQL.Dialect == migrations.SQLite {
			sqlLine = fmt.Sprintf("SQL: SQLite, %s. For PostgreSQL: --database-url postgres://user@host:5432/db (LPX_DATABASE_URL)", n.cfg.DatabaseURL)
		}
	}
	return redisLine + "\n" + sqlLine + "\n" + n.describeChain()
}

// Close releases the stores; call it after Run has returned.
func (n *Node) Close() error {
	var err error
	for i := len(n.closers) - 1; i >= 0; i-- {
		err = errors.Join(err, n.closers[i]())
	}
	n.closers = nil
	return err
}

// RebuildHistory empties the SQL history and projects it again from the
// whole event log, with the exchange stopped (it opens the stores but
// runs no sequencer). The event log must still begin at the first
// command; if retention has trimmed it, the history cannot be rebuilt and
// it says so.
func RebuildHistory(ctx context.Context, cfg Config) (uint64, error) {
	n := &Node{cfg: cfg, log: cfg.Log, Embedded: cfg.RedisURL == ""}
	if n.cfg.KeyPrefix == "" {
		n.cfg.KeyPrefix = "lpx:"
	}
	if n.cfg.DataDir == "" {
		n.cfg.DataDir = "lpx-data"
	}
	if n.log == nil {
		n.log = slog.Default()
	}
	defer n.Close()
	events, err := n.openStores(ctx)
	if err != nil {
		return 0, err
	}
	if err := n.SQL.ResetHistory(ctx, historyName); err != nil {
		return 0, err
	}
	p := &exchange.Projector{Name: "SQL history", Projection: exchange.NewHistory(n.SQL, historyName), Events: events(), Log: n.log}
	return p.CatchUp(ctx)
}
