package node

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/lpx-exchange/lpx/tokens"
	"github.com/lpx-exchange/lpx/tokens/bindings"
	"github.com/lpx-exchange/lpx/tokens/devchain"
)

// Defaults of the chain settings.
const (
	DefaultConfirmations         = 3 // on a chain named by EthRPCURL
	DefaultEmbeddedConfirmations = 1 // on the embedded dev chain
	DefaultChainPoll             = time.Second
)

// Files in DataDir that the embedded chain mode keeps (the dev chain's own
// directory is "chain").
const (
	vaultKeyFile = "vaultkey"     // the vault's private key, hex, mode 0600
	factoryFile  = "tokenfactory" // the TokenFactory's address, hex
)

var (
	// ErrNoVaultKey: a chain named by EthRPCURL needs VaultKey.
	ErrNoVaultKey = errors.New("node: LPX_VAULT_KEY is required with LPX_ETH_RPC_URL")
	// ErrNoChain: the node runs without a chain (Config.NoChain).
	ErrNoChain = errors.New("node: no chain (NoChain is set)")
)

// vaultGasFloor and vaultGasTopUp: in the embedded mode the dev key tops
// the vault up by vaultGasTopUp when it holds less than vaultGasFloor.
var (
	vaultGasFloor = new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)                                    // 1 ETH
	vaultGasTopUp = new(big.Int).Mul(big.NewInt(100), new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)) // 100 ETH
)

// openChain connects the node to its chain: the embedded dev chain (started
// in DataDir/chain, the vault key kept in DataDir/vaultkey, the vault funded
// with gas and the TokenFactory deployed once, its address kept in
// DataDir/tokenfactory) or the JSON-RPC endpoint EthRPCURL with VaultKey.
func (n *Node) openChain(ctx context.Context) error {
	if n.cfg.ChainPoll <= 0 {
		n.cfg.ChainPoll = DefaultChainPoll
	}
	embedded := n.cfg.EthRPCURL == ""
	if n.cfg.Confirmations == 0 {
		n.cfg.Confirmations = DefaultConfirmations
		if embedded {
			n.cfg.Confirmations = DefaultEmbeddedConfirmations
		}
	}
	var err error
	if embedded {
		if n.vaultKey, err = loadOrCreateKey(filepath.Join(n.cfg.DataDir, vaultKeyFile), n.cfg.VaultKey); err != nil {
			return err
		}
		dc, err := devchain.Start(devchain.Config{DataDir: filepath.Join(n.cfg.DataDir, "chain"), HTTPAddr: n.cfg.DevChainRPC, Log: n.log})
		if err != nil {
			if n.cfg.DevChainRPC != "" && errors.Is(err, syscall.EADDRINUSE) {
				return fmt.Errorf("the dev chain's JSON-RPC address %s is in use (another lpx or geth?): set --dev-chain-rpc (LPX_DEV_CHAIN_RPC) to another loopback address, or 127.0.0.1:0 for any free port: %w", n.cfg.DevChainRPC, err)
			}
			return err
		}
		n.closers = append(n.closers, dc.Close) // closes its client too
		n.DevChain, n.Chain = dc, dc.Client()
	} else {
		if n.cfg.VaultKey == "" {
			return ErrNoVaultKey
		}
		if n.vaultKey, err = parseKey(n.cfg.VaultKey); err != nil {
			return vaultKeyError(err)
		}
		if err := checkRPCURL(n.cfg.EthRPCURL); err != nil {
			return err
		}
		if n.Chain, err = ethclient.DialContext(ctx, n.cfg.EthRPCURL); err != nil {
			return rpcError(n.cfg.EthRPCURL, err)
		}
		n.closers = append(n.closers, func() error { n.Chain.Close(); return nil })
	}
	n.Vault = crypto.PubkeyToAddress(n.vaultKey.PublicKey)
	id, err := n.Chain.ChainID(ctx)
	if err != nil && !embedded {
		return rpcError(n.cfg.EthRPCURL, err)
	}
	if err != nil {
		return fmt.Errorf("node: chain id: %w", err)
	}
	if !id.IsUint64() {
		return fmt.Errorf("node: chain id %v is not a uint64", id)
	}
	n.ChainID = id.Uint64()
	if embedded {
		return n.prepareDevChain(ctx)
	}
	return nil
}

