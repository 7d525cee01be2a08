package api_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"math/big"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/tokens"
	"github.com/lpx-exchange/lpx/tokens/bindings"
)

var (
	fundsTokenABI = bindings.NewLoyaltyToken()
	fundsEther    = new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)
)

// fundsTokens is n whole tokens and hundredths of a token of 18
// decimals, raw.
func fundsTokens(n, hundredths int64) *big.Int {
	raw := new(big.Int).Mul(big.NewInt(n*100+hundredths), new(big.Int).Div(fundsEther, big.NewInt(100)))
	return raw
}

// fundsChain is a test's hand on the node's dev chain.
type fundsChain struct {
	t      *testing.T
	env    *apitest.Env
	client *ethclient.Client
	id     *big.Int
}

func newFundsChain(t *testing.T, env *apitest.Env) *fundsChain {
	if env.Node.DevChain == nil {
		t.Fatal("no dev chain")
	}
	return &fundsChain{t: t, env: env, client: env.Node.Chain, id: new(big.Int).SetUint64(env.Node.ChainID)}
}

func fundsNewKey(t *testing.T) (*ecdsa.PrivateKey, common.Address) {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k, crypto.PubkeyToAddress(k.PublicKey)
}

// fund sends each address 1 ETH from the dev chain's key, in one block.
func (c *fundsChain) fund(to ...common.Address) {
	c.t.Helper()
	ctx := c.t.Context()
	dev := c.env.Node.DevChain.DevKey()
	nonce, err := c.client.PendingNonceAt(ctx, crypto.PubkeyToAddress(dev.PublicKey))
	if err != nil {
		c.t.Fatal(err)
	}
	tip, err := c.client.SuggestGasTipCap(ctx)
	if err != nil {
		c.t.Fatal(err)
	}
	head, err := c.client.HeaderByNumber(ctx, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	var txs []*types.Transaction
	for i, addr := range to {
		tx, err := types.SignTx(types.NewTx(&types.DynamicFeeTx{
			ChainID: c.id, Nonce: nonce + uint64(i), GasTipCap: tip, GasFeeCap: new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2))),
			Gas: 21_000, To: &addr, Value: fundsEther,
		}), types.LatestSignerForChainID(c.id), dev)
		if err != nil {
			c.t.Fatal(err)
		}
		if err := c.client.SendTransaction(ctx, tx); err != nil {
			c.t.Fatal(err)
		}
		txs = append(txs, tx)
	}
	c.mined(txs...)
}

func (c *fundsChain) mined(txs ...*types.Transaction) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), 30*time.Second)
	defer cancel()
	for _, tx := range txs {
		r, err := bind.WaitMined(ctx, c.client, tx.Hash())
		if err != nil {
			c.t.Fatalf("receipt of %s: %v", tx.Hash(), err)
		}
		if r.Status != types.ReceiptStatusSuccessful {
			c.t.Fatalf("tx %s failed", tx.Hash())
		}
	}
}

// call sends from's call of token with calldata, with nonce (nil: the
// pending nonce), without waiting for it.
func (c *fundsChain) call(from *ecdsa.PrivateKey, token common.Address, calldata []byte, nonce *uint64) *types.Transaction {
	c.t.Helper()
	opts := bind.NewKeyedTransactor(from, c.id)
	opts.Context = c.t.Context()
	if nonce != nil {
		opts.Nonce = new(big.Int).SetUint64(*nonce)
	}
	tx, err := bind.Transact(fundsTokenABI.Instance(c.client, token), opts, calldata)
	if err != nil {
		c.t.Fatalf("call from %s: %v", crypto.PubkeyToAddress(from.PublicKey), err)
	}
	return tx
}

// deployPoints deploys a LoyaltyToken (points, 18 decimals) admined by
// and mintable by owner.
func (c *fundsChain) deployPoints(owner *ecdsa.PrivateKey, symbol string) common.Address {
	c.t.Helper()
	opts := bind.NewKeyedTransactor(owner, c.id)
	opts.Context = c.t.Context()
	addr := crypto.PubkeyToAddress(owner.PublicKey)
	token, tx, err := bind.DeployContract(opts, common.FromHex(bindings.LoyaltyTokenMetaData.Bin), c.client,
		fundsTokenABI.PackConstructor(symbol+" points", symbol, 18, 0, 0, addr, addr))
	if err != nil {
		c.t.Fatal(err)
	}
	c.mined(tx)
	return token
}

