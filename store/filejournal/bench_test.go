package filejournal_test

import (
	"context"
	"testing"

	"github.com/lpx-exchange/lpx/store/filejournal"
)

// BenchmarkAppend appends 4 KiB batches of 8 commands, each fsynced: the
// cost the sequencer pays per batch in embedded mode.
func BenchmarkAppend(b *testing.B) {
	j, err := filejournal.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	data := make([]byte, 4096)
	for i := range data {
		data[i] = byte(i * 7)
	}
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	seq := uint64(1)
	for b.Loop() {
		if err := j.Append(ctx, seq, seq+7, data); err != nil {
			b.Fatal(err)
		}
		seq += 8
	}
}
