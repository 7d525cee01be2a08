package devchain

import (
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth"
	"github.com/ethereum/go-ethereum/eth/catalyst"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/eth/filters"
	"github.com/ethereum/go-ethereum/ethclient"
	gethlog "github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/rpc"
)

const (
	// DefaultPeriod is the block period when Config.Period is zero.
	DefaultPeriod = time.Second
	// DefaultHTTPAddr serves JSON-RPC on a free loopback port.
	DefaultHTTPAddr = "127.0.0.1:0"
	// GasLimit is the genesis block gas limit, geth --dev's default
	// (--dev.gaslimit).
	GasLimit = 11_500_000

	keyFile  = "devkey" // the developer key, hex, in Config.DataDir
	nodeName = "geth"   // the node's instance directory, as geth names it
)

var (
	// ErrNoDataDir is returned by Start when Config.DataDir is empty.
	ErrNoDataDir = errors.New("devchain: no data directory")
	// ErrPeriod is returned by Start for a block period under a second or
	// not a whole number of seconds.
	ErrPeriod = errors.New("devchain: block period must be a whole number of seconds, at least 1 s")
	// ErrNotLoopback is returned by Start for an HTTP address that is not on
	// loopback.
	ErrNotLoopback = errors.New("devchain: JSON-RPC address must be on loopback")
	// ErrKeyMissing is returned by Start when the data directory holds a
	// chain but not the developer key that its genesis funded.
	ErrKeyMissing = errors.New("devchain: data directory has a chain but no developer key")
	// ErrNotDevChain is returned by Start when the data directory holds a
	// chain that is not a dev chain (not proof-of-stake from genesis).
	ErrNotDevChain = errors.New("devchain: data directory holds a chain that is not a dev chain")
)

// Config configures Start.
type Config struct {
	// DataDir is the chain's own directory (required); it is created if
	// missing.
	DataDir string
	// Period is the block period: zero means DefaultPeriod; otherwise a
	// whole number of seconds, at least one.
	Period time.Duration
	// HTTPAddr is the loopback host:port of the JSON-RPC endpoint; empty
	// means DefaultHTTPAddr. Port 0 picks a free port (see Chain.RPCURL).
	HTTPAddr string
	// CORSOrigins are the browser origins allowed to call the JSON-RPC
	// endpoint; nil means any ("*"). That is safe enough on loopback for a
	// dev chain: the endpoint serves only eth, net and web3, holds no
	// unlocked account, and refuses Host names other than localhost and IP
	// addresses (against DNS rebinding).
	CORSOrigins []string
	// Log receives the chain's messages and the node's; nil means
	// slog.Default(). (go-ethereum's own global logger, which eth and the
	// beacon write to, is left as it is: discarded unless the program sets
	// it with log.SetDefault.)
	Log *slog.Logger
}

// Chain is a running dev chain.
type Chain struct {
	stack   *node.Node
	client  *ethclient.Client
	rpcURL  string
	chainID *big.Int
	devKey  *ecdsa.PrivateKey
	log     *slog.Logger

	stopSync chan struct{} // closed by Close: syncEachBlock returns
	synced   chan struct{} // closed when syncEachBlock has returned

	closeOnce sync.Once
	closeErr  error
}

