package node

import (
	"context"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/common"

	"github.com/lpx-exchange/lpx/api"
	"github.com/lpx-exchange/lpx/store/sqlstore"
	"github.com/lpx-exchange/lpx/tokens"
)

// apiChain is the node's chain side as the API sees it (api.Chain): the
// node's withdrawals, programs and issues, with their errors turned into
// the API's stable codes (chainError).
type apiChain struct{ n *Node }

func (a apiChain) ChainID() uint64       { return a.n.ChainID }
func (a apiChain) Vault() common.Address { return a.n.Vault }
func (a apiChain) Confirmations() uint64 { return a.n.cfg.Confirmations }

func (a apiChain) Head(ctx context.Context) (uint64, error) { return a.n.Chain.BlockNumber(ctx) }

func (a apiChain) RequestWithdrawal(ctx context.Context, account, asset uint32, amount string, to common.Address) (uint64, error) {
	id, err := a.n.RequestWithdrawal(ctx, account, asset, amount, to)
	return id, chainError(err)
}

// CreateProgram deploys through the dev chain's TokenFactory (the only
// chain a node knows a factory on) signed with the dev chain's developer
// key, never the vault's: the vault's nonces belong to its outboxes
// (withdrawals, issues, burns), which count them in SQL, and a deployment
// beside them would take one of their nonces. The developer key admins the
// token (the factory makes the deployer its admin); the vault is its
// minter (ProgramSpec.Minter is left zero, which CreateProgram makes the
// vault). Deployments are serialized: each takes the key's next nonce.
func (a apiChain) CreateProgram(ctx context.Context, brand uint32, spec tokens.ProgramSpec, scale uint8) (uint32, common.Address, error) {
	if a.n.DevChain == nil {
		return 0, common.Address{}, chainError(ErrNoFactory)
	}
	a.n.deployMu.Lock()
	defer a.n.deployMu.Unlock()
	asset, token, err := a.n.CreateProgram(ctx, brand, a.n.DevChain.DevKey(), spec, scale)
	if err != nil && token != (common.Address{}) {
		if e, ok := chainError(err).(*api.Error); ok {
			return asset, token, &api.Error{Status: e.Status, Code: e.Code, Message: e.Message +
				" (token " + token.Hex() + " was deployed: register it with POST /v1/brand/programs/register once this is resolved)"}
		}
	}
	return asset, token, chainError(err)
}

func (a apiChain) RegisterProgram(ctx context.Context, brand uint32, token common.Address, scale uint8) (uint32, error) {
	asset, err := a.n.RegisterProgram(ctx, brand, token, scale)
	return asset, chainError(err)
}

func (a apiChain) TotalSupply(ctx context.Context, token common.Address) (*big.Int, error) {
	supply, err := tokens.TotalSupply(ctx, a.n.Chain, token)
	return supply, chainError(err)
}

func (a apiChain) Issue(ctx context.Context, brand, customer, asset uint32, amount, reference string) (sqlstore.Issuance, error) {
	is, err := a.n.Issue(ctx, brand, customer, asset, amount, reference)
	return is, chainError(err)
}

// chainError maps the node's and the tokens package's errors to what the
// API's client sees. What it does not know stays as it is: a 500 that is
// logged in full (or, for the stores' and the context's errors, what the
// API's own table makes of them).
func chainError(err error) error {
	if err == nil {
		return nil
	}
	var rejected *WithdrawalRejectedError
	code := ""
	switch {
	case errors.As(err, &rejected):
		return api.Errorf(rejected.Code.String(), "the withdrawal was refused: %s", rejected.Code)
	case errors.Is(err, ErrNoChain):
		code = "chain_unavailable"
	case errors.Is(err, ErrUnknownToken):
		code = "no_token_program"
	case errors.Is(err, ErrNotLinked):
		code = "wallet_not_linked"
	case errors.Is(err, ErrNotABrand):
		code = "not_brand"
	case errors.Is(err, ErrNoFactory):
		code = "no_token_factory"
	case errors.Is(err, ErrBadSymbol):
		code = "invalid_symbol"
	case errors.Is(err, ErrBadScale), errors.Is(err, tokens.ErrBadScale):
		code = "invalid_scale"
	case errors.Is(err, ErrAlreadyRegistered):
		code = "already_registered"
	case errors.Is(err, ErrAssetRefused):
		code = "asset_refused"
	case errors.Is(err, ErrProgramNotStored):
		// The full error (a database's) is logged by RegisterProgram.
		return api.Errorf("program_not_stored", "the asset was created but its token program could not be stored: register the token again to finish")
	case errors.Is(err, ErrNotBrandsAsset):
		code = "not_brands_asset"
	case errors.Is(err, ErrUnknownCustomer):
		code = "unknown_account"
	case errors.Is(err, ErrBadReference):
		code = "invalid_reference"
	case errors.Is(err, ErrReferenceReused):
		code = "reference_reused"
	case errors.Is(err, tokens.ErrNotAContract), errors.Is(err, tokens.ErrNotERC20):
		code = "not_a_token"
	case errors.Is(err, tokens.ErrBadProgram):
		code = "invalid_program"
	case errors.Is(err, tokens.ErrReverted), errors.Is(err, tokens.ErrNotMinter):
		code = "transaction_reverted"
	case errors.Is(err, tokens.ErrTooManyDecimals):
		code = "too_many_decimals"
	case errors.Is(err, tokens.ErrBadAmount), errors.Is(err, tokens.ErrNegativeAmount):
		code = "invalid_amount"
	case errors.Is(err, tokens.ErrAmountOverflow):
		code = "amount_too_large"
	default:
		return err
	}
	return api.Errorf(code, "%s", err.Error())
}
