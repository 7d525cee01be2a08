package bindings_test

import (
	"bytes"
	"crypto/ecdsa"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"

	"github.com/lpx-exchange/lpx/tokens/bindings"
)

// Token kinds as the contracts encode them (LoyaltyToken.Kind).
const (
	kindPoints uint8 = 0
	kindCoupon uint8 = 1
)

var (
	factoryABI = bindings.NewTokenFactory()
	tokenABI   = bindings.NewLoyaltyToken()
)

// account is a funded key with its own nonce counter: right after a Commit the simulated
// backend's pending nonce can still be stale, so every transaction gets its nonce from here.
type account struct {
	key   *ecdsa.PrivateKey
	addr  common.Address
	nonce uint64
}

// chain is a simulated chain with a deployed TokenFactory and funded accounts.
type chain struct {
	t       *testing.T
	sim     *simulated.Backend
	client  simulated.Client
	chainID *big.Int
	factory *bind.BoundContract

	brand, minter, alice, bob, stranger *account
}

func newChain(t *testing.T) *chain {
	t.Helper()
	accounts := make([]*account, 5)
	alloc := types.GenesisAlloc{}
	// Far more than any test spends: the simulated chain runs future-fork gas prices.
	funds := new(big.Int).Exp(big.NewInt(10), big.NewInt(24), nil)
	for i := range accounts {
		key, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		accounts[i] = &account{key: key, addr: crypto.PubkeyToAddress(key.PublicKey)}
		alloc[accounts[i].addr] = types.Account{Balance: funds}
	}
	sim := simulated.NewBackend(alloc)
	t.Cleanup(func() { sim.Close() })
	client := sim.Client()
	chainID, err := client.ChainID(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	c := &chain{
		t: t, sim: sim, client: client, chainID: chainID,
		brand: accounts[0], minter: accounts[1], alice: accounts[2], bob: accounts[3], stranger: accounts[4],
	}

	deployer := c.opts(c.brand)
	addr, tx, err := bind.DeployContract(deployer, common.FromHex(bindings.TokenFactoryMetaData.Bin), client, nil)
	if err != nil {
		t.Fatalf("deploy TokenFactory: %v", err)
	}
	c.brand.nonce++
	c.mined(tx)
	c.factory = factoryABI.Instance(client, addr)
	return c
}

// opts returns transact options for a that use its local nonce. Gas limits and prices are
// left to estimation: the simulated chain's are not mainnet's.
func (c *chain) opts(a *account) *bind.TransactOpts {
	opts := bind.NewKeyedTransactor(a.key, c.chainID)
	opts.Nonce = new(big.Int).SetUint64(a.nonce)
	opts.Context = c.t.Context()
	return opts
}

// mined commits a block (nothing is mined without Commit) and returns tx's receipt, which
// must show success.
func (c *chain) mined(tx *types.Transaction) *types.Receipt {
	c.t.Helper()
	c.sim.Commit()
	receipt, err := bind.WaitMined(c.t.Context(), c.client, tx.Hash())
	if err != nil {
		c.t.Fatalf("receipt of %s: %v", tx.Hash(), err)
	}
	if receipt.Status != types.ReceiptStatusSuccessful {
		c.t.Fatalf("tx %s failed (status %d)", tx.Hash(), receipt.Status)
	}
	return receipt
}

// send has from call contract with calldata, mines it and returns the receipt.
func (c *chain) send(from *account, contract *bind.BoundContract, calldata []byte) *types.Receipt {
	c.t.Helper()
	tx, err := bind.Transact(contract, c.opts(from), calldata)
	if err != nil {
		c.t.Fatalf("transact from %s: %v", from.addr, err)
	}
	from.nonce++
	return c.mined(tx)
}

// reverts has from call contract with calldata, expects the node to refuse it because the
// call reverts (bind.Transact estimates gas first, so a reverting call is never sent), and
// returns the decoded custom error.
func (c *chain) reverts(from *account, contract *bind.BoundContract, calldata []byte) any {
	c.t.Helper()
	tx, err := bind.Transact(contract, c.opts(from), calldata)
	if err == nil {
		from.nonce++
		receipt := c.mined(tx)
		c.t.Fatalf("tx %s succeeded (status %d), want a revert", tx.Hash(), receipt.Status)
	}
	data, ok := ethclient.RevertErrorData(err)
	if !ok || len(data) < 4 {
		c.t.Fatalf("want a revert with a custom error, got %v", err)
	}
	// Errors raised inside a token (even one being created by the factory) bubble up; all of
	// them are in the LoyaltyToken ABI.
	decoded, err := tokenABI.UnpackError(data)
	if err != nil {
		c.t.Fatalf("revert data %x: %v", data, err)
	}
	return decoded
}

// call runs a read-only call against the latest block.
func call[T any](c *chain, contract *bind.BoundContract, calldata []byte, unpack func([]byte) (T, error)) T {
	c.t.Helper()
	v, err := bind.Call(contract, &bind.CallOpts{Context: c.t.Context()}, calldata, unpack)
	if err != nil {
		c.t.Fatalf("call %s: %v", contract.Address(), err)
	}
	return v
}

// headTime is the latest block's timestamp, the chain's idea of now.
func (c *chain) headTime() uint64 {
	c.t.Helper()
	head, err := c.client.HeaderByNumber(c.t.Context(), nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return head.Time
}

// createToken has the brand create a token through the factory and returns the token and
// the factory's TokenCreated event read from the receipt.
func (c *chain) createToken(name, symbol string, decimals, kind uint8, expiresAt uint64, minter common.Address) (*bind.BoundContract, *bindings.TokenFactoryTokenCreated) {
	c.t.Helper()
	receipt := c.send(c.brand, c.factory, factoryABI.PackCreateToken(name, symbol, decimals, kind, expiresAt, minter))
	var created *bindings.TokenFactoryTokenCreated
	for _, log := range receipt.Logs {
		if log.Address != c.factory.Address() {
			continue // the new token's own RoleGranted logs
		}
		ev, err := factoryABI.UnpackTokenCreatedEvent(log)
		if err != nil {
			c.t.Fatalf("unpack factory log: %v", err)
		}
		if created != nil {
			c.t.Fatal("two TokenCreated events in one createToken")
		}
		created = ev
	}
	if created == nil {
		c.t.Fatal("no TokenCreated event in the receipt")
	}
	return tokenABI.Instance(c.client, created.Token), created
}

func (c *chain) balance(token *bind.BoundContract, who common.Address) *big.Int {
	c.t.Helper()
	return call(c, token, tokenABI.PackBalanceOf(who), tokenABI.UnpackBalanceOf)
}

func wantBig(t *testing.T, what string, got *big.Int, want int64) {
	t.Helper()
	if got.Cmp(big.NewInt(want)) != 0 {
		t.Errorf("%s = %s, want %d", what, got, want)
	}
}

func TestFactoryCreatesPointsAndCoupons(t *testing.T) {
	c := newChain(t)
	couponExpiry := c.headTime() + 30*24*3600

	tests := []struct {
		name, symbol string
		decimals     uint8
		kind         uint8
		expiresAt    uint64
	}{
		{"Acme Points", "ACMEP", 2, kindPoints, 0},
		{"Acme 10% Off", "ACME10", 0, kindCoupon, couponExpiry},
	}
	for _, tt := range tests {
		token, ev := c.createToken(tt.name, tt.symbol, tt.decimals, tt.kind, tt.expiresAt, c.minter.addr)

		if ev.Brand != c.brand.addr || ev.Kind != tt.kind || ev.Name != tt.name || ev.Symbol != tt.symbol ||
			ev.Decimals != tt.decimals || ev.ExpiresAt != tt.expiresAt {
			t.Errorf("%s: TokenCreated = {brand %s kind %d name %q symbol %q decimals %d expiresAt %d}, want {%s %d %q %q %d %d}",
				tt.symbol, ev.Brand, ev.Kind, ev.Name, ev.Symbol, ev.Decimals, ev.ExpiresAt,
				c.brand.addr, tt.kind, tt.name, tt.symbol, tt.decimals, tt.expiresAt)
		}
		if code, err := c.client.CodeAt(t.Context(), ev.Token, nil); err != nil || len(code) == 0 {
			t.Errorf("%s: no code at the event's token address %s (err %v)", tt.symbol, ev.Token, err)
		}
		if got := call(c, c.factory, factoryABI.PackBrandOf(ev.Token), factoryABI.UnpackBrandOf); got != c.brand.addr {
			t.Errorf("%s: brandOf = %s, want %s", tt.symbol, got, c.brand.addr)
		}

		// The token itself says the same.
		if got := call(c, token, tokenABI.PackSymbol(), tokenABI.UnpackSymbol); got != tt.symbol {
			t.Errorf("symbol() = %q, want %q", got, tt.symbol)
		}
		if got := call(c, token, tokenABI.PackDecimals(), tokenABI.UnpackDecimals); got != tt.decimals {
			t.Errorf("%s: decimals() = %d, want %d", tt.symbol, got, tt.decimals)
		}
		if got := call(c, token, tokenABI.PackKind(), tokenABI.UnpackKind); got != tt.kind {
			t.Errorf("%s: kind() = %d, want %d", tt.symbol, got, tt.kind)
		}
		if got := call(c, token, tokenABI.PackExpiresAt(), tokenABI.UnpackExpiresAt); got != tt.expiresAt {
			t.Errorf("%s: expiresAt() = %d, want %d", tt.symbol, got, tt.expiresAt)
		}
		admin := call(c, token, tokenABI.PackDEFAULTADMINROLE(), tokenABI.UnpackDEFAULTADMINROLE)
		minterRole := call(c, token, tokenABI.PackMINTERROLE(), tokenABI.UnpackMINTERROLE)
		for _, r := range []struct {
			role [32]byte
			who  common.Address
			want bool
		}{
			{admin, c.brand.addr, true}, {minterRole, c.minter.addr, true},
			{admin, c.stranger.addr, false}, {minterRole, c.stranger.addr, false},
			// The factory keeps no power over the tokens it creates.
			{admin, c.factory.Address(), false}, {minterRole, c.factory.Address(), false},
		} {
			if got := call(c, token, tokenABI.PackHasRole(r.role, r.who), tokenABI.UnpackHasRole); got != r.want {
				t.Errorf("%s: hasRole(%x, %s) = %v, want %v", tt.symbol, r.role[:4], r.who, got, r.want)
			}
		}
	}

	// Points never expire and a coupon must: the token's constructor rejects the rest, and
	// its error bubbles up through the factory.
	for _, bad := range []struct {
		kind      uint8
		expiresAt uint64
	}{{kindPoints, couponExpiry}, {kindCoupon, 0}, {kindCoupon, c.headTime() - 1}} {
		got := c.reverts(c.brand, c.factory, factoryABI.PackCreateToken("Bad", "BAD", 0, bad.kind, bad.expiresAt, c.minter.addr))
		if e, ok := got.(*bindings.LoyaltyTokenInvalidExpiry); !ok || e.Kind != bad.kind || e.ExpiresAt != bad.expiresAt {
			t.Errorf("createToken(kind %d, expiresAt %d) reverted with %#v, want InvalidExpiry", bad.kind, bad.expiresAt, got)
		}
	}
}

func TestDirectDeployNeedsAnAdmin(t *testing.T) {
	c := newChain(t)
	// Deployed without the factory, a token still refuses to be nobody's.
	_, err := c.deployToken(tokenABI.PackConstructor("Acme Points", "ACMEP", 2, kindPoints, 0, common.Address{}, c.minter.addr))
	data, ok := ethclient.RevertErrorData(err)
	if !ok || len(data) < 4 {
		t.Fatalf("deploy with a zero admin: %v, want a revert", err)
	}
	if got, err := tokenABI.UnpackError(data); err != nil {
		t.Fatal(err)
	} else if _, ok := got.(*bindings.LoyaltyTokenInvalidAdmin); !ok {
		t.Fatalf("deploy with a zero admin reverted with %#v, want InvalidAdmin", got)
	}

	addr, err := c.deployToken(tokenABI.PackConstructor("Acme Points", "ACMEP", 2, kindPoints, 0, c.brand.addr, c.minter.addr))
	if err != nil {
		t.Fatal(err)
	}
	token := tokenABI.Instance(c.client, addr)
	c.send(c.minter, token, tokenABI.PackMint(c.alice.addr, big.NewInt(7)))
	wantBig(t, "alice's balance", c.balance(token, c.alice.addr), 7)
}

// deployToken deploys a LoyaltyToken from the brand's key without the factory.
func (c *chain) deployToken(constructorArgs []byte) (common.Address, error) {
	c.t.Helper()
	addr, tx, err := bind.DeployContract(c.opts(c.brand), common.FromHex(bindings.LoyaltyTokenMetaData.Bin), c.client, constructorArgs)
	if err != nil {
		return common.Address{}, err
	}
	c.brand.nonce++
	c.mined(tx)
	return addr, nil
}

func TestRoles(t *testing.T) {
	c := newChain(t)
	// No initial minter: the brand grants the role itself.
	token, _ := c.createToken("Acme Points", "ACMEP", 2, kindPoints, 0, common.Address{})
	minterRole := call(c, token, tokenABI.PackMINTERROLE(), tokenABI.UnpackMINTERROLE)

	// A stranger can neither mint nor grant itself the role.
	got := c.reverts(c.stranger, token, tokenABI.PackMint(c.stranger.addr, big.NewInt(1)))
	if e, ok := got.(*bindings.LoyaltyTokenAccessControlUnauthorizedAccount); !ok || e.Account != c.stranger.addr || e.NeededRole != minterRole {
		t.Errorf("stranger's mint reverted with %#v, want AccessControlUnauthorizedAccount(stranger, MINTER_ROLE)", got)
	}
	got = c.reverts(c.stranger, token, tokenABI.PackGrantRole(minterRole, c.stranger.addr))
	if _, ok := got.(*bindings.LoyaltyTokenAccessControlUnauthorizedAccount); !ok {
		t.Errorf("stranger's grantRole reverted with %#v, want AccessControlUnauthorizedAccount", got)
	}
	// Nor can the brand mint before it holds the role: admin and minter are separate.
	if _, ok := c.reverts(c.brand, token, tokenABI.PackMint(c.brand.addr, big.NewInt(1))).(*bindings.LoyaltyTokenAccessControlUnauthorizedAccount); !ok {
		t.Error("the brand minted without MINTER_ROLE")
	}

	c.send(c.brand, token, tokenABI.PackGrantRole(minterRole, c.minter.addr))
	receipt := c.send(c.minter, token, tokenABI.PackMint(c.alice.addr, big.NewInt(12_345)))
	if len(receipt.Logs) != 1 {
		t.Fatalf("mint logged %d events, want 1 Transfer", len(receipt.Logs))
	}
	tr, err := tokenABI.UnpackTransferEvent(receipt.Logs[0])
	if err != nil {
		t.Fatal(err)
	}
	if tr.From != (common.Address{}) || tr.To != c.alice.addr || tr.Value.Cmp(big.NewInt(12_345)) != 0 {
		t.Errorf("mint Transfer = %s -> %s %s, want 0x0 -> alice 12345", tr.From, tr.To, tr.Value)
	}
	wantBig(t, "alice's balance", c.balance(token, c.alice.addr), 12_345)
	wantBig(t, "totalSupply", call(c, token, tokenABI.PackTotalSupply(), tokenABI.UnpackTotalSupply), 12_345)
	wantBig(t, "stranger's balance", c.balance(token, c.stranger.addr), 0)

	// Revoked, the minter mints no more.
	c.send(c.brand, token, tokenABI.PackRevokeRole(minterRole, c.minter.addr))
	if _, ok := c.reverts(c.minter, token, tokenABI.PackMint(c.alice.addr, big.NewInt(1))).(*bindings.LoyaltyTokenAccessControlUnauthorizedAccount); !ok {
		t.Error("a revoked minter minted")
	}
}

func TestCouponExpiry(t *testing.T) {
	c := newChain(t)
	const lifetime = time.Hour
	expiresAt := c.headTime() + uint64(lifetime/time.Second)
	coupon, _ := c.createToken("Acme 10% Off", "ACME10", 0, kindCoupon, expiresAt, c.minter.addr)

	c.send(c.minter, coupon, tokenABI.PackMint(c.alice.addr, big.NewInt(5)))
	c.send(c.alice, coupon, tokenABI.PackTransfer(c.bob.addr, big.NewInt(2)))
	wantBig(t, "bob's balance before expiry", c.balance(coupon, c.bob.addr), 2)
	if call(c, coupon, tokenABI.PackExpired(), tokenABI.UnpackExpired) {
		t.Error("expired() before the expiry")
	}

	// Past the expiry (AdjustTime seals a block at parent time + lifetime; commit one more).
	if err := c.sim.AdjustTime(lifetime); err != nil {
		t.Fatal(err)
	}
	c.sim.Commit()
	if now := c.headTime(); now < expiresAt {
		t.Fatalf("head time %d still before expiry %d", now, expiresAt)
	}
	if !call(c, coupon, tokenABI.PackExpired(), tokenABI.UnpackExpired) {
		t.Error("expired() false after the expiry")
	}

	wantExpired := func(what string, got any) {
		t.Helper()
		if e, ok := got.(*bindings.LoyaltyTokenCouponExpired); !ok || e.ExpiresAt != expiresAt {
			t.Errorf("%s after expiry reverted with %#v, want CouponExpired(%d)", what, got, expiresAt)
		}
	}
	wantExpired("transfer", c.reverts(c.alice, coupon, tokenABI.PackTransfer(c.bob.addr, big.NewInt(1))))
	wantExpired("mint", c.reverts(c.minter, coupon, tokenABI.PackMint(c.alice.addr, big.NewInt(1))))
	// transferFrom goes the same way even with an allowance (approve itself still works).
	c.send(c.alice, coupon, tokenABI.PackApprove(c.bob.addr, big.NewInt(1)))
	wantExpired("transferFrom", c.reverts(c.bob, coupon, tokenABI.PackTransferFrom(c.alice.addr, c.bob.addr, big.NewInt(1))))

	// Burns still work, so holders (and, with an allowance, the exchange) can clear dead
	// coupons.
	c.send(c.bob, coupon, tokenABI.PackBurnFrom(c.alice.addr, big.NewInt(1)))
	c.send(c.alice, coupon, tokenABI.PackBurn(big.NewInt(2)))
	wantBig(t, "alice's balance after burns", c.balance(coupon, c.alice.addr), 0)
	wantBig(t, "bob's balance", c.balance(coupon, c.bob.addr), 2)
	wantBig(t, "totalSupply after burn", call(c, coupon, tokenABI.PackTotalSupply(), tokenABI.UnpackTotalSupply), 2)
}

// permitTypehash is EIP-2612's Permit struct type hash.
var permitTypehash = crypto.Keccak256Hash([]byte("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"))

// signPermit signs an EIP-2612 permit for token's EIP-712 domain separator.
func signPermit(t *testing.T, key *ecdsa.PrivateKey, domainSeparator [32]byte, spender common.Address, value, nonce, deadline *big.Int) (digest common.Hash, v uint8, r, s [32]byte) {
	t.Helper()
	owner := crypto.PubkeyToAddress(key.PublicKey)
	structHash := crypto.Keccak256(
		permitTypehash.Bytes(),
		common.LeftPadBytes(owner.Bytes(), 32),
		common.LeftPadBytes(spender.Bytes(), 32),
		math.U256Bytes(new(big.Int).Set(value)),
		math.U256Bytes(new(big.Int).Set(nonce)),
		math.U256Bytes(new(big.Int).Set(deadline)),
	)
	digest = crypto.Keccak256Hash([]byte{0x19, 0x01}, domainSeparator[:], structHash)
	sig, err := crypto.Sign(digest.Bytes(), key)
	if err != nil {
		t.Fatal(err)
	}
	copy(r[:], sig[:32])
	copy(s[:], sig[32:64])
	return digest, sig[64] + 27, r, s
}

func TestPermit(t *testing.T) {
	c := newChain(t)
	const name = "Acme Points"
	token, _ := c.createToken(name, "ACMEP", 2, kindPoints, 0, c.minter.addr)
	c.send(c.minter, token, tokenABI.PackMint(c.alice.addr, big.NewInt(1_000)))

	owner, spender := c.alice, c.bob
	value := big.NewInt(600)
	deadline := new(big.Int).SetUint64(c.headTime() + 3600)
	nonce := call(c, token, tokenABI.PackNonces(owner.addr), tokenABI.UnpackNonces)
	wantBig(t, "nonce before permit", nonce, 0)
	domain := call(c, token, tokenABI.PackDOMAINSEPARATOR(), tokenABI.UnpackDOMAINSEPARATOR)
	digest, v, r, s := signPermit(t, owner.key, domain, spender.addr, value, nonce, deadline)

	// The digest is what a wallet signs for eth_signTypedData_v4 on this token's domain.
	walletDigest, _, err := apitypes.TypedDataAndHash(apitypes.TypedData{
		Types: apitypes.Types{
			"EIP712Domain": {
				{Name: "name", Type: "string"}, {Name: "version", Type: "string"},
				{Name: "chainId", Type: "uint256"}, {Name: "verifyingContract", Type: "address"},
			},
			"Permit": {
				{Name: "owner", Type: "address"}, {Name: "spender", Type: "address"},
				{Name: "value", Type: "uint256"}, {Name: "nonce", Type: "uint256"}, {Name: "deadline", Type: "uint256"},
			},
		},
		PrimaryType: "Permit",
		Domain: apitypes.TypedDataDomain{
			Name: name, Version: "1", ChainId: (*math.HexOrDecimal256)(c.chainID), VerifyingContract: token.Address().Hex(),
		},
		Message: apitypes.TypedDataMessage{
			"owner": owner.addr.Hex(), "spender": spender.addr.Hex(),
			"value": value.String(), "nonce": nonce.String(), "deadline": deadline.String(),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(walletDigest, digest.Bytes()) {
		t.Fatalf("permit digest %x, a wallet's EIP-712 digest %x", digest, walletDigest)
	}

	// The spender submits the owner's signature and pays the gas; the owner sends nothing.
	ownerNonce := owner.nonce
	permit := tokenABI.PackPermit(owner.addr, spender.addr, value, deadline, v, r, s)
	c.send(spender, token, permit)
	if owner.nonce != ownerNonce {
		t.Fatal("the owner sent a transaction")
	}
	wantBig(t, "allowance after permit", call(c, token, tokenABI.PackAllowance(owner.addr, spender.addr), tokenABI.UnpackAllowance), 600)
	wantBig(t, "nonce after permit", call(c, token, tokenABI.PackNonces(owner.addr), tokenABI.UnpackNonces), 1)

	c.send(spender, token, tokenABI.PackTransferFrom(owner.addr, spender.addr, big.NewInt(250)))
	wantBig(t, "spender's balance", c.balance(token, spender.addr), 250)
	wantBig(t, "allowance after transferFrom", call(c, token, tokenABI.PackAllowance(owner.addr, spender.addr), tokenABI.UnpackAllowance), 350)

	// Replaying the permit fails: the nonce it signed is spent, so it recovers to another signer.
	if _, ok := c.reverts(spender, token, permit).(*bindings.LoyaltyTokenERC2612InvalidSigner); !ok {
		t.Error("replayed permit did not revert with ERC2612InvalidSigner")
	}
	// So does a permit signed by someone else, and one past its deadline.
	nonce = big.NewInt(1)
	_, v, r, s = signPermit(t, c.stranger.key, domain, spender.addr, value, nonce, deadline)
	if _, ok := c.reverts(spender, token, tokenABI.PackPermit(owner.addr, spender.addr, value, deadline, v, r, s)).(*bindings.LoyaltyTokenERC2612InvalidSigner); !ok {
		t.Error("a stranger's permit for the owner did not revert with ERC2612InvalidSigner")
	}
	past := new(big.Int).SetUint64(c.headTime() - 1)
	_, v, r, s = signPermit(t, owner.key, domain, spender.addr, value, nonce, past)
	got := c.reverts(spender, token, tokenABI.PackPermit(owner.addr, spender.addr, value, past, v, r, s))
	if e, ok := got.(*bindings.LoyaltyTokenERC2612ExpiredSignature); !ok || e.Deadline.Cmp(past) != 0 {
		t.Errorf("late permit reverted with %#v, want ERC2612ExpiredSignature", got)
	}
	wantBig(t, "allowance at the end", call(c, token, tokenABI.PackAllowance(owner.addr, spender.addr), tokenABI.UnpackAllowance), 350)
	wantBig(t, "nonce at the end", call(c, token, tokenABI.PackNonces(owner.addr), tokenABI.UnpackNonces), 1)
}
