package redisstore

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/internal/servicetest"
)

var _ exchange.Snapshots = (*Snapshots)(nil)

func TestSnapshotsRoundTripInChunks(t *testing.T) {
	rdb, prefix := servicetest.Redis(t, nil)
	s := NewSnapshots(rdb, prefix+"snap", 100, 0)
	ctx := context.Background()
	big := bytes.Repeat([]byte("0123456789abcdefghij\x00\xff"), 47) // 1,034 bytes: 11 chunks
	for _, c := range []struct {
		seq  uint64
		data []byte
	}{{7, big}, {3, []byte("small")}, {12, nil}} {
		if err := s.Save(ctx, c.seq, c.data); err != nil {
			t.Fatal(err)
		}
		got, err := s.Load(ctx, c.seq)
		if err != nil || !bytes.Equal(got, c.data) {
			t.Fatalf("snapshot %d: %d bytes back, err %v", c.seq, len(got), err)
		}
	}
	if seqs, err := s.List(ctx); err != nil || len(seqs) != 3 || seqs[0] != 3 || seqs[2] != 12 {
		t.Fatalf("list %v %v", seqs, err)
	}
	// A damaged chunk and a missing chunk are refused.
	rdb.Set(ctx, s.chunkKey(7, 4), "tampered", 0)
	if _, err := s.Load(ctx, 7); !errors.Is(err, ErrBadSnapshot) {
		t.Fatalf("tampered chunk: %v", err)
	}
	rdb.Del(ctx, s.chunkKey(7, 10))
	if _, err := s.Load(ctx, 7); !errors.Is(err, ErrBadSnapshot) {
		t.Fatalf("missing chunk: %v", err)
	}
	if err := s.Delete(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if seqs, _ := s.List(ctx); len(seqs) != 2 {
		t.Fatalf("after delete: %v", seqs)
	}
	if n := rdb.Exists(ctx, s.chunkKey(7, 0), s.metaKey(7)).Val(); n != 0 {
		t.Fatalf("delete left %d keys", n)
	}
	if _, err := s.Load(ctx, 99); !errors.Is(err, ErrBadSnapshot) {
		t.Fatalf("unknown snapshot: %v", err)
	}
}