// prepareDevChain funds the vault with gas from the dev key when it is low
// and deploys the TokenFactory unless DataDir/tokenfactory names a
// contract the chain has; both transactions go in the same block.
func (n *Node) prepareDevChain(ctx context.Context) error {
	path := filepath.Join(n.cfg.DataDir, factoryFile)
	if b, err := os.ReadFile(path); err == nil {
		if s := strings.TrimSpace(string(b)); common.IsHexAddress(s) {
			addr := common.HexToAddress(s)
			if code, err := n.Chain.CodeAt(ctx, addr, nil); err == nil && len(code) > 0 {
				n.Factory = addr
			}
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("node: token factory address: %w", err)
	}

	dev := n.DevChain.DevKey()
	devAddr := crypto.PubkeyToAddress(dev.PublicKey)
	chainID := new(big.Int).SetUint64(n.ChainID)
	nonce, err := n.Chain.PendingNonceAt(ctx, devAddr)
	if err != nil {
		return fmt.Errorf("node: dev key nonce: %w", err)
	}
	var wait []*types.Transaction

	balance, err := n.Chain.BalanceAt(ctx, n.Vault, nil)
	if err != nil {
		return fmt.Errorf("node: vault balance: %w", err)
	}
	if balance.Cmp(vaultGasFloor) < 0 {
		tip, err := n.Chain.SuggestGasTipCap(ctx)
		if err != nil {
			return fmt.Errorf("node: gas tip: %w", err)
		}
		head, err := n.Chain.HeaderByNumber(ctx, nil)
		if err != nil {
			return fmt.Errorf("node: head: %w", err)
		}
		feeCap := new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2)))
		tx, err := types.SignTx(types.NewTx(&types.DynamicFeeTx{
			ChainID: chainID, Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap, Gas: 21_000,
			To: &n.Vault, Value: vaultGasTopUp,
		}), types.LatestSignerForChainID(chainID), dev)
		if err != nil {
			return fmt.Errorf("node: fund the vault: %w", err)
		}
		if err := n.Chain.SendTransaction(ctx, tx); err != nil {
			return fmt.Errorf("node: fund the vault: %w", err)
		}
		nonce++
		wait = append(wait, tx)
	}
	var deployed common.Address
	if n.Factory == (common.Address{}) {
		opts := bind.NewKeyedTransactor(dev, chainID)
		opts.Context, opts.Nonce = ctx, new(big.Int).SetUint64(nonce)
		addr, tx, err := bind.DeployContract(opts, common.FromHex(bindings.TokenFactoryMetaData.Bin), n.Chain, nil)
		if err != nil {
			return fmt.Errorf("node: deploy the token factory: %w", err)
		}
		deployed = addr
		wait = append(wait, tx)
	}
	for _, tx := range wait {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		receipt, err := bind.WaitMined(wctx, n.Chain, tx.Hash())
		cancel()
		if err != nil {
			return fmt.Errorf("node: transaction %s: %w", tx.Hash(), err)
		}
		if receipt.Status != types.ReceiptStatusSuccessful {
			return fmt.Errorf("node: transaction %s failed", tx.Hash())
		}
	}
	if deployed != (common.Address{}) {
		if err := writeFileSync(path, []byte(deployed.Hex()+"\n"), 0o600); err != nil {
			return fmt.Errorf("node: token factory address: %w", err)
		}
		n.Factory = deployed
		n.log.Info("token factory deployed on the dev chain", "address", deployed)
	}
	return nil
}

// watchFrom is the block the deposit watcher starts at when it has no
// cursor: WatchFromBlock, or on a real chain the head now (scanning a long
// chain from block 0 for a vault that did not exist is only slow). Once
// the watcher has a cursor it does not matter.
func (n *Node) watchFrom(ctx context.Context) uint64 {
	if n.cfg.WatchFromBlock != 0 || n.DevChain != nil {
		return n.cfg.WatchFromBlock
	}
	if _, _, ok, err := (ChainStore{DB: n.SQL}).Cursor(ctx, n.ChainID); err != nil || ok {
		return 0
	}
	head, err := n.Chain.HeaderByNumber(ctx, nil)
	if err != nil {
		n.log.Warn("deposit watcher: head unknown; starting at block 0", "err", err)
		return 0
	}
	return head.Number.Uint64()
}

// startChain starts the deposit watcher and the vault loop (the
// withdrawal sender, the issuer and the supply reporter, one after the
// other, since they share the vault's nonces); they stop when ctx ends,
// and done is closed once both have returned.
func (n *Node) startChain(ctx context.Context) (done <-chan struct{}) {
	ch := make(chan struct{})
	if n.Chain == nil {
		close(ch)
		return ch
	}
	now := func() int64 { return time.Now().UnixNano() }
	watcher := &tokens.Watcher{
		Chain: n.Chain, Store: ChainStore{DB: n.SQL, Now: now},
		Crediter: EngineCrediter{Submit: n.Sequencer.Submit},
		ChainID:  n.ChainID, Vault: n.Vault, Confirmations: n.cfg.Confirmations, Log: n.log,
		StartBlock: n.watchFrom(ctx),
	}
	sender := &tokens.Sender{
		Chain: n.Chain, Store: heldOutbox{SenderStore{DB: n.SQL, Now: now}},
		Settler: EngineSettler{Submit: n.Sequencer.Submit},
		Key:     n.vaultKey, ChainID: new(big.Int).SetUint64(n.ChainID),
		Confirmations: n.cfg.Confirmations, Log: n.log,
	}
	stopped := make(chan struct{}, 2)
	go func() { watcher.Run(ctx, n.cfg.ChainPoll); stopped <- struct{}{} }()
	// One goroutine for the vault key: the sender's, the issuer's and the
	// supply reporter's passes in turn (see runVault, issue.go).
	go func() { n.runVault(ctx, sender); stopped <- struct{}{} }()
	go func() { <-stopped; <-stopped; close(ch) }()
	return ch
}

