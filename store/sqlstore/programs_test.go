package sqlstore

import (
	"context"
	"errors"
	"testing"
)

func TestTokenPrograms(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustAccount(t, db, 2, AccountBrand)
		mustAccount(t, db, 3, AccountBrand)
		mustAccount(t, db, 4, AccountConsumer)
		points := TokenProgram{AssetID: 11, Brand: 2, ChainID: 1337, Contract: addrA, Kind: ProgramPoints,
			Symbol: "NORD", Name: "Café Nord points", Decimals: 18, Scale: 2, CreatedAt: 5}
		coupon := TokenProgram{AssetID: 10, Brand: 3, ChainID: 1337, Contract: addrB, Kind: ProgramCoupon,
			Symbol: "FREECOFFEE", Decimals: 0, Scale: 0, ExpiresAt: 1_900_000_000_000_000_000, CreatedAt: 6}
		for _, p := range []TokenProgram{points, coupon} {
			if err := db.CreateTokenProgram(ctx, p); err != nil {
				t.Fatalf("create %s: %v", p.Symbol, err)
			}
			if got, err := db.TokenProgram(ctx, p.AssetID); err != nil || got != p {
				t.Errorf("TokenProgram(%d) = %+v, %v; want %+v", p.AssetID, got, err, p)
			}
			if got, err := db.TokenProgramByContract(ctx, p.ChainID, p.Contract); err != nil || got != p {
				t.Errorf("TokenProgramByContract(%s) = %+v, %v; want %+v", p.Contract, got, err, p)
			}
		}
		all, err := db.ListTokenPrograms(ctx, 0)
		if err != nil || len(all) != 2 || all[0] != coupon || all[1] != points {
			t.Errorf("ListTokenPrograms(0) = %+v, %v; want coupon, points (by asset id)", all, err)
		}
		mine, err := db.ListTokenPrograms(ctx, 2)
		if err != nil || len(mine) != 1 || mine[0] != points {
			t.Errorf("ListTokenPrograms(2) = %+v, %v", mine, err)
		}
		if none, err := db.ListTokenPrograms(ctx, 4); err != nil || len(none) != 0 {
			t.Errorf("ListTokenPrograms(4) = %+v, %v", none, err)
		}

		if _, err := db.TokenProgram(ctx, 99); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing asset: %v, want ErrNotFound", err)
		}
		if _, err := db.TokenProgramByContract(ctx, 1, addrA); !errors.Is(err, ErrNotFound) {
			t.Errorf("contract on another chain: %v, want ErrNotFound", err)
		}
		if _, err := db.TokenProgramByContract(ctx, 1337, badAddresses["capitals"]); !errors.Is(err, ErrInvalid) {
			t.Errorf("bad address: %v, want ErrInvalid", err)
		}

		dup := points
		if err := db.CreateTokenProgram(ctx, dup); !errors.Is(err, ErrDuplicate) {
			t.Errorf("same asset: %v, want ErrDuplicate", err)
		}
		dup.AssetID = 12
		if err := db.CreateTokenProgram(ctx, dup); !errors.Is(err, ErrDuplicate) {
			t.Errorf("same contract: %v, want ErrDuplicate", err)
		}
		dup.ChainID = 1 // the same address on another chain is another contract
		if err := db.CreateTokenProgram(ctx, dup); err != nil {
			t.Errorf("same address, other chain: %v", err)
		}

		bad := map[string]func(p *TokenProgram){
			"asset 0":           func(p *TokenProgram) { p.AssetID = 0 },
			"chain 0":           func(p *TokenProgram) { p.ChainID = 0 },
			"bad address":       func(p *TokenProgram) { p.Contract = badAddresses["not hex"] },
			"kind":              func(p *TokenProgram) { p.Kind = "voucher" },
			"no kind":           func(p *TokenProgram) { p.Kind = "" },
			"no symbol":         func(p *TokenProgram) { p.Symbol = "" },
			"decimals 78":       func(p *TokenProgram) { p.Decimals = 78 },
			"scale 19":          func(p *TokenProgram) { p.Decimals, p.Scale = 30, 19 },
			"scale > decimals":  func(p *TokenProgram) { p.Decimals, p.Scale = 1, 2 },
			"negative expiry":   func(p *TokenProgram) { p.ExpiresAt = -1 },
			"consumer as brand": func(p *TokenProgram) { p.Brand = 4 },
			"no such brand":     func(p *TokenProgram) { p.Brand = 99 },
		}
		for name, mutate := range bad {
			p := points
			p.AssetID, p.Contract = 50, "0x5000000000000000000000000000000000000005"
			mutate(&p)
			if err := db.CreateTokenProgram(ctx, p); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			}
		}
	})
}