// Start opens the dev chain in cfg.DataDir, creating it (a new developer
// key and a genesis funding it) the first time, and starts sealing blocks
// and serving JSON-RPC. The caller must Close it.
func Start(cfg Config) (*Chain, error) {
	if cfg.DataDir == "" {
		return nil, ErrNoDataDir
	}
	if cfg.Period == 0 {
		cfg.Period = DefaultPeriod
	}
	if cfg.Period < time.Second || cfg.Period%time.Second != 0 {
		return nil, fmt.Errorf("%w: got %v", ErrPeriod, cfg.Period)
	}
	if cfg.HTTPAddr == "" {
		cfg.HTTPAddr = DefaultHTTPAddr
	}
	host, port, err := loopbackAddr(cfg.HTTPAddr)
	if err != nil {
		return nil, err
	}
	if cfg.CORSOrigins == nil {
		cfg.CORSOrigins = []string{"*"}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	dir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("devchain: data directory: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("devchain: data directory: %w", err)
	}

	began := time.Now()
	nodeCfg := node.DefaultConfig
	nodeCfg.Name = nodeName // fixed: the default is the executable's name
	nodeCfg.DataDir = dir
	nodeCfg.IPCPath = ""           // no IPC socket
	nodeCfg.P2P.MaxPeers = 0       // as --dev: no networking
	nodeCfg.P2P.ListenAddr = ""    //
	nodeCfg.P2P.NoDial = true      //
	nodeCfg.P2P.NoDiscovery = true //
	nodeCfg.P2P.DiscoveryV5 = false
	nodeCfg.HTTPHost = host
	nodeCfg.HTTPPort = port
	nodeCfg.HTTPModules = []string{"eth", "net", "web3"}
	nodeCfg.HTTPCors = cfg.CORSOrigins
	nodeCfg.HTTPVirtualHosts = []string{"localhost"}
	nodeCfg.WSHost = ""
	nodeCfg.AuthPort = 0
	nodeCfg.UseLightweightKDF = true
	nodeCfg.Logger = gethlog.NewLogger(cfg.Log.Handler())
	stack, err := node.New(&nodeCfg) // takes the directory's lock
	if err != nil {
		return nil, fmt.Errorf("devchain: node: %w", err)
	}
	c, err := start(stack, dir, cfg)
	if err != nil {
		stack.Close()
		return nil, err
	}
	c.log.Info("dev chain started", "rpc", c.rpcURL, "chain_id", c.chainID,
		"developer", crypto.PubkeyToAddress(c.devKey.PublicKey), "block_period", cfg.Period,
		"data_dir", dir, "took", time.Since(began).Round(time.Millisecond))
	return c, nil
}

// start builds the chain on a node that is not yet started.
func start(stack *node.Node, dir string, cfg Config) (*Chain, error) {
	exists, err := hasChain(stack)
	if err != nil {
		return nil, err
	}
	key, err := developerKey(filepath.Join(dir, keyFile), exists)
	if err != nil {
		return nil, err
	}
	developer := crypto.PubkeyToAddress(key.PublicKey)

	// As cmd/utils.SetEthConfig does for --dev.
	ethCfg := ethconfig.Defaults
	ethCfg.NetworkId = 1337
	ethCfg.SyncMode = ethconfig.FullSync
	ethCfg.EnablePreimageRecording = true
	ethCfg.Miner.PendingFeeRecipient = developer
	ethCfg.Miner.GasPrice = big.NewInt(1)
	// Unlike geth --dev, durable block by block (see syncEachBlock): every
	// block's state is written to the database with the block (the hash
	// scheme with pruning off, "archive", a few KiB a block). With the
	// default path scheme the recent state lives in memory until a clean
	// shutdown, and a kill -9 rewinds the chain to the last state on disk:
	// to genesis, on a young dev chain.
	ethCfg.StateScheme = rawdb.HashScheme
	ethCfg.NoPruning = true
	// A dev chain is small: caches of mainnet size (GiBs) are not needed.
	ethCfg.DatabaseCache = 64
	ethCfg.TrieCleanCache = 32
	ethCfg.TrieDirtyCache = 16
	ethCfg.SnapshotCache = 16
	if !exists {
		// A chain already on disk keeps its own genesis and config: a
		// go-ethereum upgrade that changes the dev genesis (new forks)
		// must not make it "incompatible".
		ethCfg.Genesis = core.DeveloperGenesisBlock(GasLimit, &developer)
	}
	backend, err := eth.New(stack, &ethCfg)
	if err != nil {
		return nil, fmt.Errorf("devchain: eth: %w", err)
	}
	// eth_getLogs and the filter methods, as cmd/utils.RegisterFilterAPI.
	filterSystem := filters.NewFilterSystem(backend.APIBackend, filters.Config{
		LogCacheSize:  ethCfg.FilterLogCacheSize,
		LogQueryLimit: ethCfg.LogQueryLimit,
		RangeLimit:    ethCfg.RangeLimit,
	})
	stack.RegisterAPIs([]rpc.API{{Namespace: "eth", Service: filters.NewFilterAPI(filterSystem)}})

	beacon, err := catalyst.NewSimulatedBeacon(uint64(cfg.Period/time.Second), developer, backend)
	if err != nil {
		return nil, fmt.Errorf("devchain: simulated beacon: %w", err)
	}
	// Registered after eth, so stopped before it.
	stack.RegisterLifecycle(beacon)
	if err := stack.Start(); err != nil {
		return nil, fmt.Errorf("devchain: start: %w", err)
	}
	c := &Chain{
		stack:    stack,
		client:   ethclient.NewClient(stack.Attach()),
		rpcURL:   stack.HTTPEndpoint(),
		chainID:  new(big.Int).Set(backend.BlockChain().Config().ChainID),
		devKey:   key,
		log:      cfg.Log,
		stopSync: make(chan struct{}),
		synced:   make(chan struct{}),
	}
	go c.syncEachBlock(backend)
	return c, nil
}

// syncEachBlock makes every new head durable: go-ethereum writes to its
// database without waiting for the disk (pebble.NoSync, its write-ahead
// log flushed every 500 KB), so a kill -9 would lose the last blocks
// (seen: a head of 4 back to 1). One fsync a block, a second apart, is
// cheap. It runs until Close.
func (c *Chain) syncEachBlock(backend *eth.Ethereum) {
	defer close(c.synced)
	heads := make(chan core.ChainHeadEvent, 16)
	sub := backend.BlockChain().SubscribeChainHeadEvent(heads)
	defer sub.Unsubscribe()
	db := backend.ChainDb()
	for {
		select {
		case <-heads:
			if err := db.SyncKeyValue(); err != nil {
				c.log.Error("dev chain: sync database", "err", err)
			}
		case err := <-sub.Err():
			if err != nil {
				c.log.Error("dev chain: head subscription", "err", err)
			}
			return
		case <-c.stopSync:
			return
		}
	}
}

// hasChain reports whether the node's database already holds a chain, and
// checks that it is a dev chain (merged at genesis), as geth --dev does.
func hasChain(stack *node.Node) (bool, error) {
	if rawdb.PreexistingDatabase(stack.ResolvePath("chaindata")) == "" {
		return false, nil
	}
	db, err := stack.OpenDatabaseWithOptions("chaindata", node.DatabaseOptions{ReadOnly: true})
	if err != nil {
		return false, fmt.Errorf("devchain: open chain database: %w", err)
	}
	defer db.Close()
	if rawdb.ReadCanonicalHash(db, 0) == (common.Hash{}) {
		return false, nil
	}
	genesis, err := core.ReadGenesis(db)
	if err != nil {
		return false, fmt.Errorf("devchain: read genesis: %w", err)
	}
	ttd := genesis.Config.TerminalTotalDifficulty
	if ttd == nil || ttd.Sign() != 0 || genesis.Difficulty == nil || genesis.Difficulty.Sign() != 0 {
		return false, ErrNotDevChain
	}
	return true, nil
}

// developerKey loads the developer key from path, or generates and stores
// it when there is none and no chain yet.
func developerKey(path string, chainExists bool) (*ecdsa.PrivateKey, error) {
	key, err := crypto.LoadECDSA(path)
	switch {
	case err == nil:
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("devchain: developer key %s is readable by others (mode %v): chmod 600 it", path, fi.Mode().Perm())
		}
		return key, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("devchain: developer key %s: %w", path, err)
	case chainExists:
		return nil, fmt.Errorf("%w (%s)", ErrKeyMissing, path)
	}
	key, err = crypto.GenerateKey()
	if err != nil {
		return nil, fmt.Errorf("devchain: generate developer key: %w", err)
	}
	if err := writeKey(path, key); err != nil {
		return nil, fmt.Errorf("devchain: store developer key: %w", err)
	}
	return key, nil
}

