package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/lpx-exchange/lpx/marketdata"
)

// ErrResync: the book missed an update or its checksum did not match; the
// caller resubscribes (WS.Resubscribe) and the next snapshot starts it
// afresh.
var ErrResync = errors.New("lpx: the local book must be resynchronised")

// Book is a local copy of one market's order book, kept from the pushes of
// its book.<market> channel: a snapshot, then updates whose prev_seq must
// be the book's seq and whose checksum (of the top 10 levels of each
// side) must match the book after them. Scales are the market's price
// scale and its base asset's scale (GET /v1/markets).
type Book struct {
	Scales  marketdata.Scales
	local   *marketdata.LocalBook
	Resyncs int // how many times the book was found wrong and dropped
}

type bookPush struct {
	Seq      uint64      `json:"seq"`
	PrevSeq  *uint64     `json:"prev_seq"`
	Bids     [][2]string `json:"bids"`
	Asks     [][2]string `json:"asks"`
	Checksum uint32      `json:"checksum"`
}

// Apply takes one push of the book channel. A snapshot (no prev_seq)
// replaces the book; an update is applied. On a gap or a checksum
// mismatch the book is dropped and ErrResync returned; updates are then
// ignored until the next snapshot.
func (b *Book) Apply(p Push) error {
	var bp bookPush
	if err := json.Unmarshal(p.Data, &bp); err != nil {
		return fmt.Errorf("lpx: book push: %w", err)
	}
	bids, err := b.levels(bp.Bids)
	if err != nil {
		return err
	}
	asks, err := b.levels(bp.Asks)
	if err != nil {
		return err
	}
	if bp.PrevSeq == nil {
		lb, err := marketdata.NewLocalBook(marketdata.BookSnapshot{Seq: bp.Seq, Bids: bids, Asks: asks, Checksum: bp.Checksum}, b.Scales)
		if err != nil {
			b.drop()
			return fmt.Errorf("%w: %v", ErrResync, err)
		}
		b.local = lb
		return nil
	}
	if b.local == nil {
		return nil // waiting for a snapshot
	}
	err = b.local.Apply(&marketdata.BookUpdate{Market: b.local.Market(), Seq: bp.Seq, PrevSeq: *bp.PrevSeq, Bids: bids, Asks: asks, Checksum: bp.Checksum})
	if err != nil {
		b.drop()
		return fmt.Errorf("%w: %v", ErrResync, err)
	}
	return nil
}

func (b *Book) drop() {
	b.local = nil
	b.Resyncs++
}

// Ready reports whether the book holds a verified state.
func (b *Book) Ready() bool { return b.local != nil }

// Seq is the sequence number the book reflects (0 before a snapshot).
func (b *Book) Seq() uint64 {
	if b.local == nil {
		return 0
	}
	return b.local.Seq()
}

// Depth returns up to n levels of each side (all for n <= 0).
func (b *Book) Depth(n int) marketdata.Depth {
	if b.local == nil {
		return marketdata.Depth{}
	}
	return b.local.Depth(n)
}

func (b *Book) levels(pairs [][2]string) ([]marketdata.Level, error) {
	out := make([]marketdata.Level, len(pairs))
	for i, p := range pairs {
		price, err := ParseUnits(p[0], b.Scales.Price)
		if err != nil {
			return nil, err
		}
		size, err := ParseUnits(p[1], b.Scales.Size)
		if err != nil {
			return nil, err
		}
		out[i] = marketdata.Level{Price: price, Size: size}
	}
	return out, nil
}

// ParseUnits reads a decimal string of the API ("12.50") as integer units
// of 10^-scale (1250 at scale 2), exactly.
func ParseUnits(s string, scale uint8) (int64, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > int(scale) || strings.ContainsAny(whole+frac, "+-") {
		return 0, fmt.Errorf("lpx: %q is not a decimal with at most %d decimals", s, scale)
	}
	digits := whole + frac + strings.Repeat("0", int(scale)-len(frac))
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("lpx: %q: %w", s, err)
	}
	return n, nil
}

// Resubscribe unsubscribes from channel and subscribes again: a book
// channel then starts with a fresh snapshot.
func (w *WS) Resubscribe(ctx context.Context, channel string) error {
	if err := w.Call(ctx, "unsubscribe", map[string]any{"channels": []string{channel}}, nil); err != nil {
		return err
	}
	return w.Call(ctx, "subscribe", map[string]any{"channels": []string{channel}}, nil)
}

// Follow applies a push of the book channel like Apply and, when the book
// must be resynchronised, resubscribes to the push's channel at once: the
// fresh snapshot then comes on w's pushes. It returns only errors it could
// not resolve (a malformed push, a failed resubscription).
func (b *Book) Follow(ctx context.Context, w *WS, p Push) error {
	err := b.Apply(p)
	if errors.Is(err, ErrResync) {
		return w.Resubscribe(ctx, p.Channel)
	}
	return err
}
