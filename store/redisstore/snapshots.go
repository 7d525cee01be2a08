package redisstore

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrBadSnapshot is returned (wrapped) for a snapshot whose chunks are
// missing or whose checksum does not match.
var ErrBadSnapshot = errors.New("redisstore: snapshot damaged")

// Snapshots keeps engine snapshots in Redis, each under its sequence
// number: its bytes in chunks (<prefix>:<seq>:<i>) and, written last as the
// commit point, a hash <prefix>:<seq> with the chunk count, length and
// CRC-32C, listed in the sorted set <prefix> by sequence number. A snapshot
// whose index entry is missing does not exist, whatever chunks a crash left.
type Snapshots struct {
	rdb       *redis.Client
	prefix    string
	chunkSize int
	timeout   time.Duration
}

// NewSnapshots stores snapshots under prefix in chunks of chunkSize bytes
// (512 KiB if 0); timeout bounds each call (10 s if 0).
func NewSnapshots(rdb *redis.Client, prefix string, chunkSize int, timeout time.Duration) *Snapshots {
	if chunkSize <= 0 {
		chunkSize = 512 << 10
	}
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return &Snapshots{rdb: rdb, prefix: prefix, chunkSize: chunkSize, timeout: timeout}
}

func (s *Snapshots) chunkKey(seq uint64, i int) string {
	return fmt.Sprintf("%s:%d:%d", s.prefix, seq, i)
}
func (s *Snapshots) metaKey(seq uint64) string { return fmt.Sprintf("%s:%d", s.prefix, seq) }

// Save stores a snapshot taken at seq.
func (s *Snapshots) Save(ctx context.Context, seq uint64, data []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	n := 0
	pipe := s.rdb.Pipeline()
	for off := 0; off < len(data) || n == 0; off += s.chunkSize {
		pipe.Set(ctx, s.chunkKey(seq, n), data[off:min(off+s.chunkSize, len(data))], 0)
		n++
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("redisstore: snapshot %d chunks: %w", seq, err)
	}
	sum := crc32.Checksum(data, castagnoli)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, s.metaKey(seq), "chunks", n, "len", len(data), "crc", sum)
		p.ZAdd(ctx, s.prefix, redis.Z{Score: float64(seq), Member: strconv.FormatUint(seq, 10)})
		return nil
	})
	if err != nil {
		return fmt.Errorf("redisstore: snapshot %d index: %w", seq, err)
	}
	return nil
}

// List returns the sequence numbers of the stored snapshots, oldest first.
func (s *Snapshots) List(ctx context.Context) ([]uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	members, err := s.rdb.ZRange(ctx, s.prefix, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: snapshots: %w", err)
	}
	seqs := make([]uint64, 0, len(members))
	for _, m := range members {
		seq, err := strconv.ParseUint(m, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: index member %q", ErrBadSnapshot, m)
		}
		seqs = append(seqs, seq)
	}
	return seqs, nil
}

// Load returns the snapshot taken at seq, checked against its checksum.
func (s *Snapshots) Load(ctx context.Context, seq uint64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	meta, err := s.rdb.HGetAll(ctx, s.metaKey(seq)).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: snapshot %d: %w", seq, err)
	}
	n, errN := strconv.Atoi(meta["chunks"])
	length, errL := strconv.Atoi(meta["len"])
	sum, errC := strconv.ParseUint(meta["crc"], 10, 32)
	if errN != nil || errL != nil || errC != nil || n <= 0 {
		return nil, fmt.Errorf("%w: %d has no valid index entry", ErrBadSnapshot, seq)
	}
	keys := make([]string, n)
	for i := range keys {
		keys[i] = s.chunkKey(seq, i)
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: snapshot %d chunks: %w", seq, err)
	}
	data := make([]byte, 0, length)
	for i, v := range vals {
		chunk, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%w: %d is missing chunk %d", ErrBadSnapshot, seq, i)
		}
		data = append(data, chunk...)
	}
	if len(data) != length || crc32.Checksum(data, castagnoli) != uint32(sum) {
		return nil, fmt.Errorf("%w: %d fails its checksum", ErrBadSnapshot, seq)
	}
	return data, nil
}

// Delete removes the snapshot taken at seq: its index entry first, so that
// it stops existing before its chunks go.
func (s *Snapshots) Delete(ctx context.Context, seq uint64) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	n, _ := strconv.Atoi(s.rdb.HGet(ctx, s.metaKey(seq), "chunks").Val())
	if err := s.rdb.ZRem(ctx, s.prefix, strconv.FormatUint(seq, 10)).Err(); err != nil {
		return fmt.Errorf("redisstore: snapshot %d: %w", seq, err)
	}
	keys := []string{s.metaKey(seq)}
	for i := range n {
		keys = append(keys, s.chunkKey(seq, i))
	}
	if err := s.rdb.Del(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("redisstore: snapshot %d: %w", seq, err)
	}
	return nil
}
