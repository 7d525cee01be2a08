package loadtest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lpx-exchange/lpx/api/client"
)

// The requests and answers of the API the run uses (api/openapi.yaml).

// orderRequest is the body of POST /v1/orders and of order.place.
type orderRequest struct {
	Market        string `json:"market"`
	Side          string `json:"side"`
	Type          string `json:"type"`
	Price         string `json:"price"`
	Size          string `json:"size"`
	TimeInForce   string `json:"time_in_force,omitempty"`
	ClientOrderID string `json:"client_order_id"`
}

// placedAnswer is the answer to a placement.
type placedAnswer struct {
	ID        string `json:"id"`
	Status    string `json:"status"` // open, filled, canceled, expired
	Filled    string `json:"filled"`
	Remaining string `json:"remaining"`
	Fills     []fill `json:"fills"`
}

// amendedAnswer is the answer to an amendment.
type amendedAnswer struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Price  string `json:"price"`
	Filled string `json:"filled"`
	Fills  []fill `json:"fills"`
}

// canceledAnswer is a cancelled order in the answer to a cancel or a
// cancel-all.
type canceledAnswer struct {
	ID        string `json:"id"`
	Market    string `json:"market"`
	Remaining string `json:"remaining"`
}

// canceledAllAnswer is the answer to a cancel-all.
type canceledAllAnswer struct {
	Canceled []canceledAnswer `json:"canceled"`
}

// swapRequest is the body of POST /v1/swaps.
type swapRequest struct {
	From       string `json:"from"`
	To         string `json:"to"`
	Amount     string `json:"amount"`
	MinReceive string `json:"min_receive"`
}

// swapLeg is a market a swap crossed.
type swapLeg struct {
	Market string `json:"market"`
	Side   string `json:"side"`
	In     string `json:"in"`
	Out    string `json:"out"`
	Fee    string `json:"fee"`
}

// swapAnswer is the answer to a swap.
type swapAnswer struct {
	Spent    string    `json:"spent"`
	Received string    `json:"received"`
	Legs     []swapLeg `json:"legs"`
}

// orderRow is an order of GET /v1/orders.
type orderRow struct {
	ID            string `json:"id"`
	ClientOrderID string `json:"client_order_id"`
	Market        string `json:"market"`
	Side          string `json:"side"`
	Status        string `json:"status"`
	Size          string `json:"size"`
	Filled        string `json:"filled"`
}

// balanceRow is an asset of GET /v1/balances.
type balanceRow struct {
	Asset     string `json:"asset"`
	Available string `json:"available"`
	Held      string `json:"held"`
}

// liabilityRow is an asset of GET /v1/brand/liabilities.
type liabilityRow struct {
	Asset           string `json:"asset"`
	Issued          string `json:"issued"`
	HeldByCustomers string `json:"held_by_customers"`
	HeldByBrand     string `json:"held_by_brand"`
}

func errUnknownMarket(symbol string) error {
	return fmt.Errorf("an answer names market %q, which is not one of the run's", symbol)
}

// errRetry is what a call returns to be tried again (withRetries).
var errRetry = errors.New("loadtest: the server asks to try again")

// errorCode is the API code of an error answer.
func errorCode(err error) (string, bool) {
	var ae *client.Error
	if errors.As(err, &ae) {
		return ae.Code, true
	}
	return "", false
}

// retryable reports whether an error means "nothing was done, try again
// later", and after how long the server asks.
func retryable(err error) (bool, time.Duration) {
	var ae *client.Error
	if errors.As(err, &ae) && (ae.Code == "rate_limited" || ae.Code == "unavailable") {
		return true, ae.RetryAfter
	}
	return errors.Is(err, errRetry), 0
}

// withRetries runs call until it succeeds or fails for good: rate_limited
// and unavailable answers are retried after their Retry-After (or a
// growing pause), and so are requests without an answer when the call is
// safe to repeat (a read, or a write made idempotent by a reference).
// Each attempt has timeout.
func withRetries(ctx context.Context, timeout time.Duration, repeatable bool, call func(context.Context) error) error {
	pause := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, timeout)
		err := call(actx)
		cancel()
		if err == nil {
			return nil
		}
		again, after := retryable(err)
		if !again && !(repeatable && noAnswer(err)) || attempt == 10 || ctx.Err() != nil {
			return err
		}
		wait := max(after, pause)
		pause = min(2*pause, 5*time.Second)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}
