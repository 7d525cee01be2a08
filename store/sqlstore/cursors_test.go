package sqlstore

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestChainCursors(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		h1, h2 := "0x"+strings.Repeat("1a", 32), "0x"+strings.Repeat("2b", 32)
		if _, _, ok, err := db.ChainCursor(ctx, 1337, "deposits"); ok || err != nil {
			t.Fatalf("before any: ok %v, %v", ok, err)
		}
		steps := []struct {
			block uint64
			hash  string
		}{
			{100, h1},
			{101, h2},
			{99, h1}, // back after a reorg
			{1<<63 - 1, h2},
		}
		for _, s := range steps {
			if err := db.SetChainCursor(ctx, 1337, "deposits", s.block, s.hash, 7); err != nil {
				t.Fatalf("set %d: %v", s.block, err)
			}
			block, hash, ok, err := db.ChainCursor(ctx, 1337, "deposits")
			if err != nil || !ok || block != s.block || hash != s.hash {
				t.Errorf("after set %d: %d %s %v %v", s.block, block, hash, ok, err)
			}
		}
		// Other names and chains are other cursors.
		if err := db.SetChainCursor(ctx, 1337, "withdrawals", 5, h1, 7); err != nil {
			t.Fatal(err)
		}
		if block, _, ok, err := db.ChainCursor(ctx, 1337, "withdrawals"); err != nil || !ok || block != 5 {
			t.Errorf("withdrawals cursor: %d %v %v", block, ok, err)
		}
		if _, _, ok, err := db.ChainCursor(ctx, 1, "deposits"); ok || err != nil {
			t.Errorf("other chain: ok %v, %v", ok, err)
		}

		for name, err := range map[string]error{
			"chain 0":          db.SetChainCursor(ctx, 0, "deposits", 1, h1, 7),
			"no name":          db.SetChainCursor(ctx, 1, "", 1, h1, 7),
			"hash in capitals": db.SetChainCursor(ctx, 1, "deposits", 1, strings.ToUpper(h1), 7),
			"short hash":       db.SetChainCursor(ctx, 1, "deposits", 1, h1[:65], 7),
			"block 2^63":       db.SetChainCursor(ctx, 1, "deposits", 1<<63, h1, 7),
		} {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			}
		}
		if _, _, _, err := db.ChainCursor(ctx, 0, "deposits"); !errors.Is(err, ErrInvalid) {
			t.Errorf("read chain 0: %v, want ErrInvalid", err)
		}
	})
}
