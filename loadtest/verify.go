package loadtest

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// Verification is the loss check: what the clients saw against what the
// server says once the run has settled. Every count but the first few is
// a disagreement; OK means there is none.
type Verification struct {
	Accounts int `json:"accounts"`
	// OrdersAcknowledged are the orders the clients saw placed (and those
	// placed without an answer that the server turned out to have);
	// OrdersOnServer the server's orders of the run's accounts.
	OrdersAcknowledged int `json:"orders_acknowledged"`
	OrdersOnServer     int `json:"orders_on_server"`
	// LostOrders were acknowledged but the server does not know them.
	LostOrders int `json:"lost_orders"`
	// UnexpectedOrders are the server's but no client placed them.
	UnexpectedOrders int `json:"unexpected_orders"`
	// OpenOrders rest on the server after every order was cancelled.
	OpenOrders int `json:"open_orders"`
	// OrderMismatches: the filled size the client knows differs from the
	// server's, or the server's order disagrees with its own fills.
	OrderMismatches int `json:"order_mismatches"`
	// UnansweredPlacements had no answer; UnansweredApplied of them were
	// found on the server. UncertainOrders were the subject of a request
	// without an answer: the client cannot know their fills, so they are
	// taken as the server has them.
	UnansweredPlacements int `json:"unanswered_placements"`
	UnansweredApplied    int `json:"unanswered_applied"`
	UncertainOrders      int `json:"uncertain_orders"`
	// FillsSeen are the fills the clients saw one by one (answers and the
	// makers' fills channel); FillsBySum the server's fills checked by
	// sums instead: the legs of consumers' swaps, and fills of consumers'
	// resting orders (each order's filled size); FillsOnServer the
	// server's fills of the accounts.
	FillsSeen     int `json:"fills_seen"`
	FillsBySum    int `json:"fills_checked_by_sum"`
	FillsOnServer int `json:"fills_on_server"`
	// LostFills were seen by a client but are not on the server;
	// UnexpectedFills are on the server where the client sees every fill
	// (a maker's fills channel, a consumer's own taker fills) but it did
	// not see them.
	LostFills       int `json:"lost_fills"`
	UnexpectedFills int `json:"unexpected_fills"`
	// SwapMismatches: a consumer's swap legs differ from its server fills
	// without an order, per market and side.
	SwapMismatches int `json:"swap_mismatches"`
	// BalanceMismatches: an account's balance is not its issues plus the
	// effects of its fills, or something is still held.
	BalanceMismatches int `json:"balance_mismatches"`
	// ConservationViolations: an asset's issues, the accounts' balances
	// and the brand's liabilities do not all agree.
	ConservationViolations int             `json:"conservation_violations"`
	Conservation           []AssetTotal    `json:"conservation"`
	Disagreements          int             `json:"disagreements"`
	Problems               []string        `json:"problems"`
	OK                     bool            `json:"ok"`
	problems               *problemCounter `json:"-"`
}

// AssetTotal is one asset's conservation: what the run issued, as the
// clients recorded it and as the brand's liabilities say; what the run's
// accounts hold in all, as their balances and as the liabilities say.
type AssetTotal struct {
	Asset          string `json:"asset"`
	Issued         string `json:"issued"`
	IssuedOnServer string `json:"issued_on_server"`
	Held           string `json:"held_by_accounts"`
	HeldOnServer   string `json:"held_on_server"`
	OK             bool   `json:"ok"`
}

// maxProblems is how many problems a verification describes.
const maxProblems = 50

type problemCounter struct {
	list  []string
	count int
}

// problem describes a disagreement (the first maxProblems).
func (v *Verification) problem(format string, args ...any) {
	if v.problems == nil {
		v.problems = &problemCounter{}
	}
	v.problems.count++
	if len(v.problems.list) < maxProblems {
		v.problems.list = append(v.problems.list, fmt.Sprintf(format, args...))
	}
}

// summary is the counts that are not zero, in one line.
func (v *Verification) summary() string {
	var parts []string
	for _, c := range []struct {
		name string
		n    int
	}{
		{"lost_orders", v.LostOrders}, {"unexpected_orders", v.UnexpectedOrders}, {"open_orders", v.OpenOrders},
		{"order_mismatches", v.OrderMismatches}, {"lost_fills", v.LostFills}, {"unexpected_fills", v.UnexpectedFills},
		{"swap_mismatches", v.SwapMismatches}, {"balance_mismatches", v.BalanceMismatches},
		{"conservation_violations", v.ConservationViolations},
	} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", c.name, c.n))
		}
	}
	if len(parts) == 0 && v.Disagreements > 0 {
		parts = append(parts, fmt.Sprintf("%d problems", v.Disagreements))
	}
	if len(v.Problems) > 0 {
		parts = append(parts, "first: "+v.Problems[0])
	}
	return strings.Join(parts, ", ")
}

// serverView is one account as the server has it.
type serverView struct {
	orders   []orderRow
	fills    []fill
	balances map[string][2]int64 // asset → available, held
}

// verifyParallel bounds the accounts read at once.
const verifyParallel = 8

