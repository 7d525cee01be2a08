package devchain_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"

	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/tokens/devchain"
)

func TestStartRefusesBadConfig(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		cfg  devchain.Config
		want error
	}{
		{"no data dir", devchain.Config{}, devchain.ErrNoDataDir},
		{"period under 1 s", devchain.Config{DataDir: dir, Period: 500 * time.Millisecond}, devchain.ErrPeriod},
		{"period not whole seconds", devchain.Config{DataDir: dir, Period: 1500 * time.Millisecond}, devchain.ErrPeriod},
		{"not loopback", devchain.Config{DataDir: dir, HTTPAddr: "0.0.0.0:0"}, devchain.ErrNotLoopback},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := devchain.Start(tc.cfg)
			if err == nil {
				c.Close()
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Start: %v, want %v", err, tc.want)
			}
		})
	}
}

// TestRestartKeepsChain sends value to a new address, closes the chain and
// starts it again on the same directory: the block number has not gone
// back, the balance is there, the developer key is the same, and blocks
// are sealed again. It also checks the chain's clock against the wall
// clock and the period between blocks.
func TestRestartKeepsChain(t *testing.T) {
	dir := t.TempDir()
	began := time.Now()
	c, err := devchain.Start(devchain.Config{DataDir: dir, Log: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first start took %v", time.Since(began).Round(time.Millisecond))
	defer func() { c.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	if got := c.ChainID(); got.Cmp(big.NewInt(1337)) != 0 {
		t.Errorf("chain id %v, want 1337", got)
	}
	fi, err := os.Stat(filepath.Join(dir, "devkey"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("devkey mode %v, want 0600", perm)
	}

	to := crypto.PubkeyToAddress(newKey(t).PublicKey)
	amount := big.NewInt(1234567890)
	receipt := send(ctx, t, c.Client(), c.DevKey(), to, amount)

	// A few blocks after it: 1 s apart, and not ahead of the wall clock.
	first := waitBlock(ctx, t, c.Client(), receipt.BlockNumber.Uint64()+1)
	last := waitBlock(ctx, t, c.Client(), first.Number.Uint64()+2)
	now := time.Now()
	headTime := time.Unix(int64(last.Time), 0)
	t.Logf("blocks %d..%d: %d s of chain time; head timestamp %v vs wall clock %v",
		first.Number, last.Number, last.Time-first.Time, headTime.UTC().Format(time.TimeOnly), now.UTC().Format(time.StampMilli))
	// Never faster than the period (a busy machine may seal a block late,
	// which only slows the chain's clock), and never ahead of the wall
	// clock: on-chain coupon expiry must not fire before the engine's.
	if d := last.Time - first.Time; d < 2 {
		t.Errorf("2 blocks took %d s of chain time, want at least 2 (1 s period)", d)
	}
	if skew := headTime.Sub(now); skew > 2*time.Second || skew < -5*time.Second {
		t.Errorf("head block timestamp %v is %v from the wall clock %v", headTime, skew, now)
	}

	devKey := crypto.FromECDSA(c.DevKey())
	before, err := c.Client().BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	began = time.Now()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	closed := time.Since(began)
	c, err = devchain.Start(devchain.Config{DataDir: dir, Log: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("close took %v, start again %v", closed.Round(time.Millisecond), (time.Since(began) - closed).Round(time.Millisecond))

	after, err := c.Client().BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after < before {
		t.Errorf("block number %d after restart, was %d", after, before)
	}
	if got := crypto.FromECDSA(c.DevKey()); string(got) != string(devKey) {
		t.Error("developer key changed across restart")
	}
	if bal, err := c.Client().BalanceAt(ctx, to, nil); err != nil || bal.Cmp(amount) != 0 {
		t.Errorf("balance of %s after restart: %v, %v; want %v", to, bal, err, amount)
	}
	if r, err := c.Client().TransactionReceipt(ctx, receipt.TxHash); err != nil || r.BlockHash != receipt.BlockHash {
		t.Errorf("receipt after restart: %v, %v", r, err)
	}
	// Sealing goes on from where it was, and the chain still takes
	// transactions from the developer key.
	waitBlock(ctx, t, c.Client(), after+1)
	send(ctx, t, c.Client(), c.DevKey(), to, amount)
	t.Logf("block %d before close, %d after restart", before, after)
}

// TestTransferOverHTTP sends value from the developer key to a new key and
// back through the JSON-RPC endpoint that wallets use.
func TestTransferOverHTTP(t *testing.T) {
	c, err := devchain.Start(devchain.Config{DataDir: t.TempDir(), Log: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	client, err := ethclient.Dial(c.RPCURL())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	t.Logf("JSON-RPC at %s", c.RPCURL())
	transferAndBack(ctx, t, client, c.DevKey(), c.DevAddress())
}

// TestGethDev does the same against a real `geth --dev`: the node funds a
// new key from its developer account, and the key sends a transfer back.
func TestGethDev(t *testing.T) {
	rpcURL := servicetest.Geth(t)
	client, err := ethclient.Dial(rpcURL)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if id, err := client.ChainID(ctx); err != nil || id.Cmp(big.NewInt(1337)) != 0 {
		t.Fatalf("chain id %v, %v; want 1337", id, err)
	}
	key := newKey(t)
	addr := crypto.PubkeyToAddress(key.PublicKey)
	servicetest.FundFromDev(t, rpcURL, addr, big.NewInt(params.Ether))
	if bal, err := client.BalanceAt(ctx, addr, nil); err != nil || bal.Cmp(big.NewInt(params.Ether)) != 0 {
		t.Fatalf("balance after funding: %v, %v", bal, err)
	}
	dev := servicetest.DevAccount(t, rpcURL)
	back := big.NewInt(params.Ether / 4)
	devBefore, err := client.BalanceAt(ctx, dev, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := send(ctx, t, client, key, dev, back)
	devAfter, err := client.BalanceAt(ctx, dev, r.BlockNumber)
	if err != nil {
		t.Fatal(err)
	}
	// The developer account is also the fee recipient: it gains at least
	// the value sent back.
	if gain := new(big.Int).Sub(devAfter, devBefore); gain.Cmp(back) < 0 {
		t.Errorf("developer account gained %v, want at least %v", gain, back)
	}
}

// transferAndBack funds a new key from funder and has it send part back.
func transferAndBack(ctx context.Context, t *testing.T, client *ethclient.Client, funder *ecdsa.PrivateKey, funderAddr common.Address) {
	t.Helper()
	key := newKey(t)
	addr := crypto.PubkeyToAddress(key.PublicKey)
	r := send(ctx, t, client, funder, addr, big.NewInt(params.Ether))
	bal, err := client.BalanceAt(ctx, addr, r.BlockNumber)
	if err != nil || bal.Cmp(big.NewInt(params.Ether)) != 0 {
		t.Fatalf("balance of the new key: %v, %v; want 1 ether", bal, err)
	}
	r = send(ctx, t, client, key, funderAddr, big.NewInt(params.Ether/4))
	bal, err = client.BalanceAt(ctx, addr, r.BlockNumber)
	if err != nil {
		t.Fatal(err)
	}
	// What is left is 1 ether, less the value sent back, less the fee.
	fee := new(big.Int).Mul(r.EffectiveGasPrice, new(big.Int).SetUint64(r.GasUsed))
	want := new(big.Int).Sub(big.NewInt(params.Ether-params.Ether/4), fee)
	if bal.Cmp(want) != 0 {
		t.Errorf("balance of the new key after sending back: %v, want %v", bal, want)
	}
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// send transfers wei from key to `to` in a dynamic-fee transaction and
// waits for its successful receipt.
func send(ctx context.Context, t *testing.T, client *ethclient.Client, key *ecdsa.PrivateKey, to common.Address, wei *big.Int) *types.Receipt {
	t.Helper()
	tx, err := signTransfer(ctx, client, key, to, wei)
	if err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	if err := client.SendTransaction(ctx, tx); err != nil {
		t.Fatalf("send: %v", err)
	}
	for {
		r, err := client.TransactionReceipt(ctx, tx.Hash())
		if err == nil {
			if r.Status != types.ReceiptStatusSuccessful {
				t.Fatalf("transaction %s failed in block %d", tx.Hash(), r.BlockNumber)
			}
			t.Logf("transfer %s in block %d after %v", tx.Hash().TerminalString(), r.BlockNumber, time.Since(sent).Round(time.Millisecond))
			return r
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no receipt for %s: %v (last error %v)", tx.Hash(), ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func signTransfer(ctx context.Context, client *ethclient.Client, key *ecdsa.PrivateKey, to common.Address, wei *big.Int) (*types.Transaction, error) {
	from := crypto.PubkeyToAddress(key.PublicKey)
	chainID, err := client.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	nonce, err := client.PendingNonceAt(ctx, from)
	if err != nil {
		return nil, err
	}
	tip, err := client.SuggestGasTipCap(ctx)
	if err != nil {
		return nil, err
	}
	head, err := client.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, err
	}
	feeCap := new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), tip)
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{
		ChainID:   chainID,
		Nonce:     nonce,
		GasTipCap: tip,
		GasFeeCap: feeCap,
		Gas:       params.TxGas,
		To:        &to,
		Value:     wei,
	})
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return tx, nil
}

// waitBlock waits for block n and returns its header.
func waitBlock(ctx context.Context, t *testing.T, client *ethclient.Client, n uint64) *types.Header {
	t.Helper()
	for {
		h, err := client.HeaderByNumber(ctx, new(big.Int).SetUint64(n))
		if err == nil {
			return h
		}
		select {
		case <-ctx.Done():
			t.Fatalf("block %d: %v (last error %v)", n, ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// TestCrashKeepsChain kills (SIGKILL) a process running the chain after a
// transfer and a few more blocks, and starts the chain again on its
// directory.
func TestCrashKeepsChain(t *testing.T) {
	if dir := os.Getenv("DEVCHAIN_CRASH_CHILD"); dir != "" {
		crashChild(t, dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestCrashKeepsChain$", "-test.v")
	cmd.Env = append(os.Environ(), "DEVCHAIN_CRASH_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	var to common.Address
	var amount, head int64
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if n, _ := fmt.Sscanf(sc.Text(), "CRASHME %s %d %d", new(string), &amount, &head); n == 3 {
			to = common.HexToAddress(strings.Fields(sc.Text())[1])
			break
		}
	}
	if to == (common.Address{}) {
		t.Fatalf("child ended without a transfer: %v", sc.Err())
	}
	cmd.Process.Kill()
	cmd.Wait()
	t.Logf("killed the child at block %d", head)

	c, err := devchain.Start(devchain.Config{DataDir: dir, Log: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	after, err := c.Client().BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("block %d after restart", after)
	if after < uint64(head) {
		t.Errorf("block number %d after crash, was %d", after, head)
	}
	if bal, err := c.Client().BalanceAt(ctx, to, nil); err != nil || bal.Cmp(big.NewInt(amount)) != 0 {
		t.Errorf("balance of %s after crash: %v, %v; want %v", to, bal, err, amount)
	}
}

func crashChild(t *testing.T, dir string) {
	c, err := devchain.Start(devchain.Config{DataDir: dir, Log: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	to := crypto.PubkeyToAddress(newKey(t).PublicKey)
	r := send(ctx, t, c.Client(), c.DevKey(), to, big.NewInt(777))
	h := waitBlock(ctx, t, c.Client(), r.BlockNumber.Uint64()+2)
	fmt.Printf("CRASHME %s %d %d\n", to.Hex(), 777, h.Number)
	time.Sleep(time.Minute) // until killed
}

// testLog writes the chain's messages to the test's output.
func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}

// TestHTTPEndpoint checks what the JSON-RPC endpoint serves a browser: CORS
// for a page on localhost, no Host name but localhost (DNS rebinding), and
// no namespace but eth, net and web3, with no account to sign with.
func TestHTTPEndpoint(t *testing.T) {
	c, err := devchain.Start(devchain.Config{DataDir: t.TempDir(), Log: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	post := func(host, origin, method string) (*http.Response, string) {
		t.Helper()
		body := `{"jsonrpc":"2.0","id":1,"method":"` + method + `","params":[]}`
		req, err := http.NewRequest(http.MethodPost, c.RPCURL(), strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if host != "" {
			req.Host = host
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := post("localhost", "http://localhost:5173", "eth_chainId")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"0x539"`) {
		t.Errorf("eth_chainId from a localhost page: %d %s", resp.StatusCode, body)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got == "" {
		t.Error("no Access-Control-Allow-Origin for a localhost page")
	}
	if resp, body := post("rebound.example", "", "eth_chainId"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("Host rebound.example: %d %s, want 403", resp.StatusCode, body)
	}
	for _, method := range []string{"admin_nodeInfo", "debug_getRawBlock", "personal_listAccounts", "miner_setEtherbase"} {
		if _, body := post("", "", method); !strings.Contains(body, `"error"`) {
			t.Errorf("%s answered: %s", method, body)
		}
	}
	if _, body := post("", "", "eth_accounts"); !strings.Contains(body, `"result":[]`) {
		t.Errorf("eth_accounts: %s, want none", body)
	}
}
