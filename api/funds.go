package api

import (
	"context"
	"encoding/base64"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/store/sqlstore"
	"github.com/lpx-exchange/lpx/tokens"
)

// What the funds, wallet, redemption, brand and admin handlers need from
// outside the API: the SQL stores (declared here and in brand.go and
// admin.go) and the chain (Chain). Handlers check everything a request
// says before they submit or send anything; the engine and the node check
// again.

// FundsStore is the SQL side of deposits, withdrawals, wallets and
// redemptions. *sqlstore.DB is one.
type FundsStore interface {
	TokenProgram(ctx context.Context, asset uint32) (sqlstore.TokenProgram, error)
	ListDeposits(ctx context.Context, account uint32, after *sqlstore.DepositCursor, limit int) ([]sqlstore.Deposit, error)
	Withdrawal(ctx context.Context, id uint64) (sqlstore.Withdrawal, error)
	ListWithdrawals(ctx context.Context, account uint32, beforeID uint64, limit int) ([]sqlstore.Withdrawal, error)
	LinkWallet(ctx context.Context, account uint32, chainID uint64, address, proof string, verifiedAt int64) error
	ListWallets(ctx context.Context, account uint32) ([]sqlstore.Wallet, error)
	UnlinkWallet(ctx context.Context, account uint32, chainID uint64, address string) error
	Redemption(ctx context.Context, id uint64) (sqlstore.Redemption, error)
	ListRedemptions(ctx context.Context, account uint32, beforeID uint64, limit int) ([]sqlstore.Redemption, error)
}

// Chain is the node's chain as the API uses it (cmd/lpx/node's apiChain).
// Its methods return *Error for what the client may see (no_token_program,
// wallet_not_linked, not_a_token, already_registered, an engine code, ...)
// and any other error for a 500. A node without a chain has none: the
// routes that need it answer 503 chain_unavailable, after checking the
// request.
type Chain interface {
	// ChainID is the EIP-155 id of the chain deposits and withdrawals use.
	ChainID() uint64
	// Vault is the address deposits go to and withdrawals come from.
	Vault() common.Address
	// Confirmations is how many blocks must follow a deposit's before it
	// is credited.
	Confirmations() uint64
	// Head is the chain's latest block number.
	Head(ctx context.Context) (uint64, error)
	// RequestWithdrawal holds amount (a canonical decimal at the asset's
	// scale) of asset for a withdrawal to a wallet the account linked, and
	// returns its id.
	RequestWithdrawal(ctx context.Context, account, asset uint32, amount string, to common.Address) (uint64, error)
	// CreateProgram deploys a points or coupon token for brand through the
	// exchange's TokenFactory, signed by the vault (which admins the token
	// and is its minter), and registers it as a new asset with scale.
	CreateProgram(ctx context.Context, brand uint32, spec tokens.ProgramSpec, scale uint8) (asset uint32, token common.Address, err error)
	// RegisterProgram makes an existing ERC-20 brand's new asset.
	RegisterProgram(ctx context.Context, brand uint32, token common.Address, scale uint8) (asset uint32, err error)
	// TotalSupply reads a token's totalSupply() at the head.
	TotalSupply(ctx context.Context, token common.Address) (*big.Int, error)
	// Issue has brand credit customer, backed by a mint to the vault,
	// once per (brand, reference): a repeat returns the stored issuance.
	Issue(ctx context.Context, brand, customer, asset uint32, amount, reference string) (sqlstore.Issuance, error)
}

// chain returns the node's chain, or chain_unavailable without one.
func (s *Server) chain() (Chain, error) {
	if s.deps.Chain == nil {
		return nil, Errorf("chain_unavailable", "this exchange runs without a chain")
	}
	return s.deps.Chain, nil
}

// chainTimeout bounds a request that waits for the chain: deploying a
// token waits for its confirmations (seconds on the dev chain; on a busy
// network a deployment that takes longer is answered timeout, and the
// token, once mined, can be registered with POST
// /v1/brand/programs/register).
const chainTimeout = 25 * time.Second

// chainCtx is a handler's context for a call that waits for the chain.
func (s *Server) chainCtx(c *fiber.Ctx) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.UserContext(), max(chainTimeout, s.cfg.RequestTimeout))
}

// Lists are paged: ?limit= (1 to fundsPageMax, default fundsPageDefault) and
// ?cursor=, the next_cursor of the previous page (opaque; null on the
// last page).
const (
	fundsPageDefault = 50
	fundsPageMax     = 500
)