// writeKey stores key at path (hex, mode 0600) durably: a temporary file,
// synced, renamed into place, and the directory synced.
func writeKey(path string, key *ecdsa.PrivateKey) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(hex.EncodeToString(crypto.FromECDSA(key)))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// loopbackAddr splits a loopback host:port.
func loopbackAddr(addr string) (string, int, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("devchain: JSON-RPC address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("devchain: JSON-RPC address %q: bad port", addr)
	}
	if ip := net.ParseIP(host); !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
		return "", 0, fmt.Errorf("%w: %q", ErrNotLoopback, addr)
	}
	return host, port, nil
}

// RPCURL is the JSON-RPC endpoint over HTTP, for wallets, tools and
// clients in other processes (http://127.0.0.1:port).
func (c *Chain) RPCURL() string { return c.rpcURL }

// Client is an in-process client of the chain (no HTTP in between). It is
// the Chain's: closed by Close, not by the caller.
func (c *Chain) Client() *ethclient.Client { return c.client }

// ChainID is the chain's id (1337, as geth --dev's).
func (c *Chain) ChainID() *big.Int { return new(big.Int).Set(c.chainID) }

// DevKey is the developer key, funded by the genesis: for the embedded
// mode's faucet and vault funding. It is secret; never log it.
func (c *Chain) DevKey() *ecdsa.PrivateKey { return c.devKey }

// DevAddress is the developer key's address.
func (c *Chain) DevAddress() common.Address { return crypto.PubkeyToAddress(c.devKey.PublicKey) }

// Close stops sealing, stops the node (which writes what it holds in memory
// to the data directory) and releases the directory. Calling it again
// returns the first call's result.
func (c *Chain) Close() error {
	c.closeOnce.Do(func() {
		c.client.Close()
		close(c.stopSync)
		<-c.synced
		// Closing the node writes the rest (a block sealed since) cleanly.
		if err := c.stack.Close(); err != nil {
			c.closeErr = fmt.Errorf("devchain: close: %w", err)
		}
		c.log.Info("dev chain stopped")
	})
	return c.closeErr
}
