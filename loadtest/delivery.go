package loadtest

import (
	"slices"
	"sort"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// The delivery latency of market data: for each change a maker made to a
// book (a quote placed, moved or cancelled, its seq known from the
// maker's orders channel) and each subscriber of that book, the time from
// the change's answer at the maker to the subscriber's first book push at
// that seq or later. It includes the server's conflation interval (a
// change waits for the end of its interval) unless the books are
// unconflated. A subscriber that never got a push that far counts the
// change as missing.

// deliverySample bounds the book changes measured (evenly spread over the
// run): each is measured at every subscriber of its book.
const deliverySample = 5000

// bookChange is a change of a book with its seq.
type bookChange struct {
	seq      uint64
	answered time.Duration
}

// bookChanges are the makers' changes whose seq is known, by market,
// ordered by seq.
func (r *run) bookChanges() map[*market][]bookChange {
	out := map[*market][]bookChange{}
	for _, m := range r.makerConns {
		m.mu.Lock()
		for _, op := range m.bookOps {
			if seq, ok := m.seqs[op.key]; ok {
				out[op.market] = append(out[op.market], bookChange{seq: seq, answered: op.answered})
			}
		}
		m.mu.Unlock()
	}
	for mk, list := range out {
		slices.SortFunc(list, func(a, b bookChange) int { return compareUint(a.seq, b.seq) })
		out[mk] = list
	}
	return out
}

func compareUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sampleChanges keeps at most n changes in all, evenly spread.
func sampleChanges(changes map[*market][]bookChange, n int) map[*market][]bookChange {
	total := 0
	for _, l := range changes {
		total += len(l)
	}
	if total <= n {
		return changes
	}
	out := map[*market][]bookChange{}
	for mk, l := range changes {
		keep := max(1, len(l)*n/total)
		step := float64(len(l)) / float64(keep)
		for i := range keep {
			out[mk] = append(out[mk], l[int(float64(i)*step)])
		}
	}
	return out
}

// MarketDataStats are the subscribers' figures.
type MarketDataStats struct {
	Subscribers int  `json:"subscribers"`
	Unconflated bool `json:"unconflated"`
	// BookMessages are the book pushes applied in all; per second over
	// the load.
	BookMessages          int64   `json:"book_messages"`
	BookMessagesPerSecond float64 `json:"book_messages_per_second"`
	Resyncs               int     `json:"resyncs"`     // gaps or checksum mismatches, each followed by a fresh snapshot
	PushErrors            int     `json:"push_errors"` // pushes that could not be read
	Disconnects           int     `json:"disconnects"` // connections that ended during the run
	// ChangesMeasured are the book changes measured, each at every
	// subscriber of its book (Delivery); Missing the (subscriber, change)
	// pairs that never arrived.
	ChangesMeasured int          `json:"changes_measured"`
	Missing         int64        `json:"missing"`
	Delivery        LatencyStats `json:"delivery_ms"`
}

// measureDelivery computes the delivery latency and the subscribers'
// figures once the load has stopped and the subscribers caught up.
func (r *run) measureDelivery() {
	if len(r.subs) == 0 {
		return
	}
	changes := sampleChanges(r.bookChanges(), deliverySample)
	total := newHistogram()
	perSecond := map[int]*hdrhistogram.Histogram{}
	var missing int64
	st := &MarketDataStats{Subscribers: len(r.subs), Unconflated: r.cfg.Unconflated}
	for _, l := range changes {
		st.ChangesMeasured += len(l)
	}
	for _, s := range r.subs {
		<-s.done // closed by the settling
		st.Resyncs += s.book.Resyncs
		s.mu.Lock()
		arr := s.arrivals
		st.PushErrors += s.errs
		if s.ended != nil {
			st.Disconnects++
		}
		s.mu.Unlock()
		st.BookMessages += int64(len(arr))
		if len(arr) == 0 {
			missing += int64(len(changes[s.market]))
			continue
		}
		first := arr[0].seq
		for _, c := range changes[s.market] {
			if c.seq <= first {
				continue // it was in the subscriber's first snapshot
			}
			i := sort.Search(len(arr), func(j int) bool { return arr[j].seq >= c.seq })
			if i == len(arr) {
				missing++
				continue
			}
			d := max(arr[i].at-c.answered, 0)
			recordLatency(total, d)
			sec := int((c.answered-r.began)/time.Second) + 1
			h := perSecond[sec]
			if h == nil {
				h = newHistogram()
				perSecond[sec] = h
			}
			recordLatency(h, d)
		}
	}
	if load := (r.ended - r.began).Seconds(); load > 0 {
		st.BookMessagesPerSecond = float64(r.rec.mdMessages.Load()) / load
	}
	st.Missing = missing
	st.Delivery = latencyStats(total)
	r.md = st
	r.rec.addDelivery(total, perSecond, missing)
}

// lastBookSeqs is, per market, the seq of the makers' last change measured:
// the subscribers must get that far before the run ends.
func (r *run) lastBookSeqs() map[*market]uint64 {
	out := map[*market]uint64{}
	for mk, l := range r.bookChanges() {
		if len(l) > 0 {
			out[mk] = l[len(l)-1].seq
		}
	}
	return out
}