// fundsPage reads ?limit and ?cursor; kind names the list so that a
// cursor of another list is refused. The cursor's payload is returned as
// it was encoded ("" for the first page).
func fundsPage(c *fiber.Ctx, kind string) (limit int, cursor string, err error) {
	if limit, err = queryInt(c, "limit", fundsPageDefault, 1, fundsPageMax); err != nil {
		return 0, "", err
	}
	raw := c.Query("cursor")
	if raw == "" {
		return limit, "", nil
	}
	b, derr := base64.RawURLEncoding.DecodeString(raw)
	payload, ok := strings.CutPrefix(string(b), kind+":")
	if derr != nil || !ok || len(raw) > 512 {
		return 0, "", Errorf("invalid_cursor", "cursor %q is not a next_cursor of this list", clip(raw))
	}
	return limit, payload, nil
}

// fundsCursor encodes a cursor of the list kind.
func fundsCursor(kind, payload string) *string {
	s := base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + payload))
	return &s
}

// fundsIDCursor reads the payload of an id cursor (0 for the first page).
func fundsIDCursor(payload string) (uint64, error) {
	if payload == "" {
		return 0, nil
	}
	id, err := strconv.ParseUint(payload, 10, 64)
	if err != nil || id == 0 {
		return 0, Errorf("invalid_cursor", "the cursor is not a next_cursor of this list")
	}
	return id, nil
}

// decID writes an id as the decimal string JSON carries.
func decID[T ~uint16 | ~uint32 | ~uint64](v T) string { return strconv.FormatUint(uint64(v), 10) }

// parseAccountField reads an account id given as a decimal string.
func parseAccountField(field, v string) (uint32, error) {
	if v == "" {
		return 0, errMissing(field)
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n == 0 {
		return 0, Errorf("invalid_"+field, "field %q must be an account id (a decimal string), not %q", field, clip(v))
	}
	return uint32(n), nil
}

// parseAddressField reads a 0x hex address: all lower case, all upper case or
// EIP-55 mixed case with a correct checksum; not the zero address.
func parseAddressField(field, v string) (common.Address, error) {
	if v == "" {
		return common.Address{}, errMissing(field)
	}
	if len(v) != 42 || !strings.HasPrefix(v, "0x") || !common.IsHexAddress(v) {
		return common.Address{}, Errorf("invalid_address", "field %q must be an address: 0x and 40 hex digits, not %q", field, clip(v))
	}
	a := common.HexToAddress(v)
	body := v[2:]
	if body != strings.ToLower(body) && body != strings.ToUpper(body) && a.Hex() != v {
		return common.Address{}, Errorf("invalid_address", "field %q: %s has a wrong EIP-55 checksum (mixed case must match %s)", field, v, a.Hex())
	}
	if a == (common.Address{}) {
		return common.Address{}, Errorf("invalid_address", "field %q is the zero address", field)
	}
	return a, nil
}

// storedAddress is an address as the database stores it.
func storedAddress(a common.Address) string { return strings.ToLower(a.Hex()) }

// eip55 writes a stored (lower-case) address in EIP-55 form.
func eip55(stored string) string {
	if !common.IsHexAddress(stored) {
		return stored
	}
	return common.HexToAddress(stored).Hex()
}

// optRFC3339 is an RFC 3339 time, or nil for 0.
func optRFC3339(ns int64) *string {
	if ns == 0 {
		return nil
	}
	t := rfc3339(ns)
	return &t
}

// parseTimeField reads an RFC 3339 time.
func parseTimeField(field, v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, Errorf("invalid_time", "field %q must be an RFC 3339 time such as \"2030-01-02T15:04:05Z\", not %q", field, clip(v))
	}
	return t, nil
}

// available is the caller's available balance of asset in the engine.
func (s *Server) availableOf(c *fiber.Ctx, account uint32, a assetRef) (int64, bool, error) {
	var avail int64
	var expired bool
	err := s.read(c, func(e *engine.Engine) {
		avail, _ = e.Balance(engine.AccountID(account), a.ID)
		info, _ := e.Asset(a.ID)
		expired = info.Expired
	})
	return avail, expired, err
}

// rawAmount writes an on-chain amount (nil: 0).
func rawAmount(x *big.Int) string {
	if x == nil {
		return "0"
	}
	return x.String()
}
