package loadtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

// A consumer is one REST client of a consumer account (HMAC key), one
// request at a time. Of its turns, half place a resting order beyond the
// makers' band (cancelling its oldest beyond maxResting), three in ten
// take liquidity with an IOC order at the far end of the band, and two in
// ten swap a few lots' worth at a price bounded by min_receive.
type consumer struct {
	r     *run
	acct  *account
	index int
	pace  *pacer
	n     int          // client order ids and idempotency keys
	open  []*orderSeen // its resting orders, oldest first
}

// maxResting is how many resting orders a consumer keeps.
const maxResting = 4

// run takes turns until ctx ends.
func (c *consumer) run(ctx context.Context) {
	rng := rand.New(rand.NewPCG(c.r.cfg.Seed, 1<<40|uint64(c.index)))
	for c.pace.wait(ctx) {
		mk := c.r.markets[rng.IntN(len(c.r.markets))]
		switch x := rng.IntN(10); {
		case x < 5:
			c.rest(ctx, mk, rng)
		case x < 8:
			c.take(mk, rng)
		default:
			c.swap(mk, rng)
		}
	}
}

func (c *consumer) next() int { c.n++; return c.n }

func (c *consumer) cid() string { return fmt.Sprintf("lt%s-c%d-%d", c.r.id, c.index, c.next()) }

// rest places an order 1 to 20 ticks beyond the makers' band, and cancels
// the oldest resting one beyond maxResting.
func (c *consumer) rest(ctx context.Context, mk *market, rng *rand.Rand) {
	side, k := "buy", -(c.r.cfg.Levels + 1 + rng.IntN(20))
	if rng.IntN(2) == 1 {
		side, k = "sell", -k
	}
	o, _ := c.r.placeOrder(c.acct, OpRESTPlace, restPlacer(c.acct), mk, side, mk.priceAt(k), 1+rng.IntN(5), "gtc", c.cid())
	if o != nil && o.Open {
		c.open = append(c.open, o)
	}
	if len(c.open) > maxResting && c.pace.wait(ctx) {
		c.cancel(c.open[0])
		c.open = c.open[1:]
	}
}

// cancel takes one of its orders off the book.
func (c *consumer) cancel(o *orderSeen) {
	ctx, cancel := c.r.call()
	defer cancel()
	began := time.Now()
	var ans canceledAnswer
	err := c.acct.Client.Do(ctx, "DELETE", "/v1/orders/"+o.ID, nil, &ans)
	c.r.noteCancel(c.acct, OpRESTCancel, began, err, o, ans)
}

// take crosses into the makers' band with an IOC order.
func (c *consumer) take(mk *market, rng *rand.Rand) {
	side, k := "buy", c.r.cfg.Levels
	if rng.IntN(2) == 1 {
		side, k = "sell", -k
	}
	c.r.placeOrder(c.acct, OpRESTPlace, restPlacer(c.acct), mk, side, mk.priceAt(k), 1+rng.IntN(3), "ioc", c.cid())
}

// swap sells 1 to 3 lots of the base for the quote, or spends their worth
// of quote on the base, no worse on average than twice the makers' band
// away from the mid (into the consumers' resting orders when the makers'
// quotes run short).
func (c *consumer) swap(mk *market, rng *rand.Rand) {
	lots := int64(1 + rng.IntN(3))
	worst := 2*c.r.cfg.Levels + 1
	body := swapRequest{From: mk.Base.Symbol, To: mk.Quote.Symbol}
	if rng.IntN(2) == 0 {
		size := lots * mk.Lot
		body.Amount = formatUnits(size, mk.Base.Scale)
		body.MinReceive = formatUnits(mk.notional(mk.priceAt(-worst), size), mk.Quote.Scale)
	} else {
		spend := mk.notional(mk.priceAt(worst), lots*mk.Lot)
		body.From, body.To = mk.Quote.Symbol, mk.Base.Symbol
		body.Amount = formatUnits(spend, mk.Quote.Scale)
		body.MinReceive = formatUnits(mk.baseFor(spend, mk.priceAt(worst)), mk.Base.Scale)
	}
	key := fmt.Sprintf("lt%s-c%d-swap-%d", c.r.id, c.index, c.next())
	ctx, cancel := c.r.call()
	defer cancel()
	began := time.Now()
	var ans swapAnswer
	err := c.acct.Client.DoWith(ctx, "POST", "/v1/swaps", http.Header{"Idempotency-Key": []string{key}}, body, &ans)
	switch c.r.rec.done(OpRESTSwap, began, err) {
	case outcomeOK:
		if err := c.acct.swapped(ans.Legs, c.r.bySymbol); err != nil {
			c.acct.swapUnanswered(pendingSwap{Key: key, Body: body}) // unreadable: ask again when settling
		}
	default:
		if mayHaveApplied(err) {
			c.acct.swapUnanswered(pendingSwap{Key: key, Body: body})
		}
	}
}