// heldOutbox gives the sender only the withdrawals the engine holds: a
// pending row is outstanding once the SQL history has recorded the
// engine's hold (held_seq). RequestWithdrawal writes the row before the
// engine holds the amount, so without this the sender could pay out a
// withdrawal the engine then refuses, or one whose command a crash lost.
type heldOutbox struct{ SenderStore }

// Outstanding is SenderStore.Outstanding without the pending rows that
// have no hold yet.
func (o heldOutbox) Outstanding(ctx context.Context, chainID uint64, limit int) ([]tokens.Withdrawal, error) {
	ws, err := o.SenderStore.Outstanding(ctx, chainID, limit)
	if err != nil {
		return nil, err
	}
	out := ws[:0]
	for _, w := range ws {
		if w.Status == tokens.WithdrawalPending {
			row, err := o.DB.Withdrawal(ctx, w.ID)
			if err != nil {
				return nil, err
			}
			if row.HeldSeq == 0 {
				continue
			}
		}
		out = append(out, w)
	}
	return out, nil
}

// describeChain is Describe's line about the chain. A URL is shown by its
// host only: a provider's URL can carry an API key.
func (n *Node) describeChain() string {
	switch {
	case n.Chain == nil:
		return "Chain: none (--no-chain): no deposits, withdrawals or token programs. For the embedded dev chain: drop --no-chain (LPX_NO_CHAIN)"
	case n.DevChain != nil:
		return fmt.Sprintf("Chain: embedded dev chain in %s, JSON-RPC %s, chain id %d, vault %s, token factory %s, %d confirmation(s). "+
			"For another chain: --eth-rpc-url URL (LPX_ETH_RPC_URL) with --vault-key",
			filepath.Join(n.cfg.DataDir, "chain"), n.DevChain.RPCURL(), n.ChainID, n.Vault, n.Factory, n.cfg.Confirmations)
	}
	return fmt.Sprintf("Chain: real, JSON-RPC at %s, chain id %d, vault %s, %d confirmation(s). For the embedded dev chain: leave --eth-rpc-url (LPX_ETH_RPC_URL) empty",
		urlHost(n.cfg.EthRPCURL), n.ChainID, n.Vault, n.cfg.Confirmations)
}

// checkRPCURL refuses an EthRPCURL that no JSON-RPC client could dial:
// ethclient takes http(s):// and ws(s):// URLs and IPC socket paths.
func checkRPCURL(raw string) error {
	u, err := url.Parse(raw)
	if err == nil {
		switch u.Scheme {
		case "http", "https", "ws", "wss":
			if u.Host != "" {
				return nil
			}
		case "":
			return nil // an IPC socket's path
		}
	}
	return &SettingError{Setting: "eth-rpc-url", Malformed: true, Err: err,
		Problem: "the chain's JSON-RPC URL is malformed",
		Fix:     "with http(s)://host:port, ws(s)://host:port or an IPC socket's path, or leave it empty for the embedded dev chain"}
}

// rpcError is a chain at EthRPCURL that cannot be used; the URL shows by
// its host only.
func rpcError(raw string, err error) error {
	return &SettingError{Setting: "eth-rpc-url", Err: err,
		Problem: fmt.Sprintf("cannot use the chain at %s (%s)", urlHost(raw), redact(err, raw)),
		Fix:     "and check that its JSON-RPC answers there, or leave it empty for the embedded dev chain"}
}

// parseKey reads a hex private key, with or without 0x.
func parseKey(s string) (*ecdsa.PrivateKey, error) {
	return crypto.HexToECDSA(strings.TrimPrefix(strings.TrimSpace(s), "0x"))
}

// loadOrCreateKey returns the key given, else the one stored at path, else
// a new one stored there (hex, mode 0600, fsynced).
func loadOrCreateKey(path, given string) (*ecdsa.PrivateKey, error) {
	if given != "" {
		k, err := parseKey(given)
		if err != nil {
			return nil, vaultKeyError(err)
		}
		return k, nil
	}
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := parseKey(string(b))
		if err != nil {
			return nil, fmt.Errorf("node: vault key in %s: %w", path, err)
		}
		return k, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("node: vault key: %w", err)
	}
	k, err := crypto.GenerateKey()
	if err != nil {
		return nil, err
	}
	if err := writeFileSync(path, []byte(hex.EncodeToString(crypto.FromECDSA(k))+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("node: vault key: %w", err)
	}
	return k, nil
}

// writeFileSync writes data to path through a fsynced temporary file
// renamed into place, then fsyncs the directory.
func writeFileSync(path string, data []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
