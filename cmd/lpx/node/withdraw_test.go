package node_test

import (
	"encoding/hex"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/lpx-exchange/lpx/cmd/lpx/node"
	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/store/sqlstore"
	"github.com/lpx-exchange/lpx/tokens"
)

// testBadWithdrawals: refused withdrawals change nothing (no outbox row,
// the same balance), except the engine's refusal, which leaves a failed
// row and no hold. user holds 27.50 of asset (scale 2) and linked wallet.
func testBadWithdrawals(t *testing.T, c *chainHelper, user, asset uint32, wallet chainKey) {
	ctx := t.Context()
	n := c.n
	rows := func() int {
		ws, err := n.SQL.ListWithdrawals(ctx, user, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(ws)
	}
	before := rows()
	avail, held, err := n.Balance(ctx, user, asset)
	if err != nil {
		t.Fatal(err)
	}
	unchanged := func(what string) {
		t.Helper()
		if got := rows(); got != before {
			t.Errorf("%s: %d outbox rows, want %d", what, got, before)
		}
		if a, h, _ := n.Balance(ctx, user, asset); a != avail || h != held {
			t.Errorf("%s: balance %d/%d, want %d/%d", what, a, h, avail, held)
		}
	}

	stranger := newChainKey(t).addr
	if _, err := n.RequestWithdrawal(ctx, user, asset, "1", stranger); !errors.Is(err, node.ErrNotLinked) {
		t.Errorf("to an unlinked address: %v, want ErrNotLinked", err)
	}
	unchanged("unlinked")

	other := c.newAccount(sqlstore.AccountConsumer)
	if _, err := n.RequestWithdrawal(ctx, other, asset, "1", wallet.addr); !errors.Is(err, node.ErrNotLinked) {
		t.Errorf("to another account's wallet: %v, want ErrNotLinked", err)
	}
	unchanged("another account's wallet")

	if _, err := n.RequestWithdrawal(ctx, user, asset, "1.001", wallet.addr); !errors.Is(err, tokens.ErrTooManyDecimals) {
		t.Errorf("1.001 at scale 2: %v, want ErrTooManyDecimals", err)
	}
	for _, bad := range []string{"", "-1", "1e3", "0", "abc"} {
		if _, err := n.RequestWithdrawal(ctx, user, asset, bad, wallet.addr); err == nil {
			t.Errorf("amount %q accepted", bad)
		}
	}
	unchanged("bad amounts")

	sym, _ := engine.ParseSymbol("NOPROG")
	evs := n.must(t, engine.Command{Kind: engine.CmdCreateAsset, Symbol: sym, Scale: 2})
	if _, err := n.RequestWithdrawal(ctx, user, uint32(evs[0].Asset), "1", wallet.addr); !errors.Is(err, node.ErrUnknownToken) {
		t.Errorf("asset without a token program: %v, want ErrUnknownToken", err)
	}
	if _, err := n.RequestWithdrawal(ctx, user, 9999, "1", wallet.addr); !errors.Is(err, node.ErrUnknownToken) {
		t.Errorf("no such asset: %v, want ErrUnknownToken", err)
	}
	unchanged("unknown token")

	// More than the balance: the engine refuses, the row is failed.
	_, err = n.RequestWithdrawal(ctx, user, asset, "1000", wallet.addr)
	var rej *node.WithdrawalRejectedError
	if !errors.As(err, &rej) || rej.Code != engine.CodeInsufficientBalance {
		t.Fatalf("more than the balance: %v, want insufficient_balance", err)
	}
	w, err := n.SQL.Withdrawal(ctx, rej.ID)
	if err != nil || w.Status != sqlstore.WithdrawalFailed || w.Error != "insufficient_balance" {
		t.Fatalf("the refused withdrawal's row: %+v (%v)", w, err)
	}
	before++
	time.Sleep(3 * time.Second) // a few sender passes: nothing is paid for it
	if w, err := n.SQL.Withdrawal(ctx, rej.ID); err != nil || w.Status != sqlstore.WithdrawalFailed || w.SignedTx != nil {
		t.Fatalf("the refused withdrawal's row later: %+v (%v)", w, err)
	}
	unchanged("insufficient balance")
}

// TestNoChain: with NoChain the node has no chain and refuses withdrawals.
func TestNoChain(t *testing.T) {
	n := run(t, node.Config{DataDir: t.TempDir(), NoChain: true})
	if n.Chain != nil {
		t.Fatal("a chain with NoChain")
	}
	if _, err := n.RequestWithdrawal(t.Context(), 2, 1, "1", common.Address{1}); !errors.Is(err, node.ErrNoChain) {
		t.Fatalf("RequestWithdrawal: %v", err)
	}
}

// TestRealChainNeedsVaultKey: LPX_ETH_RPC_URL without LPX_VAULT_KEY.
func TestRealChainNeedsVaultKey(t *testing.T) {
	_, err := node.Open(t.Context(), node.Config{DataDir: t.TempDir(), EthRPCURL: "http://127.0.0.1:1"})
	if !errors.Is(err, node.ErrNoVaultKey) {
		t.Fatalf("Open: %v", err)
	}
}

// TestGethRoundTrip: the deposit and withdrawal round trip against a real
// geth --dev over JSON-RPC, with a vault key of the test's own.
func TestGethRoundTrip(t *testing.T) {
	url := servicetest.Geth(t)
	vault, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	servicetest.FundFromDev(t, url, crypto.PubkeyToAddress(vault.PublicKey), new(big.Int).Mul(big.NewInt(10), ether))
	n := run(t, node.Config{DataDir: t.TempDir(), EthRPCURL: url, VaultKey: hex.EncodeToString(crypto.FromECDSA(vault)), Confirmations: 1})
	if n.DevChain != nil || n.Vault != crypto.PubkeyToAddress(vault.PublicKey) || n.ChainID != 1337 {
		t.Fatalf("dev chain %v, vault %s, chain id %d", n.DevChain, n.Vault, n.ChainID)
	}
	t.Log(n.Describe())
	fund := func(a common.Address) { servicetest.FundFromDev(t, url, a, ether) }
	deployer := newChainKey(t)
	fund(deployer.addr)
	factory := newChainHelper(t, n).deployFactory(deployer)
	roundTrip(t, n, factory, fund)
}