// verify reads every account from the server and checks it against what
// its client saw; settleErr, if the settling failed, is a problem too.
func (r *run) verify(ctx context.Context, settleErr error) Verification {
	v := Verification{Accounts: len(r.traders())}
	if settleErr != nil {
		v.problem("settling: %v", settleErr)
	}
	traders := r.traders()
	views := make([]*serverView, len(traders))
	err := parallel(ctx, len(traders), verifyParallel, func(ctx context.Context, i int) error {
		sv, err := r.readAccount(ctx, traders[i])
		views[i] = sv
		return err
	})
	if err != nil {
		v.problem("reading the accounts from the server: %v", err)
		return v.finish()
	}
	held := map[string]int64{}
	for i, a := range traders {
		r.checkAccount(&v, a, views[i])
		for sym, b := range views[i].balances {
			held[sym] += b[0] + b[1]
		}
	}
	r.checkConservation(ctx, &v, held)
	return v.finish()
}

// finish sets Problems, Disagreements and OK.
func (v Verification) finish() Verification {
	if v.problems != nil {
		v.Problems, v.Disagreements = v.problems.list, v.problems.count
		if extra := v.problems.count - len(v.problems.list); extra > 0 {
			v.Problems = append(v.Problems, fmt.Sprintf("... and %d more", extra))
		}
	}
	if v.Problems == nil {
		v.Problems = []string{}
	}
	v.OK = v.Disagreements == 0
	return v
}

