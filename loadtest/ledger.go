package loadtest

import (
	"sync"

	"github.com/lpx-exchange/lpx/api/client"
)

// Account kinds, as POST /v1/admin/accounts names them.
const (
	kindConsumer = "consumer"
	kindMaker    = "market_maker"
	kindBrand    = "brand"
)

// account is one account of the run and everything its client saw: the
// loss check compares this with the server.
type account struct {
	Name   string
	ID     string
	Kind   string
	Client *client.Client
	// Issued is what was credited to it, by asset symbol, in units.
	Issued map[string]int64

	mu     sync.Mutex
	orders map[string]*orderSeen // acknowledged, by order id
	// maybe are placements that may have applied without an answer, by
	// client order id: the check looks them up on the server.
	maybe map[string]*orderSeen
	// answerFills are the taker fills the answers to placements and
	// amendments carried.
	answerFills []fill
	// streamFills are the pushes of the private fills channel (makers).
	streamFills []fill
	// streamed: the fills channel ran for the whole run, so streamFills
	// are every fill of the account.
	streamed bool
	// swapLegs sums the legs of the swaps answered, by market and side.
	swapLegs map[legKey]*legSum
	// unsureSwaps had no answer; the settling repeats them with their
	// Idempotency-Key to learn what they did.
	unsureSwaps []pendingSwap
	// swapsUnknown: a swap's outcome stayed unknown, so the swap legs
	// cannot be checked.
	swapsUnknown bool
}

func newAccount(name, id, kind string, c *client.Client) *account {
	return &account{
		Name: name, ID: id, Kind: kind, Client: c, Issued: map[string]int64{},
		orders: map[string]*orderSeen{}, maybe: map[string]*orderSeen{}, swapLegs: map[legKey]*legSum{},
	}
}

// orderSeen is an order as its client knows it.
type orderSeen struct {
	ID, ClientID, Market, Side string
	Price, Size                int64 // price units, base units
	// Open: resting, as far as the client knows.
	Open bool
	// Filled is the base filled, final once Known (the order left the
	// book and an answer said how much was left).
	Filled int64
	Known  bool
	// Uncertain: a request about it went unanswered, so the client cannot
	// know its fills: the check takes it as the server has it.
	Uncertain bool
}

// fill is one fill as the API writes it (fee_asset and time left out).
type fill struct {
	Market      string `json:"market"`
	OrderID     string `json:"order_id"`
	Side        string `json:"side"`
	Liquidity   string `json:"liquidity"`
	Price       string `json:"price"`
	Size        string `json:"size"`
	QuoteAmount string `json:"quote_amount"`
	Fee         string `json:"fee"`
}

// legKey and legSum add up swap legs, or fills without an order (a swap's
// trades), per market and side.
type legKey struct{ Market, Side string }

type legSum struct{ Base, Quote, Fee int64 }

// pendingSwap is a swap without an answer.
type pendingSwap struct {
	Key  string // its Idempotency-Key
	Body swapRequest
}

// placed records an acknowledged placement.
func (a *account) placed(o *orderSeen, fills []fill) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.orders[o.ID] = o
	a.answerFills = append(a.answerFills, fills...)
}

// mayHavePlaced records a placement without an answer.
func (a *account) mayHavePlaced(o *orderSeen) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.maybe[o.ClientID] = o
}

// amended records an amendment's answer: the order's new price, and what
// it traded if the new price crossed.
func (a *account) amended(id string, price int64, stillOpen bool, filled int64, fills []fill) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.answerFills = append(a.answerFills, fills...)
	if o := a.orders[id]; o != nil {
		o.Price = price
		if !stillOpen {
			o.Open, o.Filled, o.Known = false, filled, true
		}
	}
}

// canceled records that an order left the book with remaining base
// unfilled (a cancel's answer).
func (a *account) canceled(id string, remaining int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if o := a.orders[id]; o != nil {
		o.Open, o.Filled, o.Known = false, o.Size-remaining, true
	}
}

// gone records that an order had left the book before a cancel or amend
// reached it: only a fill takes it away, so it filled completely.
func (a *account) gone(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if o := a.orders[id]; o != nil {
		o.Open, o.Filled, o.Known = false, o.Size, true
	}
}

// unsure records that a request about an order went unanswered.
func (a *account) unsure(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if o := a.orders[id]; o != nil {
		o.Uncertain = true
	}
}

// openOrders lists the orders the client believes rest.
func (a *account) openOrders() []*orderSeen {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []*orderSeen
	for _, o := range a.orders {
		if o.Open {
			out = append(out, o)
		}
	}
	return out
}

// streamedFill records a push of the fills channel.
func (a *account) streamedFill(f fill) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.streamFills = append(a.streamFills, f)
}

// streamEnded marks the fills channel incomplete (the connection ended
// before the run did).
func (a *account) streamEnded() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.streamed = false
}

// swapped records a swap's answer.
func (a *account) swapped(legs []swapLeg, markets map[string]*market) error {
	sums := map[legKey]legSum{}
	for _, l := range legs {
		m := markets[l.Market]
		if m == nil {
			return errUnknownMarket(l.Market)
		}
		base, quote := m.Base.Scale, m.Quote.Scale
		inScale, outScale := base, quote
		if l.Side == "buy" {
			inScale, outScale = quote, base
		}
		in, err := parseField("in", l.In, inScale)
		if err != nil {
			return err
		}
		out, err := parseField("out", l.Out, outScale)
		if err != nil {
			return err
		}
		fee, err := parseField("fee", l.Fee, quote)
		if err != nil {
			return err
		}
		k := legKey{l.Market, l.Side}
		s := sums[k]
		// A sell leg gives base and gets quote less the fee; a buy leg
		// gives quote and the fee and gets base.
		if l.Side == "sell" {
			s.Base, s.Quote = s.Base+in, s.Quote+out+fee
		} else {
			s.Base, s.Quote = s.Base+out, s.Quote+in-fee
		}
		s.Fee += fee
		sums[k] = s
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, s := range sums {
		t := a.swapLegs[k]
		if t == nil {
			t = &legSum{}
			a.swapLegs[k] = t
		}
		t.Base, t.Quote, t.Fee = t.Base+s.Base, t.Quote+s.Quote, t.Fee+s.Fee
	}
	return nil
}

// swapUnanswered records a swap without an answer.
func (a *account) swapUnanswered(p pendingSwap) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.unsureSwaps = append(a.unsureSwaps, p)
}
