package redisstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Journal errors. Compare with errors.Is.
var (
	ErrSequenceGap    = errors.New("redisstore: journal sequence gap")
	ErrDuplicateBatch = errors.New("redisstore: journal batch duplicated")
	ErrCorrupt        = errors.New("redisstore: journal entry corrupt")
)

// batch is one journal entry: the encoded commands numbered first to last.
type batch struct {
	first, last uint64
	data        []byte
}

// Journal is a command journal in one Redis stream. It is not safe for
// concurrent use (it caches the tip for its writer); a reader in another
// goroutine uses a Journal of its own on the same key.
type Journal struct {
	rdb     *redis.Client
	key     string
	timeout time.Duration // deadline of each call
	tip     uint64        // Last of the newest batch, when known
	tipOK   bool          // tip is known (read from Redis or set by Append)
}

// JournalOptions returns opt adjusted for a journal client: no retries by
// the client itself, and contexts' deadlines honoured.
func JournalOptions(opt *redis.Options) *redis.Options {
	o := *opt
	o.MaxRetries = -1
	o.ContextTimeoutEnabled = true
	return &o
}

// NewJournal returns the journal stored in the stream key, through a client
// made with JournalOptions. timeout bounds every call (a second if 0).
// It panics on a client that retries by itself or ignores deadlines: such
// a client turns a lost reply into a batch stored twice or an answer that
// is wrong.
func NewJournal(rdb *redis.Client, key string, timeout time.Duration) *Journal {
	if o := rdb.Options(); o.MaxRetries > 0 || !o.ContextTimeoutEnabled { // NewClient turns -1 into 0
		panic("redisstore: NewJournal needs a client made with JournalOptions (no retries, deadlines honoured)")
	}
	if timeout <= 0 {
		timeout = time.Second
	}
	return &Journal{rdb: rdb, key: key, timeout: timeout}
}

func entryID(first uint64) string { return strconv.FormatUint(first, 10) + "-0" }

func checksum(first, last uint64, data []byte) uint32 {
	var h [16]byte
	binary.LittleEndian.PutUint64(h[:], first)
	binary.LittleEndian.PutUint64(h[8:], last)
	c := crc32.Update(0, castagnoli, h[:])
	return crc32.Update(c, castagnoli, data)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Append stores b after the tip. It checks b.First against the tip it knows
// (reading it first if needed) and writes nothing on a gap or a duplicate;
// Redis itself refuses an entry id not above the newest. After an error the
// tip is read again on the next call.
func (j *Journal) Append(ctx context.Context, first, last uint64, data []byte) error {
	if last < first || first == 0 {
		return fmt.Errorf("redisstore: batch %d-%d is not a range", first, last)
	}
	if !j.tipOK {
		if _, last, ok, err := j.Tip(ctx); err != nil {
			return err
		} else if ok {
			j.tip = last
		}
	}
	switch {
	// Neither is marked NotStored: the journal holds something the writer
	// did not expect, and only its tip tells what.
	case j.tipOK && first <= j.tip:
		return fmt.Errorf("%w: batch %d-%d at tip %d", ErrDuplicateBatch, first, last, j.tip)
	case j.tipOK && j.tip != 0 && first != j.tip+1:
		return fmt.Errorf("%w: batch %d-%d after tip %d", ErrSequenceGap, first, last, j.tip)
	}
	ctx, cancel := context.WithTimeout(ctx, j.timeout)
	defer cancel()
	err := j.rdb.XAdd(ctx, &redis.XAddArgs{
		Stream: j.key,
		ID:     entryID(first),
		Values: []any{"l", last, "c", checksum(first, last, data), "d", data},
	}).Err()
	if err != nil {
		j.tipOK = false // unknown whether it landed: ask Redis next time
		switch {
		case strings.Contains(err.Error(), "equal or smaller"):
			// Maybe this very batch, stored by an attempt whose reply was
			// lost: not NotStored, so the writer reads the tip.
			return fmt.Errorf("%w: %v", ErrDuplicateBatch, err)
		case isDialError(err): // the command never left this process
			return notStored{fmt.Errorf("redisstore: journal append %d-%d: %w", first, last, err)}
		}
		return fmt.Errorf("redisstore: journal append %d-%d: %w", first, last, err)
	}
	j.tip, j.tipOK = last, true
	return nil
}

// notStored marks an append error after which the batch is certainly not
// in the journal (NotStored reports true), so the caller need not read the
// tip to know.
type notStored struct{ error }

func (e notStored) NotStored() bool { return true }
func (e notStored) Unwrap() error   { return e.error }

// isDialError reports whether err is a failure to connect: the request was
// never sent.
func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// Tip returns the newest batch's range, ok false for an empty journal.
func (j *Journal) Tip(ctx context.Context) (first, last uint64, ok bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, j.timeout)
	defer cancel()
	msgs, err := j.rdb.XRevRangeN(ctx, j.key, "+", "-", 1).Result()
	if err != nil {
		return 0, 0, false, fmt.Errorf("redisstore: journal tip: %w", err)
	}
	j.tip, j.tipOK = 0, true
	if len(msgs) == 0 {
		return 0, 0, false, nil
	}
	b, err := parseEntry(msgs[0])
	if err != nil {
		j.tipOK = false
		return 0, 0, false, err
	}
	j.tip = b.last
	return b.first, b.last, true, nil
}

