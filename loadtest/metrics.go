package loadtest

import (
	"errors"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/lpx-exchange/lpx/api/client"
)

// The operations measured.
const (
	OpRESTPlace  = "rest.order.place"
	OpRESTCancel = "rest.order.cancel"
	OpRESTSwap   = "rest.swap"
	OpWSPlace    = "ws.order.place"
	OpWSAmend    = "ws.order.amend"
	OpWSCancel   = "ws.order.cancel"
	OpMDDelivery = "md.book.delivery"
)

// operations in the order the table lists them.
var operations = []string{OpRESTPlace, OpRESTCancel, OpRESTSwap, OpWSPlace, OpWSAmend, OpWSCancel, OpMDDelivery}

// Latencies are recorded in microseconds, from 1 µs to 10 minutes, to 3
// significant digits.
const (
	histLowest  = 1
	histHighest = int64(10 * time.Minute / time.Microsecond)
	histDigits  = 3
)

func newHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(histLowest, histHighest, histDigits)
}

// recordLatency adds d to h, clamped to the histogram's range.
func recordLatency(h *hdrhistogram.Histogram, d time.Duration) {
	us := min(max(d.Microseconds(), histLowest), histHighest)
	_ = h.RecordValue(us)
}

// outcome is what became of one request.
type outcome int

const (
	outcomeOK         outcome = iota
	outcomeGone               // an expected refusal: the order had left the book (filled) before the amend or cancel
	outcomeError              // an error answer, counted by code
	outcomeUnanswered         // no answer: a timeout or a dropped connection
)

// opStats is one operation's counters and histograms.
type opStats struct {
	mu                                     sync.Mutex
	total                                  *hdrhistogram.Histogram // every answered success of the run
	interval                               *hdrhistogram.Histogram // those of the current second
	ok, gone, errs, unanswered             int64
	intervalOK, intervalErrs, intervalGone int64
	codes                                  map[string]int64
}

// recorder holds the measures of a run.
type recorder struct {
	start time.Time // when the load began
	ops   map[string]*opStats
	// placements counts order placements attempted (REST and WebSocket).
	placements atomic.Int64
	// mdMessages counts book pushes the subscribers applied.
	mdMessages atomic.Int64

	mu       sync.Mutex
	timeline []TimelinePoint
}

func newRecorder() *recorder {
	r := &recorder{ops: map[string]*opStats{}}
	for _, op := range operations {
		r.ops[op] = &opStats{total: newHistogram(), interval: newHistogram(), codes: map[string]int64{}}
	}
	return r
}

// classify says what err means for a request; gone lists the codes that
// mean the order had left the book already.
func classify(err error, gone ...string) (outcome, string) {
	if err == nil {
		return outcomeOK, ""
	}
	if noAnswer(err) {
		return outcomeUnanswered, ""
	}
	code, _ := errorCode(err)
	for _, g := range gone {
		if code == g {
			return outcomeGone, code
		}
	}
	return outcomeError, code
}

// noAnswer reports whether a request failed without the server's answer
// to it: a timeout or a dropped connection; an error answer a gateway
// made up (a 5xx without the API's error body, which the client names
// http_5xx); or "replayed", which is the server's answer to a repeat of
// the same signed request (Go's HTTP client repeats a request with an
// Idempotency-Key by itself when its connection drops), not to the
// request itself.
func noAnswer(err error) bool {
	var ae *client.Error
	if !errors.As(err, &ae) {
		return err != nil
	}
	return strings.HasPrefix(ae.Code, "http_5") || ae.Code == "replayed"
}

// mayHaveApplied reports whether a failed request may still have taken
// effect: it had no answer, or the server answered an internal error.
// Any other error answer changed nothing.
func mayHaveApplied(err error) bool {
	if err == nil {
		return false
	}
	code, _ := errorCode(err)
	return noAnswer(err) || code == "internal"
}