func (c *fundsChain) balance(token, who common.Address) *big.Int {
	c.t.Helper()
	out, err := c.client.CallContract(c.t.Context(), ethereum.CallMsg{To: &token, Data: fundsTokenABI.PackBalanceOf(who)}, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	b, err := fundsTokenABI.UnpackBalanceOf(out)
	if err != nil {
		c.t.Fatal(err)
	}
	return b
}

func (c *fundsChain) supply(token common.Address) *big.Int {
	c.t.Helper()
	out, err := c.client.CallContract(c.t.Context(), ethereum.CallMsg{To: &token, Data: fundsTokenABI.PackTotalSupply()}, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	s, err := fundsTokenABI.UnpackTotalSupply(out)
	if err != nil {
		c.t.Fatal(err)
	}
	return s
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fundsWait polls cond every 100 ms for up to 45 s.
func fundsWait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(45 * time.Second); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// fundsBalance is account's available and held units of asset, read from
// the engine.
func fundsBalance(t *testing.T, env *apitest.Env, account uint32, symbol string) (available, held int64) {
	t.Helper()
	sym, _ := engine.ParseSymbol(symbol)
	err := env.Node.Sequencer.Read(t.Context(), func(e *engine.Engine) {
		for id := engine.AssetID(1); ; id++ {
			a, ok := e.Asset(id)
			if !ok {
				return
			}
			if a.Symbol == sym {
				available, held = e.Balance(engine.AccountID(account), id)
				return
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return available, held
}

// personalSign signs msg as a wallet's personal_sign does: EIP-191,
// V in {27, 28}.
func personalSign(t *testing.T, key *ecdsa.PrivateKey, msg string) string {
	t.Helper()
	sig, err := crypto.Sign(accounts.TextHash([]byte(msg)), key)
	if err != nil {
		t.Fatal(err)
	}
	sig[crypto.RecoveryIDOffset] += 27
	return hexutil.Encode(sig)
}

type challengeAnswer struct {
	Message   string `json:"message"`
	Nonce     string `json:"nonce"`
	Address   string `json:"address"`
	ChainID   string `json:"chain_id"`
	ExpiresAt string `json:"expires_at"`
}

type walletAnswer struct {
	Address  string `json:"address"`
	ChainID  string `json:"chain_id"`
	LinkedAt string `json:"linked_at"`
}

type depositAnswer struct {
	ChainID               string  `json:"chain_id"`
	TxHash                string  `json:"tx_hash"`
	LogIndex              int     `json:"log_index"`
	Asset                 string  `json:"asset"`
	Amount                string  `json:"amount"`
	AmountRaw             string  `json:"amount_raw"`
	DustRaw               string  `json:"dust_raw"`
	BlockNumber           uint64  `json:"block_number"`
	Status                string  `json:"status"`
	Confirmations         *uint64 `json:"confirmations"`
	ConfirmationsRequired *uint64 `json:"confirmations_required"`
}

type depositsPage struct {
	Deposits   []depositAnswer `json:"deposits"`
	NextCursor *string         `json:"next_cursor"`
}

type withdrawalAnswer struct {
	ID        string `json:"id"`
	Asset     string `json:"asset"`
	Amount    string `json:"amount"`
	AmountRaw string `json:"amount_raw"`
	To        string `json:"to"`
	ChainID   string `json:"chain_id"`
	Status    string `json:"status"`
	TxHash    string `json:"tx_hash"`
	CreatedAt string `json:"created_at"`
}

// linkWallet has c link the wallet of key: challenge, personal_sign, link.
func linkWallet(t *testing.T, env *apitest.Env, c *client.Client, key *ecdsa.PrivateKey) (challengeAnswer, string) {
	t.Helper()
	var ch challengeAnswer
	env.Do(c, "POST", "/v1/wallets/challenge", map[string]any{"address": strings.ToLower(crypto.PubkeyToAddress(key.PublicKey).Hex())}, &ch)
	return ch, personalSign(t, key, ch.Message)
}

// TestWalletDepositWithdraw, on the dev chain: a consumer links a wallet
// by signing a challenge (single use; a wallet linked to another account
// is a 409), deposits from it (credited, listed with paging, dust
// rejected), withdraws to it (pending → confirmed, the tokens arrive),
// and unlinks it; another account's withdrawal is a 404.
func TestWalletDepositWithdraw(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{Chain: true})
	ch := newFundsChain(t, env)
	brand, _ := fundsAccount(t, env, "brand", "Wally", "read", "issue")
	ann, annID := fundsAccount(t, env, "consumer", "Ann", "read", "trade", "withdraw")
	bob, _ := fundsAccount(t, env, "consumer", "Bob", "read", "trade", "withdraw")

	brandKey, brandAddr := fundsNewKey(t)
	walletKey, wallet := fundsNewKey(t)
	ch.fund(brandAddr, wallet)

	// The brand deploys its own token, mints 100 to the wallet and
	// registers it.
	token := ch.deployPoints(brandKey, "WAL")
	ch.mined(ch.call(brandKey, token, fundsTokenABI.PackMint(wallet, fundsTokens(100, 0)), nil))
	var prog struct {
		Asset, AssetID, Kind, Token string
		Decimals, Scale             int
	}
	env.Do(brand, "POST", "/v1/brand/programs/register", map[string]any{"token": token.Hex(), "scale": 2}, &prog)
	if prog.Asset != "WAL" || prog.Kind != "points" || prog.Token != token.Hex() || prog.Decimals != 18 || prog.Scale != 2 {
		t.Fatalf("registered program %+v", prog)
	}
	env.Fails(brand, "POST", "/v1/brand/programs/register", map[string]any{"token": token.Hex(), "scale": 2}, 409, "already_registered")
	env.Fails(brand, "POST", "/v1/brand/programs/register", map[string]any{"token": wallet.Hex(), "scale": 2}, 422, "not_a_token")

	var addr struct {
		Asset, Address, Token string
		ChainID               string `json:"chain_id"`
		Decimals, Scale       int
		ConfirmationsRequired int `json:"confirmations_required"`
	}
	env.Do(ann, "GET", "/v1/deposit-address?asset=wal", nil, &addr)
	if addr.Address != env.Node.Vault.Hex() || addr.Token != token.Hex() || addr.Decimals != 18 || addr.Scale != 2 ||
		addr.ChainID != strconv.FormatUint(env.Node.ChainID, 10) || addr.ConfirmationsRequired != 1 {
		t.Fatalf("deposit address %+v", addr)
	}
	env.Fails(ann, "GET", "/v1/deposit-address?asset=NOPE", nil, 404, "unknown_asset")
	env.Do(env.Admin, "POST", "/v1/admin/assets", map[string]any{"symbol": "PLAIN", "scale": 2, "kind": "token"}, nil)
	env.Fails(ann, "GET", "/v1/deposit-address?asset=PLAIN", nil, 422, "no_token_program")

	// Linking: the challenge names the account, chain and wallet.
	challenge, sig := linkWallet(t, env, ann, walletKey)
	if challenge.Address != wallet.Hex() || !strings.Contains(challenge.Message, "lpx account "+strconv.FormatUint(uint64(annID), 10)+".") ||
		!strings.Contains(challenge.Message, "Nonce: "+challenge.Nonce) {
		t.Fatalf("challenge %+v", challenge)
	}
	// Signed by another key, or not a challenge of this server: refused,
	// and the nonce is not spent.
	otherKey, _ := fundsNewKey(t)
	env.Fails(ann, "POST", "/v1/wallets", map[string]any{"message": challenge.Message, "signature": personalSign(t, otherKey, challenge.Message)}, 400, "invalid_signature")
	forged, err := tokens.NewChallenge(annID, wallet, env.Node.ChainID, "localhost", time.Now(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	env.Fails(ann, "POST", "/v1/wallets", map[string]any{"message": forged.Message(), "signature": personalSign(t, walletKey, forged.Message())}, 400, "invalid_challenge")
	env.Fails(bob, "POST", "/v1/wallets", map[string]any{"message": challenge.Message, "signature": sig}, 400, "invalid_challenge")
	var linked walletAnswer
	env.Do(ann, "POST", "/v1/wallets", map[string]any{"message": challenge.Message, "signature": sig}, &linked)
	if linked.Address != wallet.Hex() || linked.ChainID != addr.ChainID {
		t.Fatalf("linked %+v", linked)
	}
	env.Fails(ann, "POST", "/v1/wallets", map[string]any{"message": challenge.Message, "signature": sig}, 409, "challenge_used")
	bobChallenge, bobSig := linkWallet(t, env, bob, walletKey)
	env.Fails(bob, "POST", "/v1/wallets", map[string]any{"message": bobChallenge.Message, "signature": bobSig}, 409, "wallet_in_use")
	var wallets struct{ Wallets []walletAnswer }
	env.Do(ann, "GET", "/v1/wallets", nil, &wallets)
	if len(wallets.Wallets) != 1 || wallets.Wallets[0].Address != wallet.Hex() {
		t.Fatalf("wallets %+v", wallets)
	}

	// Two deposits in one block: 40.00 and a dust amount (never credited).
	nonce, err := ch.client.PendingNonceAt(t.Context(), wallet)
	if err != nil {
		t.Fatal(err)
	}
	dustNonce := nonce + 1
	ch.mined(
		ch.call(walletKey, token, fundsTokenABI.PackTransfer(env.Node.Vault, fundsTokens(40, 0)), &nonce),
		ch.call(walletKey, token, fundsTokenABI.PackTransfer(env.Node.Vault, big.NewInt(1000)), &dustNonce),
	)
	var page depositsPage
	sawPending := false
	fundsWait(t, "the deposits settled", func() bool {
		page = depositsPage{}
		env.Do(ann, "GET", "/v1/deposits", nil, &page)
		settled := 0
		for _, d := range page.Deposits {
			switch d.Status {
			case "credited", "rejected":
				settled++
			case "pending":
				if d.Confirmations == nil || d.ConfirmationsRequired == nil || *d.ConfirmationsRequired != 1 {
					t.Fatalf("a pending deposit without its confirmations: %+v", d)
				}
				if !sawPending {
					t.Logf("seen pending: %d of %d confirmations", *d.Confirmations, *d.ConfirmationsRequired)
				}
				sawPending = true
			}
		}
		return settled == 2
	})
	byAmount := map[string]depositAnswer{}
	for _, d := range page.Deposits {
		byAmount[d.Amount] = d
	}
	if d := byAmount["40.00"]; d.Status != "credited" || d.Asset != "WAL" || d.AmountRaw != fundsTokens(40, 0).String() || d.Confirmations != nil {
		t.Fatalf("the 40.00 deposit: %+v", d)
	}
	if d := byAmount["0.00"]; d.Status != "rejected" || d.DustRaw != "1000" {
		t.Fatalf("the dust deposit: %+v", d)
	}
	if a, h := fundsBalance(t, env, annID, "WAL"); a != 40_00 || h != 0 {
		t.Fatalf("balance after the deposit: %d/%d", a, h)
	}
	// Paged one by one.
	var first, second depositsPage
	env.Do(ann, "GET", "/v1/deposits?limit=1", nil, &first)
	if len(first.Deposits) != 1 || first.NextCursor == nil {
		t.Fatalf("first page %+v", first)
	}
	env.Do(ann, "GET", "/v1/deposits?limit=1&cursor="+url.QueryEscape(*first.NextCursor), nil, &second)
	if len(second.Deposits) != 1 || second.NextCursor != nil || second.Deposits[0].TxHash+strconv.Itoa(second.Deposits[0].LogIndex) == first.Deposits[0].TxHash+strconv.Itoa(first.Deposits[0].LogIndex) {
		t.Fatalf("second page %+v after %+v", second, first)
	}
	env.Fails(ann, "GET", "/v1/deposits?cursor=bm9wZQ", nil, 400, "invalid_cursor")
	env.Fails(ann, "GET", "/v1/deposits?limit=0", nil, 400, "invalid_parameter")
	var bobs depositsPage
	env.Do(bob, "GET", "/v1/deposits", nil, &bobs)
	if len(bobs.Deposits) != 0 {
		t.Fatalf("bob sees deposits: %+v", bobs)
	}

	// Withdrawals: refused ones change nothing.
	stranger := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	env.Fails(ann, "POST", "/v1/withdrawals", map[string]any{"asset": "WAL", "amount": "1", "to": stranger.Hex()}, 422, "wallet_not_linked")
	env.Fails(bob, "POST", "/v1/withdrawals", map[string]any{"asset": "WAL", "amount": "1", "to": wallet.Hex()}, 422, "wallet_not_linked")
	env.Fails(ann, "POST", "/v1/withdrawals", map[string]any{"asset": "WAL", "amount": "40.01", "to": wallet.Hex()}, 422, "insufficient_balance")
	env.Fails(ann, "POST", "/v1/withdrawals", map[string]any{"asset": "PLAIN", "amount": "1", "to": wallet.Hex()}, 422, "no_token_program")

	var w withdrawalAnswer
	env.Do(ann, "POST", "/v1/withdrawals", map[string]any{"asset": "WAL", "amount": "12.5", "to": strings.ToLower(wallet.Hex())}, &w)
	if w.ID == "" || w.Amount != "12.50" || w.Asset != "WAL" || w.To != wallet.Hex() || w.AmountRaw != fundsTokens(12, 50).String() ||
		w.ChainID != addr.ChainID || w.Status != "pending" {
		t.Fatalf("withdrawal %+v", w)
	}
	env.Fails(bob, "GET", "/v1/withdrawals/"+w.ID, nil, 404, "not_found")
	env.Fails(ann, "GET", "/v1/withdrawals/12345", nil, 404, "not_found")
	fundsWait(t, "the withdrawal confirmed", func() bool {
		env.Do(ann, "GET", "/v1/withdrawals/"+w.ID, nil, &w)
		if w.Status == "failed" {
			t.Fatalf("withdrawal failed: %+v", w)
		}
		return w.Status == "confirmed"
	})
	if w.TxHash == "" {
		t.Fatalf("confirmed without a tx hash: %+v", w)
	}
	// 100 minted, 40 and 1000 raw (the dust) deposited, 12.50 withdrawn.
	if got, want := ch.balance(token, wallet), new(big.Int).Sub(fundsTokens(100-40+12, 50), big.NewInt(1000)); got.Cmp(want) != 0 {
		t.Fatalf("the wallet holds %v, want %v", got, want)
	}
	fundsWait(t, "the hold completed", func() bool {
		a, h := fundsBalance(t, env, annID, "WAL")
		return a == 27_50 && h == 0
	})
	var ws struct {
		Withdrawals []withdrawalAnswer `json:"withdrawals"`
		NextCursor  *string            `json:"next_cursor"`
	}
	env.Do(ann, "GET", "/v1/withdrawals?limit=10", nil, &ws)
	if len(ws.Withdrawals) != 1 || ws.Withdrawals[0].ID != w.ID || ws.Withdrawals[0].Status != "confirmed" || ws.NextCursor != nil {
		t.Fatalf("withdrawals %+v", ws)
	}
	env.Do(bob, "GET", "/v1/withdrawals", nil, &ws)
	if len(ws.Withdrawals) != 0 {
		t.Fatalf("bob sees withdrawals: %+v", ws)
	}

	// Unlinked: no more withdrawals to it; bob may link it now.
	env.Fails(bob, "DELETE", "/v1/wallets/"+wallet.Hex(), nil, 404, "not_found")
	env.Do(ann, "DELETE", "/v1/wallets/"+wallet.Hex(), nil, nil)
	env.Fails(ann, "DELETE", "/v1/wallets/"+wallet.Hex(), nil, 404, "not_found")
	env.Fails(ann, "POST", "/v1/withdrawals", map[string]any{"asset": "WAL", "amount": "1", "to": wallet.Hex()}, 422, "wallet_not_linked")
	bobChallenge, bobSig = linkWallet(t, env, bob, walletKey)
	env.Do(bob, "POST", "/v1/wallets", map[string]any{"message": bobChallenge.Message, "signature": bobSig}, nil)
}