// readPage is how many entries Read fetches per call.
const readPage = 256

// Read calls fn for every batch whose Last is above after, in order, and
// fails on a corrupt entry, a gap or a duplicate.
func (j *Journal) Read(ctx context.Context, after uint64, fn func(first, last uint64, data []byte) error) error {
	// The batch holding after+1 starts at or before it: begin there.
	start := "-"
	if after > 0 {
		c, cancel := context.WithTimeout(ctx, j.timeout)
		msgs, err := j.rdb.XRevRangeN(c, j.key, entryID(after+1), "-", 1).Result()
		cancel()
		if err != nil {
			return fmt.Errorf("redisstore: journal read: %w", err)
		}
		if len(msgs) > 0 {
			start = msgs[0].ID
		}
	}
	var prev uint64
	havePrev := false
	for {
		c, cancel := context.WithTimeout(ctx, j.timeout)
		msgs, err := j.rdb.XRangeN(c, j.key, start, "+", readPage).Result()
		cancel()
		if err != nil {
			return fmt.Errorf("redisstore: journal read: %w", err)
		}
		for _, m := range msgs {
			b, err := parseEntry(m)
			if err != nil {
				return err
			}
			switch {
			case havePrev && b.first <= prev:
				return fmt.Errorf("%w: batch %d-%d after %d", ErrDuplicateBatch, b.first, b.last, prev)
			case havePrev && b.first != prev+1:
				return fmt.Errorf("%w: batch %d-%d after %d", ErrSequenceGap, b.first, b.last, prev)
			case !havePrev && after > 0 && b.first > after+1: // trimmed, or never there
				return fmt.Errorf("%w: journal resumes at %d, wanted %d", ErrSequenceGap, b.first, after+1)
			}
			prev, havePrev = b.last, true
			if b.last > after {
				if err := fn(b.first, b.last, b.data); err != nil {
					return err
				}
			}
		}
		if len(msgs) < readPage {
			return nil
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
}

// Trim drops every batch whose Last is below before.
func (j *Journal) Trim(ctx context.Context, before uint64) error {
	ctx, cancel := context.WithTimeout(ctx, j.timeout)
	defer cancel()
	msgs, err := j.rdb.XRevRangeN(ctx, j.key, entryID(before), "-", 1).Result()
	if err != nil || len(msgs) == 0 {
		return wrapTrim(err)
	}
	return wrapTrim(j.rdb.XTrimMinID(ctx, j.key, msgs[0].ID).Err())
}

func wrapTrim(err error) error {
	if err != nil {
		return fmt.Errorf("redisstore: journal trim: %w", err)
	}
	return nil
}

// Close does nothing: the client belongs to the caller.
func (j *Journal) Close() error { return nil }

// parseEntry checks and decodes one stream entry.
func parseEntry(m redis.XMessage) (batch, error) {
	ms, seq, ok := strings.Cut(m.ID, "-")
	first, err := strconv.ParseUint(ms, 10, 64)
	if !ok || err != nil || seq != "0" {
		return batch{}, fmt.Errorf("%w: entry id %q", ErrCorrupt, m.ID)
	}
	ls, _ := m.Values["l"].(string)
	cs, _ := m.Values["c"].(string)
	data, okData := m.Values["d"].(string)
	last, errL := strconv.ParseUint(ls, 10, 64)
	sum, errC := strconv.ParseUint(cs, 10, 32)
	if !okData || errL != nil || errC != nil || last < first || len(m.Values) != 3 {
		return batch{}, fmt.Errorf("%w: entry %s fields", ErrCorrupt, m.ID)
	}
	b := batch{first: first, last: last, data: []byte(data)}
	if uint32(sum) != checksum(first, last, b.data) {
		return batch{}, fmt.Errorf("%w: entry %s checksum", ErrCorrupt, m.ID)
	}
	return b, nil
}