// done records a request of op that began at began and ended with err.
func (r *recorder) done(op string, began time.Time, err error, gone ...string) outcome {
	took := time.Since(began)
	o, code := classify(err, gone...)
	s := r.ops[op]
	s.mu.Lock()
	defer s.mu.Unlock()
	switch o {
	case outcomeOK, outcomeGone:
		recordLatency(s.total, took)
		recordLatency(s.interval, took)
		if o == outcomeOK {
			s.ok++
			s.intervalOK++
		} else {
			s.gone++
			s.intervalGone++
		}
	case outcomeError:
		s.errs++
		s.intervalErrs++
		s.codes[code]++
	case outcomeUnanswered:
		s.unanswered++
		s.intervalErrs++
	}
	return o
}

// TimelinePoint is one operation's second: requests answered, errors, and
// latency percentiles in milliseconds.
type TimelinePoint struct {
	Second    int     `json:"second"`
	Operation string  `json:"operation"`
	Count     int64   `json:"count"`
	Errors    int64   `json:"errors"`
	P50       float64 `json:"p50_ms"`
	P99       float64 `json:"p99_ms"`
	Max       float64 `json:"max_ms"`
}

// Progress is one second of the load, as the progress line prints it.
type Progress struct {
	Elapsed      time.Duration
	Orders       int64   // orders answered (placed or refused) this second
	Operations   int64   // requests answered this second
	Errors       int64   // error answers and unanswered requests this second
	TotalErrors  int64   // error answers and unanswered requests so far
	Unanswered   int64   // so far
	P50, P99     float64 // of order placements this second, ms
	BookMessages int64   // book pushes the subscribers applied this second
}

// tick closes the current second: each operation's interval goes to the
// timeline and is reset. It returns the second's progress.
func (r *recorder) tick(second int, mdBefore int64) Progress {
	p := Progress{Elapsed: time.Duration(second) * time.Second, BookMessages: r.mdMessages.Load() - mdBefore}
	orders := newHistogram()
	var points []TimelinePoint
	for _, op := range operations {
		s := r.ops[op]
		s.mu.Lock()
		n := s.intervalOK + s.intervalGone
		if n > 0 || s.intervalErrs > 0 {
			points = append(points, TimelinePoint{
				Second: second, Operation: op, Count: n, Errors: s.intervalErrs,
				P50: millis(s.interval.ValueAtQuantile(50)), P99: millis(s.interval.ValueAtQuantile(99)), Max: millis(s.interval.Max()),
			})
		}
		p.Operations += n + s.intervalErrs
		if op == OpRESTPlace || op == OpWSPlace {
			p.Orders += n + s.intervalErrs
			orders.Merge(s.interval)
		}
		p.Errors += s.intervalErrs
		p.TotalErrors += s.errs + s.unanswered
		p.Unanswered += s.unanswered
		s.interval.Reset()
		s.intervalOK, s.intervalErrs, s.intervalGone = 0, 0, 0
		s.mu.Unlock()
	}
	p.P50, p.P99 = millis(orders.ValueAtQuantile(50)), millis(orders.ValueAtQuantile(99))
	r.mu.Lock()
	r.timeline = append(r.timeline, points...)
	r.mu.Unlock()
	return p
}

// addDelivery records the market-data deliveries measured after the load:
// the whole histogram and one per second.
func (r *recorder) addDelivery(total *hdrhistogram.Histogram, perSecond map[int]*hdrhistogram.Histogram, missing int64) {
	s := r.ops[OpMDDelivery]
	s.mu.Lock()
	s.total.Merge(total)
	s.ok += total.TotalCount()
	s.unanswered += missing
	s.mu.Unlock()
	seconds := make([]int, 0, len(perSecond))
	for sec := range perSecond {
		seconds = append(seconds, sec)
	}
	sort.Ints(seconds)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, sec := range seconds {
		h := perSecond[sec]
		r.timeline = append(r.timeline, TimelinePoint{
			Second: sec, Operation: OpMDDelivery, Count: h.TotalCount(),
			P50: millis(h.ValueAtQuantile(50)), P99: millis(h.ValueAtQuantile(99)), Max: millis(h.Max()),
		})
	}
}

// millis is microseconds as milliseconds, for the report.
func millis(us int64) float64 { return float64(us) / 1000 }
