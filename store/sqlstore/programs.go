package sqlstore

import (
	"context"
	"database/sql"
	"errors"
)

// ProgramKind is what a brand's token is.
type ProgramKind string

// The kinds of token program.
const (
	ProgramPoints ProgramKind = "points"
	// ProgramCoupon: transfers stop after the expiry (burns excepted).
	ProgramCoupon ProgramKind = "coupon"
)

// TokenProgram ties an engine asset to a brand's ERC-20 contract. Decimals
// are the token's; Scale is the exchange's (units of 10^-Scale), never
// more than Decimals: one unit is 10^(Decimals-Scale) of the token's
// smallest amount.
type TokenProgram struct {
	AssetID   uint32
	Brand     uint32
	ChainID   uint64
	Contract  string // 0x + 40 lowercase hex digits
	Kind      ProgramKind
	Symbol    string
	Name      string
	Decimals  uint8 // 0..77
	Scale     uint8 // 0..18, at most Decimals
	ExpiresAt int64 // 0: never
	CreatedAt int64
}

// CreateTokenProgram stores a program. ErrInvalid: asset or chain 0, a bad
// contract address, an unknown kind, an empty symbol, decimals or scale
// out of range, a negative expiry, a brand that is not an account of kind
// brand. ErrDuplicate: the asset has a program, or the contract on that
// chain is another asset's.
func (db *DB) CreateTokenProgram(ctx context.Context, p TokenProgram) error {
	if p.AssetID == 0 {
		return invalidf("token program asset id 0")
	}
	chain, err := checkChainAddress(p.ChainID, p.Contract)
	if err != nil {
		return err
	}
	switch {
	case p.Kind != ProgramPoints && p.Kind != ProgramCoupon:
		return invalidf("token program kind %q (want points or coupon)", p.Kind)
	case p.Symbol == "":
		return invalidf("token program for asset %d: empty symbol", p.AssetID)
	case p.Decimals > 77:
		return invalidf("token decimals %d above 77", p.Decimals)
	case p.Scale > 18 || p.Scale > p.Decimals:
		return invalidf("token scale %d: want at most 18 and at most the decimals (%d)", p.Scale, p.Decimals)
	case p.ExpiresAt < 0:
		return invalidf("token expiry %d is negative", p.ExpiresAt)
	}
	brand, err := db.Account(ctx, p.Brand)
	if err != nil || brand.Kind != AccountBrand {
		if err == nil || errors.Is(err, ErrNotFound) {
			return invalidf("token program for asset %d: account %d is not a brand", p.AssetID, p.Brand)
		}
		return err
	}
	_, err = db.DB.ExecContext(ctx, db.q(`INSERT INTO token_programs
		(asset_id, brand_id, chain_id, contract_address, kind, symbol, name, decimals, scale, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		int64(p.AssetID), int64(p.Brand), chain, p.Contract, string(p.Kind), p.Symbol, p.Name,
		int64(p.Decimals), int64(p.Scale), nullIfZero(p.ExpiresAt), p.CreatedAt)
	return dbErr(err, "create token program for asset %d", p.AssetID)
}

// TokenProgram returns the program of asset, or ErrNotFound.
func (db *DB) TokenProgram(ctx context.Context, asset uint32) (TokenProgram, error) {
	row := db.DB.QueryRowContext(ctx, db.q("SELECT "+programSelect+" FROM token_programs WHERE asset_id = ?"), int64(asset))
	p, err := scanProgram(row)
	return p, dbErr(err, "token program of asset %d", asset)
}

// TokenProgramByContract returns the program of the contract at address
// on chainID (how the chain watcher knows which asset a Transfer moves),
// or ErrNotFound.
func (db *DB) TokenProgramByContract(ctx context.Context, chainID uint64, address string) (TokenProgram, error) {
	chain, err := checkChainAddress(chainID, address)
	if err != nil {
		return TokenProgram{}, err
	}
	row := db.DB.QueryRowContext(ctx, db.q("SELECT "+programSelect+" FROM token_programs WHERE chain_id = ? AND contract_address = ?"),
		chain, address)
	p, err := scanProgram(row)
	return p, dbErr(err, "token program of contract %d/%s", chainID, address)
}

// ListTokenPrograms returns the programs of brand (every brand's when
// brand is 0) by asset id.
func (db *DB) ListTokenPrograms(ctx context.Context, brand uint32) ([]TokenProgram, error) {
	query, args := "SELECT "+programSelect+" FROM token_programs", []any{}
	if brand != 0 {
		query, args = query+" WHERE brand_id = ?", append(args, int64(brand))
	}
	list, err := queryList(ctx, db, scanProgram, query+" ORDER BY asset_id", args...)
	return list, dbErr(err, "list token programs")
}

const programSelect = "asset_id, brand_id, chain_id, contract_address, kind, symbol, name, decimals, scale, expires_at, created_at"

func scanProgram(r rowScanner) (TokenProgram, error) {
	var p TokenProgram
	var asset, brand, chain, decimals, scale int64
	var kind string
	var expires sql.NullInt64
	err := r.Scan(&asset, &brand, &chain, &p.Contract, &kind, &p.Symbol, &p.Name, &decimals, &scale, &expires, &p.CreatedAt)
	p.AssetID, p.Brand, p.ChainID, p.Kind = uint32(asset), uint32(brand), uint64(chain), ProgramKind(kind)
	p.Decimals, p.Scale, p.ExpiresAt = uint8(decimals), uint8(scale), expires.Int64
	return p, err
}
