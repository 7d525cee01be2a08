package tokens

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/lpx-exchange/lpx/tokens/bindings"
)

// Brand programs on chain: deploying a brand's points or coupon token
// through the TokenFactory, registering an existing ERC-20 after
// inspecting it, minting, burning fulfilled redemptions from the vault and
// reading a token's supply.
//
// How the node uses them (none of this imports the engine):
//
//   - Issue. The vault, which the brand made a minter, mints to itself
//     (the Issuer, in issuer.go, with the sender's outbox discipline). The
//     issue is credited like a deposit: only once the mint is confirmed,
//     after FindMint has found the mint's Transfer log from the zero
//     address in the receipt, under the brand's own reference (one credit
//     per brand and reference). So every unit the engine credits is backed
//     by tokens in the vault.
//   - Mint to a customer's wallet: the same Mint with the wallet as to; the
//     exchange credits nothing (the tokens are the customer's, on chain).
//   - Redemptions: fulfilled redemptions are burned from the vault in
//     batches, one BurnFromVault of their sum signed with the vault key.
//   - Liabilities: TotalSupply is what the node reports to the engine as
//     CmdReportSupply{Asset, Amount}, Amount being ToUnits(supply,
//     decimals, scale) (the dust below one unit is not reported).

// Errors of brand programs; the functions wrap them with detail.
var (
	// ErrNotAContract: there is no code at the address (an externally
	// owned account, or nothing deployed yet).
	ErrNotAContract = errors.New("tokens: unknown token contract: no contract at the address")
	// ErrNotERC20: the contract does not answer decimals(), symbol() and
	// totalSupply() as an ERC-20 does.
	ErrNotERC20 = errors.New("tokens: unknown token contract: not an ERC-20")
	// ErrBadProgram: a ProgramSpec, amount or address refused before
	// anything is sent.
	ErrBadProgram = errors.New("tokens: bad program request")
	// ErrNotMinter: the signing key lacks the token's MINTER_ROLE (the
	// mint reverts with AccessControlUnauthorizedAccount).
	ErrNotMinter = errors.New("tokens: the signer lacks the token's minter role")
	// ErrReverted: the transaction reverts (in gas estimation, so nothing
	// was sent) or reverted (its receipt says so).
	ErrReverted = errors.New("tokens: transaction reverted")
	// ErrNoTokenCreated: a createToken receipt without the factory's
	// TokenCreated event, or with one that does not match the request.
	ErrNoTokenCreated = errors.New("tokens: no TokenCreated event in the receipt")
)

// TokenKind is what a token is: a LoyaltyToken's kind, as the contract
// encodes it, or KindPlain for any other ERC-20.
type TokenKind uint8

// The kinds. KindPoints and KindCoupon are LoyaltyToken.Kind's values.
const (
	KindPoints TokenKind = 0
	KindCoupon TokenKind = 1
	// KindPlain: an ERC-20 that is not a LoyaltyToken (kind() or
	// expiresAt() fails); it never expires.
	KindPlain TokenKind = 2
)