// readAccount reads an account's orders, fills and balances.
func (r *run) readAccount(ctx context.Context, a *account) (*serverView, error) {
	sv := &serverView{balances: map[string][2]int64{}}
	get := func(path string, out any) error {
		return withRetries(ctx, r.cfg.Timeout, true, func(ctx context.Context) error {
			return a.Client.Do(ctx, "GET", path, nil, out)
		})
	}
	for cursor := ""; ; {
		var page struct {
			Orders     []orderRow `json:"orders"`
			NextCursor *string    `json:"next_cursor"`
		}
		if err := get("/v1/orders?status=all&limit=100"+cursorParam(cursor), &page); err != nil {
			return nil, fmt.Errorf("account %s: orders: %w", a.ID, err)
		}
		sv.orders = append(sv.orders, page.Orders...)
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	for cursor := ""; ; {
		var page struct {
			Fills      []fill  `json:"fills"`
			NextCursor *string `json:"next_cursor"`
		}
		if err := get("/v1/fills?limit=100"+cursorParam(cursor), &page); err != nil {
			return nil, fmt.Errorf("account %s: fills: %w", a.ID, err)
		}
		sv.fills = append(sv.fills, page.Fills...)
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	var bal struct {
		Balances []balanceRow `json:"balances"`
	}
	if err := get("/v1/balances", &bal); err != nil {
		return nil, fmt.Errorf("account %s: balances: %w", a.ID, err)
	}
	for _, b := range bal.Balances {
		avail, err1 := parseField("available", b.Available, assetScale)
		held, err2 := parseField("held", b.Held, assetScale)
		if err1 != nil || err2 != nil {
			if r.isRunAsset(b.Asset) {
				return nil, fmt.Errorf("account %s: balance of %s: %v %v", a.ID, b.Asset, err1, err2)
			}
			continue // another asset, at another scale: not the run's
		}
		sv.balances[b.Asset] = [2]int64{avail, held}
	}
	return sv, nil
}

func cursorParam(cursor string) string {
	if cursor == "" {
		return ""
	}
	return "&cursor=" + url.QueryEscape(cursor)
}

func (r *run) isRunAsset(sym string) bool {
	for _, a := range r.assets {
		if a.Symbol == sym {
			return true
		}
	}
	return false
}

// checkAccount compares one account's client view with the server's.
func (r *run) checkAccount(v *Verification, a *account, sv *serverView) {
	a.mu.Lock()
	defer a.mu.Unlock()
	who := fmt.Sprintf("%s %s", a.Kind, a.ID)
	byID := map[string]orderRow{}
	byCID := map[string]orderRow{}
	for _, row := range sv.orders {
		byID[row.ID] = row
		if row.ClientOrderID != "" {
			byCID[row.ClientOrderID] = row
		}
	}
	v.OrdersOnServer += len(sv.orders)

	// Placements without an answer: the server says whether they applied.
	for cid, o := range a.maybe {
		v.UnansweredPlacements++
		if row, ok := byCID[cid]; ok {
			v.UnansweredApplied++
			if a.orders[row.ID] == nil {
				o.ID, o.Uncertain = row.ID, true
				a.orders[row.ID] = o
			}
		}
	}

	// The server's orders against its own fills.
	filledByFills := map[string]int64{}
	for _, f := range sv.fills {
		if f.OrderID == "" {
			continue
		}
		if mk := r.bySymbol[f.Market]; mk != nil {
			size, _ := parseField("size", f.Size, mk.Base.Scale)
			filledByFills[f.OrderID] += size
		}
	}
	serverFilled := map[string]int64{}
	for id, row := range byID {
		mk := r.bySymbol[row.Market]
		if mk == nil {
			v.UnexpectedOrders++
			v.problem("%s: order %s on market %s, not one of the run's", who, id, row.Market)
			continue
		}
		filled, err := parseField("filled", row.Filled, mk.Base.Scale)
		if err != nil {
			v.OrderMismatches++
			v.problem("%s: order %s: %v", who, id, err)
			continue
		}
		serverFilled[id] = filled
		if filled != filledByFills[id] {
			v.OrderMismatches++
			v.problem("%s: the server's order %s says %s filled, its fills add up to %s", who, id,
				formatUnits(filled, mk.Base.Scale), formatUnits(filledByFills[id], mk.Base.Scale))
		}
		if row.Status == "open" {
			v.OpenOrders++
			v.problem("%s: order %s is still open on the server after the run cancelled everything", who, id)
		}
		if a.orders[id] == nil {
			v.UnexpectedOrders++
			v.problem("%s: the server has order %s (client order id %q), which no client placed", who, id, row.ClientOrderID)
		}
	}

	// The clients' orders against the server's.
	uncertain := map[string]bool{}
	for id, o := range a.orders {
		v.OrdersAcknowledged++
		if o.Uncertain {
			v.UncertainOrders++
			uncertain[id] = true
		}
		row, ok := byID[id]
		if !ok {
			v.LostOrders++
			v.problem("%s: order %s (%s %s at %s on %s) was acknowledged but the server does not know it", who, id, o.Side,
				o.sizeString(r), o.priceString(r), o.Market)
			continue
		}
		if row.Market != o.Market || row.Side != o.Side {
			v.OrderMismatches++
			v.problem("%s: order %s is a %s on %s on the server, a %s on %s for its client", who, id, row.Side, row.Market, o.Side, o.Market)
		}
		if filled, ok := serverFilled[id]; ok && o.Known && !o.Uncertain && filled != o.Filled {
			v.OrderMismatches++
			mk := r.bySymbol[o.Market]
			v.problem("%s: order %s filled %s for its client, %s on the server", who, id,
				formatUnits(o.Filled, mk.Base.Scale), formatUnits(filled, mk.Base.Scale))
		}
	}

	// Fills: where the client sees every fill (a maker's fills channel, a
	// consumer's own taker fills in its answers), the server has exactly
	// those; what other answers carried is on the server.
	server := countFills(sv.fills, nil)
	v.FillsOnServer += len(sv.fills)
	switch {
	case a.streamed:
		v.FillsSeen += len(a.streamFills)
		stream := countFills(a.streamFills, nil)
		compareFills(v, who, "its fills channel", stream, server)
		containsFills(v, who, "its fills channel", a.answerFills, stream)
	case a.Kind == kindConsumer:
		v.FillsSeen += len(a.answerFills)
		for _, f := range sv.fills {
			if f.OrderID == "" || f.Liquidity == "maker" {
				v.FillsBySum++
			}
		}
		sure := func(f fill) bool { return f.Liquidity == "taker" && f.OrderID != "" && !uncertain[f.OrderID] }
		compareFills(v, who, "its answers", countFills(a.answerFills, sure), countFills(sv.fills, sure))
		var unsure []fill
		for _, f := range a.answerFills {
			if !sure(f) {
				unsure = append(unsure, f)
			}
		}
		containsFills(v, who, "the server", unsure, server)
	default:
		v.FillsSeen += len(a.answerFills)
		containsFills(v, who, "the server", a.answerFills, server)
	}

	// Swaps: the legs answered against the fills without an order.
	if a.Kind == kindConsumer && !a.swapsUnknown {
		r.checkSwaps(v, who, a, sv)
	}

	// Balances: issues plus the effects of the server's fills, nothing
	// held.
	expected := map[string]int64{}
	for sym, u := range a.Issued {
		expected[sym] = u
	}
	for _, f := range sv.fills {
		mk := r.bySymbol[f.Market]
		if mk == nil {
			continue
		}
		base, quote, err := fillEffects(mk, f)
		if err != nil {
			v.BalanceMismatches++
			v.problem("%s: fill %s: %v", who, f, err)
			continue
		}
		expected[mk.Base.Symbol] += base
		expected[mk.Quote.Symbol] += quote
	}
	for _, as := range r.assets {
		b := sv.balances[as.Symbol]
		if b[1] != 0 {
			v.BalanceMismatches++
			v.problem("%s: %s %s is still held after every order was cancelled", who, formatUnits(b[1], as.Scale), as.Symbol)
		}
		if b[0]+b[1] != expected[as.Symbol] {
			v.BalanceMismatches++
			v.problem("%s: holds %s %s, but its issues and fills make %s", who, formatUnits(b[0]+b[1], as.Scale), as.Symbol,
				formatUnits(expected[as.Symbol], as.Scale))
		}
	}
}

func (o *orderSeen) sizeString(r *run) string {
	if mk := r.bySymbol[o.Market]; mk != nil {
		return formatUnits(o.Size, mk.Base.Scale)
	}
	return fmt.Sprint(o.Size)
}

func (o *orderSeen) priceString(r *run) string {
	if mk := r.bySymbol[o.Market]; mk != nil {
		return mk.price(o.Price)
	}
	return fmt.Sprint(o.Price)
}
