package node_test

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/lpx-exchange/lpx/cmd/lpx/node"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/store/sqlstore"
	"github.com/lpx-exchange/lpx/tokens"
)

// TestChainStore runs the deposit watcher's store on PostgreSQL and SQLite.
// The watcher itself is tested against it in tokens.
func TestChainStore(t *testing.T) {
	for _, dialect := range []string{"postgres", "sqlite"} {
		t.Run(dialect, func(t *testing.T) {
			url := sqlstore.SQLiteURL(t.TempDir())
			if dialect == "postgres" {
				url = servicetest.Postgres(t)
			}
			m, err := sqlstore.OpenMigrator(url)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Up(); err != nil {
				t.Fatal(err)
			}
			m.Close()
			db, err := sqlstore.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			testChainStore(t, db)
		})
	}
}

func testChainStore(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	now := int64(100)
	s := node.ChainStore{DB: db, Now: func() int64 { now++; return now }}
	const chain = 1337
	contract := common.HexToAddress("0x00000000000000000000000000000000000000AB")
	wallet := common.HexToAddress("0x00000000000000000000000000000000000000Cd")

	for _, a := range []sqlstore.Account{{ID: 2, Kind: sqlstore.AccountBrand}, {ID: 3, Kind: sqlstore.AccountConsumer}} {
		if err := db.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.CreateTokenProgram(ctx, sqlstore.TokenProgram{AssetID: 1, Brand: 2, ChainID: chain,
		Contract: strings.ToLower(contract.Hex()), Kind: sqlstore.ProgramPoints, Symbol: "P", Decimals: 18, Scale: 2}); err != nil {
		t.Fatal(err)
	}
	if err := db.LinkWallet(ctx, 3, chain, strings.ToLower(wallet.Hex()), "proof", 1); err != nil {
		t.Fatal(err)
	}

	if ps, err := s.Programs(ctx, chain); err != nil || len(ps) != 1 || ps[0] != (tokens.Program{Asset: 1, Contract: contract, Decimals: 18, Scale: 2}) {
		t.Fatalf("Programs = %+v, %v", ps, err)
	}
	if ps, err := s.Programs(ctx, 1); err != nil || len(ps) != 0 {
		t.Fatalf("Programs of another chain = %+v, %v", ps, err)
	}
	if a, ok, err := s.WalletOwner(ctx, chain, wallet); a != 3 || !ok || err != nil {
		t.Fatalf("WalletOwner = %d, %v, %v", a, ok, err)
	}
	if _, ok, err := s.WalletOwner(ctx, chain, contract); ok || err != nil {
		t.Fatalf("WalletOwner of an unlinked address = %v, %v", ok, err)
	}

	if _, _, ok, err := s.Cursor(ctx, chain); ok || err != nil {
		t.Fatalf("Cursor before any = %v, %v", ok, err)
	}
	if err := s.SetCursor(ctx, chain, 7, common.Hash{7}); err != nil {
		t.Fatal(err)
	}
	if b, h, ok, err := s.Cursor(ctx, chain); b != 7 || h != (common.Hash{7}) || !ok || err != nil {
		t.Fatalf("Cursor = %d, %s, %v, %v", b, h, ok, err)
	}

	dep := func(tx byte, block uint64, units int64) tokens.Deposit {
		h := common.Hash{tx}
		raw := new(big.Int).Mul(big.NewInt(units), big.NewInt(1e16))
		raw.Add(raw, big.NewInt(5))
		return tokens.Deposit{ChainID: chain, TxHash: h, LogIndex: 1, Ref: tokens.DepositRef(chain, h, 1),
			Account: 3, Asset: 1, Raw: raw, Dust: big.NewInt(5), Units: units, Block: block, BlockHash: common.Hash{byte(block)}}
	}
	a, b, c := dep(1, 8, 10), dep(2, 9, 20), dep(3, 10, 0)
	if err := s.RecordSeen(ctx, []tokens.Deposit{a, b, c}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordSeen(ctx, []tokens.Deposit{a}); err != nil {
		t.Fatalf("RecordSeen again: %v", err)
	}
	pending, err := s.Pending(ctx, chain, 8)
	if err != nil || len(pending) != 2 || pending[0].TxHash != b.TxHash || pending[1].TxHash != c.TxHash {
		t.Fatalf("Pending after 8 = %+v, %v", pending, err)
	}
	got := pending[0]
	if got.Ref != b.Ref || got.Raw.Cmp(b.Raw) != 0 || got.Dust.Int64() != 5 || got.Units != 20 || got.Block != 9 || got.BlockHash != b.BlockHash || got.Account != 3 || got.Asset != 1 {
		t.Fatalf("Pending read back %+v, want %+v", got, b)
	}

	if err := s.MarkReorged(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRejected(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRejected(ctx, c); err != nil {
		t.Fatalf("MarkRejected again: %v", err)
	}
	if pending, err := s.Pending(ctx, chain, 0); err != nil || len(pending) != 1 || pending[0].TxHash != a.TxHash {
		t.Fatalf("Pending after marks = %+v, %v", pending, err)
	}

	// Seen again after a reorg, at another block: seen there. A rejected
	// deposit stays rejected.
	b.Block, b.BlockHash = 11, common.Hash{11}
	if err := s.RecordSeen(ctx, []tokens.Deposit{b, c}); err != nil {
		t.Fatal(err)
	}
	row, err := db.Deposit(ctx, chain, b.TxHash.Hex(), 1)
	if err != nil || row.Status != sqlstore.DepositSeen || row.BlockNumber != 11 || row.BlockHash != b.BlockHash.Hex() {
		t.Fatalf("revived deposit %+v, %v", row, err)
	}
	if row, err := db.Deposit(ctx, chain, c.TxHash.Hex(), 1); err != nil || row.Status != sqlstore.DepositRejected {
		t.Fatalf("rejected deposit %+v, %v", row, err)
	}

	bad := dep(4, 12, 1)
	bad.Account = 0
	if err := s.RecordSeen(ctx, []tokens.Deposit{dep(5, 12, 1), bad}); !errors.Is(err, sqlstore.ErrInvalid) {
		t.Fatalf("RecordSeen with a bad deposit: %v", err)
	}
	if _, err := db.Deposit(ctx, chain, common.Hash{5}.Hex(), 1); !errors.Is(err, sqlstore.ErrNotFound) {
		t.Fatalf("a batch with a bad deposit was partly stored: %v", err)
	}
}