func (k TokenKind) String() string {
	switch k {
	case KindPoints:
		return "points"
	case KindCoupon:
		return "coupon"
	case KindPlain:
		return "erc20"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// ProgramSpec is a brand's new points or coupon token.
type ProgramSpec struct {
	Name, Symbol string
	Decimals     uint8
	// Kind is KindPoints or KindCoupon.
	Kind TokenKind
	// ExpiresAt is zero for points; for a coupon, when transfers stop
	// (whole seconds; the contract also refuses a time not after the
	// block's).
	ExpiresAt time.Time
	// Minter gets MINTER_ROLE (the zero address: nobody yet; the brand,
	// which admins the token, can grant it later).
	Minter common.Address
}

// validate refuses what the contract would refuse, before anything is sent.
func (p ProgramSpec) validate() error {
	switch {
	case p.Name == "" || p.Symbol == "":
		return fmt.Errorf("%w: empty name or symbol", ErrBadProgram)
	case p.Kind == KindPoints && !p.ExpiresAt.IsZero():
		return fmt.Errorf("%w: points do not expire (expiry %s)", ErrBadProgram, p.ExpiresAt)
	case p.Kind == KindCoupon && (p.ExpiresAt.IsZero() || p.ExpiresAt.Unix() <= 0):
		return fmt.Errorf("%w: a coupon needs an expiry after 1970", ErrBadProgram)
	case p.Kind != KindPoints && p.Kind != KindCoupon:
		return fmt.Errorf("%w: kind %s: a program is points or a coupon", ErrBadProgram, p.Kind)
	}
	return nil
}

// expiresAt is the contract's uint64 expiry: Unix seconds, 0 for points.
func (p ProgramSpec) expiresAt() uint64 {
	if p.ExpiresAt.IsZero() {
		return 0
	}
	return uint64(p.ExpiresAt.Unix())
}

// TokenReader is the part of an Ethereum client that reads tokens.
// *ethclient.Client and the simulated backend's Client() satisfy it.
type TokenReader interface {
	CodeAt(ctx context.Context, account common.Address, blockNumber *big.Int) ([]byte, error)
	CallContract(ctx context.Context, call ethereum.CallMsg, blockNumber *big.Int) ([]byte, error)
}

// TokenInfo is what InspectToken reads of a token.
type TokenInfo struct {
	Symbol, Name string // Name is empty if the token has none (it is optional in ERC-20)
	Decimals     uint8
	Kind         TokenKind
	ExpiresAt    time.Time // zero unless a coupon
}

// Default of the Transactor.
const (
	// DefaultPollInterval is how often Wait asks for a receipt.
	DefaultPollInterval = time.Second
)

// Transactor signs and sends contract calls with one key: the brand's
// (createToken), its minter's (mint) or the vault's (burn). Like the
// Sender it estimates gas (plus a margin), pays EIP-1559 fees (the
// node's suggested tip, a fee cap of tip + 2 × base fee) and takes the
// larger of the chain's pending nonce and its own next nonce (the pending
// nonce can be stale right after a block). A call that reverts in gas
// estimation is never sent.
//
// It keeps no outbox: a transaction whose broadcast fails is not retried.
// The vault key is also the withdrawal Sender's, whose nonces come from
// SQL: a vault Transactor must not run while the Sender signs (see
// BurnFromVault). Send is safe for concurrent use.
type Transactor struct {
	Chain   SenderChain
	Key     *ecdsa.PrivateKey
	ChainID *big.Int
	// PollInterval is how often Wait asks for a receipt (default
	// DefaultPollInterval).
	PollInterval time.Duration
	// Confirmations is how many blocks, counting the receipt's own,
	// DeployProgram waits for (0 acts as 1).
	Confirmations uint64

	mu   sync.Mutex
	next uint64 // the next nonce this transactor would use; 0: none yet
}

// From is the address of Key.
func (t *Transactor) From() common.Address { return crypto.PubkeyToAddress(t.Key.PublicKey) }

// Send signs a call of to with data and broadcasts it. A call that would
// revert is refused with ErrReverted (or ErrNotMinter) and nothing is sent.
func (t *Transactor) Send(ctx context.Context, to common.Address, data []byte) (*types.Transaction, error) {
	if t.ChainID == nil || t.ChainID.Sign() <= 0 {
		return nil, fmt.Errorf("tokens: transactor: bad chain id %v", t.ChainID)
	}
	if t.Key == nil {
		return nil, errors.New("tokens: transactor: no key")
	}
	from := t.From()
	head, err := t.Chain.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("tokens: head: %w", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	tx, err := signCall(ctx, t.Chain, t.Key, t.ChainID, head, to, data, t.next)
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	nonce := tx.Nonce()
	if err := t.Chain.SendTransaction(ctx, tx); err != nil {
		return nil, fmt.Errorf("tokens: send %s (nonce %d) from %s: %w", tx.Hash(), nonce, from, err)
	}
	t.next = nonce + 1
	return tx, nil
}

// Wait returns tx's receipt once it has confirmations blocks counting its
// own (0 acts as 1), asking every PollInterval until ctx ends (lookup
// failures are retried, as bind.WaitMined does: a node still indexing
// transactions refuses receipts for a while). A receipt that says
// reverted is returned with an error wrapping ErrReverted.
func (t *Transactor) Wait(ctx context.Context, tx *types.Transaction, confirmations uint64) (*types.Receipt, error) {
	confirmations = max(confirmations, 1)
	every := t.PollInterval
	if every <= 0 {
		every = DefaultPollInterval
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	var last error // the last lookup failure, reported if ctx ends
	for {
		select {
		case <-ctx.Done():
			return nil, errors.Join(fmt.Errorf("tokens: waiting for %s: %w", tx.Hash(), ctx.Err()), last)
		case <-timer.C:
		}
		receipt, err := t.confirmed(ctx, tx.Hash(), confirmations)
		last = err // transient ("transaction indexing is in progress"): ask again
		if receipt != nil {
			if receipt.Status != types.ReceiptStatusSuccessful {
				return receipt, fmt.Errorf("%w: %s in block %s", ErrReverted, tx.Hash(), receipt.BlockNumber)
			}
			return receipt, nil
		}
		timer.Reset(every)
	}
}

// confirmed returns the receipt of hash if it has confirmations, nil if
// not (yet).
func (t *Transactor) confirmed(ctx context.Context, hash common.Hash, confirmations uint64) (*types.Receipt, error) {
	receipt, err := t.Chain.TransactionReceipt(ctx, hash)
	switch {
	case errors.Is(err, ethereum.NotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("tokens: receipt of %s: %w", hash, err)
	case receipt.BlockNumber == nil:
		return nil, nil
	}
	head, err := t.Chain.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("tokens: head: %w", err)
	}
	if head.Number.Uint64()+1 < receipt.BlockNumber.Uint64()+confirmations {
		return nil, nil
	}
	return receipt, nil
}

var (
	programFactoryABI = bindings.NewTokenFactory()
	programTokenABI   = bindings.NewLoyaltyToken()
	// programMinterRole is LoyaltyToken.MINTER_ROLE.
	programMinterRole = crypto.Keccak256Hash([]byte("MINTER_ROLE"))
)

// revertError explains a failed gas estimation: a revert becomes
// ErrReverted (ErrNotMinter for a missing minter role) with the decoded
// custom error; anything else is returned wrapped as it is.
func revertError(err error, from, to common.Address) error {
	data, reverted := ethclient.RevertErrorData(err)
	if !reverted {
		return fmt.Errorf("tokens: estimate gas of a call from %s to %s: %w", from, to, err)
	}
	if len(data) < 4 {
		return fmt.Errorf("%w: call from %s to %s: %v", ErrReverted, from, to, err)
	}
	decoded, derr := programTokenABI.UnpackError(data)
	if derr != nil {
		return fmt.Errorf("%w: call from %s to %s: %v (revert data %x)", ErrReverted, from, to, err, data)
	}
	if u, ok := decoded.(*bindings.LoyaltyTokenAccessControlUnauthorizedAccount); ok && u.NeededRole == programMinterRole {
		return fmt.Errorf("%w: %s may not mint token %s (AccessControlUnauthorizedAccount)", ErrNotMinter, u.Account, to)
	}
	name := strings.TrimPrefix(fmt.Sprintf("%T", decoded), "*bindings.LoyaltyToken")
	return fmt.Errorf("%w: call from %s to %s: %s%s", ErrReverted, from, to, name, strings.TrimPrefix(fmt.Sprintf("%+v", decoded), "&"))
}

// DeployProgram has the brand (tr's key, who will admin the token) create
// p through the factory, waits for tr.Confirmations and returns the new
// token's address, read from the factory's TokenCreated event in the
// receipt. p is checked before anything is sent (ErrBadProgram).
func DeployProgram(ctx context.Context, tr *Transactor, factory common.Address, p ProgramSpec) (common.Address, *types.Receipt, error) {
	if err := p.validate(); err != nil {
		return common.Address{}, nil, err
	}
	data, err := programFactoryABI.TryPackCreateToken(p.Name, p.Symbol, p.Decimals, uint8(p.Kind), p.expiresAt(), p.Minter)
	if err != nil {
		return common.Address{}, nil, fmt.Errorf("%w: %v", ErrBadProgram, err)
	}
	tx, err := tr.Send(ctx, factory, data)
	if err != nil {
		return common.Address{}, nil, fmt.Errorf("tokens: create %s (%s): %w", p.Symbol, p.Kind, err)
	}
	receipt, err := tr.Wait(ctx, tx, tr.Confirmations)
	if err != nil {
		return common.Address{}, receipt, fmt.Errorf("tokens: create %s (%s): %w", p.Symbol, p.Kind, err)
	}
	token, err := ProgramCreated(receipt, factory, tr.From(), p)
	return token, receipt, err
}

// ProgramCreated reads the token that brand created as p from a
// createToken receipt: the one TokenCreated event the factory logged,
// which must match p (ErrNoTokenCreated otherwise).
func ProgramCreated(receipt *types.Receipt, factory, brand common.Address, p ProgramSpec) (common.Address, error) {
	if receipt.Status != types.ReceiptStatusSuccessful {
		return common.Address{}, fmt.Errorf("%w: transaction %s reverted", ErrNoTokenCreated, receipt.TxHash)
	}
	createdID := programFactoryABI.GetABI().Events["TokenCreated"].ID
	var created *bindings.TokenFactoryTokenCreated
	for _, log := range receipt.Logs {
		if log.Address != factory || len(log.Topics) == 0 || log.Topics[0] != createdID {
			continue // the new token's own RoleGranted logs
		}
		ev, err := programFactoryABI.UnpackTokenCreatedEvent(log)
		if err != nil {
			return common.Address{}, fmt.Errorf("%w: undecodable log %d of %s: %v", ErrNoTokenCreated, log.Index, receipt.TxHash, err)
		}
		if created != nil {
			return common.Address{}, fmt.Errorf("%w: two in transaction %s", ErrNoTokenCreated, receipt.TxHash)
		}
		created = ev
	}
	switch {
	case created == nil:
		return common.Address{}, fmt.Errorf("%w: transaction %s to factory %s", ErrNoTokenCreated, receipt.TxHash, factory)
	case created.Brand != brand || created.Name != p.Name || created.Symbol != p.Symbol ||
		created.Decimals != p.Decimals || TokenKind(created.Kind) != p.Kind || created.ExpiresAt != p.expiresAt():
		return common.Address{}, fmt.Errorf("%w: transaction %s created %+v, not %+v by %s", ErrNoTokenCreated, receipt.TxHash, *created, p, brand)
	}
	return created.Token, nil
}

// InspectToken reads an existing token at addr, to register it: no code
// there is ErrNotAContract; a contract that does not answer decimals(),
// symbol() and totalSupply() is ErrNotERC20. It is a LoyaltyToken's kind
// and expiry if kind() and expiresAt() answer consistently, else
// KindPlain. A failure to reach the node is returned as it is.
func InspectToken(ctx context.Context, chain TokenReader, addr common.Address) (TokenInfo, error) {
	code, err := chain.CodeAt(ctx, addr, nil)
	if err != nil {
		return TokenInfo{}, fmt.Errorf("tokens: code at %s: %w", addr, err)
	}
	if len(code) == 0 {
		return TokenInfo{}, fmt.Errorf("%w: %s", ErrNotAContract, addr)
	}
	var info TokenInfo
	if info.Decimals, err = callToken(ctx, chain, addr, "decimals", programTokenABI.PackDecimals(), programTokenABI.UnpackDecimals); err != nil {
		return TokenInfo{}, err
	}
	if info.Symbol, err = callToken(ctx, chain, addr, "symbol", programTokenABI.PackSymbol(), programTokenABI.UnpackSymbol); err != nil {
		return TokenInfo{}, err
	}
	if _, err = callToken(ctx, chain, addr, "totalSupply", programTokenABI.PackTotalSupply(), programTokenABI.UnpackTotalSupply); err != nil {
		return TokenInfo{}, err
	}
	if info.Name, err = callToken(ctx, chain, addr, "name", programTokenABI.PackName(), programTokenABI.UnpackName); errors.Is(err, ErrNotERC20) {
		info.Name = "" // optional in ERC-20
	} else if err != nil {
		return TokenInfo{}, err
	}

	info.Kind = KindPlain
	kind, kerr := callToken(ctx, chain, addr, "kind", programTokenABI.PackKind(), programTokenABI.UnpackKind)
	expires, eerr := callToken(ctx, chain, addr, "expiresAt", programTokenABI.PackExpiresAt(), programTokenABI.UnpackExpiresAt)
	for _, err := range []error{kerr, eerr} {
		if err != nil && !errors.Is(err, ErrNotERC20) {
			return TokenInfo{}, err
		}
	}
	if kerr == nil && eerr == nil {
		switch k := TokenKind(kind); {
		case k == KindPoints && expires == 0:
			info.Kind = KindPoints
		case k == KindCoupon && expires != 0:
			info.Kind, info.ExpiresAt = KindCoupon, time.Unix(int64(expires), 0).UTC()
		}
	}
	return info, nil
}

// callToken calls a view function of the token at addr. A call the node
// answers with an error (a revert, a missing function) or whose result
// does not decode is ErrNotERC20; a transport failure is returned as it is.
func callToken[T any](ctx context.Context, chain TokenReader, addr common.Address, name string, data []byte, unpack func([]byte) (T, error)) (T, error) {
	var zero T
	out, err := chain.CallContract(ctx, ethereum.CallMsg{To: &addr, Data: data}, nil)
	if err != nil {
		var rpcErr rpc.Error
		if _, reverted := ethclient.RevertErrorData(err); reverted || errors.As(err, &rpcErr) {
			return zero, fmt.Errorf("%w: %s: %s() fails: %v", ErrNotERC20, addr, name, err)
		}
		return zero, fmt.Errorf("tokens: call %s() of %s: %w", name, addr, err)
	}
	v, err := unpack(out)
	if err != nil {
		return zero, fmt.Errorf("%w: %s: %s() returned %d bytes that do not decode: %v", ErrNotERC20, addr, name, len(out), err)
	}
	return v, nil
}

// checkRaw refuses a nil, non-positive or above-uint256 on-chain amount.
func checkRaw(raw *big.Int) error {
	if raw == nil || raw.Sign() <= 0 || raw.Cmp(maxUint256) > 0 {
		return fmt.Errorf("%w: amount %v is not in [1, 2^256-1]", ErrBadProgram, raw)
	}
	return nil
}

// Mint has tr's key (the token's minter) mint raw of token to to and
// returns the broadcast transaction. A key without MINTER_ROLE is refused
// with ErrNotMinter and nothing is sent.
//
// The caller waits for the confirmations. A mint to a customer's wallet
// credits nothing in the exchange; mints to the vault that back an engine
// issue go through the Issuer instead, which stores them before
// broadcasting.
func Mint(ctx context.Context, tr *Transactor, token, to common.Address, raw *big.Int) (*types.Transaction, error) {
	if to == (common.Address{}) {
		return nil, fmt.Errorf("%w: mint to the zero address", ErrBadProgram)
	}
	if err := checkRaw(raw); err != nil {
		return nil, err
	}
	tx, err := tr.Send(ctx, token, programTokenABI.PackMint(to, raw))
	if err != nil {
		return nil, fmt.Errorf("tokens: mint %s of %s to %s: %w", raw, token, to, err)
	}
	return tx, nil
}

// FindMint finds in a successful receipt the Transfer log by which token
// minted to to (from the zero address), returning its index in the block
// (for IssueRef) and the raw amount; ok is false if there is none. With
// several, the first.
func FindMint(receipt *types.Receipt, token, to common.Address) (logIndex uint, raw *big.Int, ok bool) {
	if receipt == nil || receipt.Status != types.ReceiptStatusSuccessful {
		return 0, nil, false
	}
	for _, log := range receipt.Logs {
		if log.Address != token || log.Removed || len(log.Topics) != 3 || log.Topics[0] != TransferTopic ||
			log.Topics[1] != (common.Hash{}) || log.Topics[2] != common.BytesToHash(to.Bytes()) || len(log.Data) != 32 {
			continue
		}
		return log.Index, new(big.Int).SetBytes(log.Data), true
	}
	return 0, nil, false
}

// BurnFromVault has the vault (tr's key) burn the sum of raws of token in
// one transaction: a batch of fulfilled redemptions. It refuses an empty
// batch or a non-positive amount, and a burn the vault cannot cover
// reverts in gas estimation (ErrReverted): nothing is sent. The caller
// waits for the receipt and marks the batch burned.
//
// The vault key also signs withdrawals, with nonces the Sender tracks in
// SQL: run burns between the Sender's passes, never concurrently with
// them, or one of the two can take the other's nonce.
func BurnFromVault(ctx context.Context, tr *Transactor, token common.Address, raws []*big.Int) (*types.Transaction, error) {
	if len(raws) == 0 {
		return nil, fmt.Errorf("%w: empty burn batch", ErrBadProgram)
	}
	sum := new(big.Int)
	for i, raw := range raws {
		if err := checkRaw(raw); err != nil {
			return nil, fmt.Errorf("burn batch item %d: %w", i, err)
		}
		sum.Add(sum, raw)
	}
	if err := checkRaw(sum); err != nil {
		return nil, fmt.Errorf("burn batch sum: %w", err)
	}
	tx, err := tr.Send(ctx, token, programTokenABI.PackBurn(sum))
	if err != nil {
		return nil, fmt.Errorf("tokens: burn %s of %s from the vault (a batch of %d): %w", sum, token, len(raws), err)
	}
	return tx, nil
}

// TotalSupply reads token's totalSupply() at the head. The node reports it
// to the engine for the liabilities query as CmdReportSupply{Asset,
// Amount: ToUnits(supply, decimals, scale)}.
func TotalSupply(ctx context.Context, chain TokenReader, token common.Address) (*big.Int, error) {
	out, err := chain.CallContract(ctx, ethereum.CallMsg{To: &token, Data: programTokenABI.PackTotalSupply()}, nil)
	if err != nil {
		return nil, fmt.Errorf("tokens: totalSupply of %s: %w", token, err)
	}
	supply, err := programTokenABI.UnpackTotalSupply(out)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: totalSupply() returned %d bytes: %v", ErrNotERC20, token, len(out), err)
	}
	return supply, nil
}
