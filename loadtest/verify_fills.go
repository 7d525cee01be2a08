package loadtest

import "fmt"

// The fills' part of the loss check: counting and comparing fills, the
// swaps' legs against the fills without an order, and what a fill does to
// a balance.

// countFills counts fills (those keep says, all if nil).
func countFills(fills []fill, keep func(fill) bool) map[fill]int {
	out := map[fill]int{}
	for _, f := range fills {
		if keep == nil || keep(f) {
			out[f]++
		}
	}
	return out
}

// containsFills counts as lost the fills of answers that are not in
// where (each found fill used once).
func containsFills(v *Verification, who, where string, answers []fill, in map[fill]int) {
	left := make(map[fill]int, len(in))
	for k, n := range in {
		left[k] = n
	}
	for _, f := range answers {
		if left[f] > 0 {
			left[f]--
			continue
		}
		v.LostFills++
		v.problem("%s: fill %s was in an answer but not on %s", who, f, where)
	}
}

// compareFills counts the fills seen but not on the server (lost) and the
// server's not seen (unexpected).
func compareFills(v *Verification, who, source string, seen, server map[fill]int) {
	for f, n := range seen {
		if d := n - server[f]; d > 0 {
			v.LostFills += d
			v.problem("%s: fill %s came on %s (%d times) but is on the server %d times", who, f, source, n, server[f])
		}
	}
	for f, n := range server {
		if d := n - seen[f]; d > 0 {
			v.UnexpectedFills += d
			v.problem("%s: the server has fill %s %d times, %s showed it %d times", who, f, n, source, seen[f])
		}
	}
}

// checkSwaps compares a consumer's swap legs with its fills that have no
// order (a swap's trades), summed per market and side.
func (r *run) checkSwaps(v *Verification, who string, a *account, sv *serverView) {
	server := map[legKey]legSum{}
	for _, f := range sv.fills {
		mk := r.bySymbol[f.Market]
		if f.OrderID != "" || mk == nil {
			continue
		}
		size, err1 := parseField("size", f.Size, mk.Base.Scale)
		quote, err2 := parseField("quote_amount", f.QuoteAmount, mk.Quote.Scale)
		fee, err3 := parseField("fee", f.Fee, mk.Quote.Scale)
		if err1 != nil || err2 != nil || err3 != nil {
			v.SwapMismatches++
			v.problem("%s: fill %s is unreadable", who, f)
			continue
		}
		k := legKey{f.Market, f.Side}
		s := server[k]
		server[k] = legSum{s.Base + size, s.Quote + quote, s.Fee + fee}
	}
	keys := map[legKey]bool{}
	for k := range server {
		keys[k] = true
	}
	for k := range a.swapLegs {
		keys[k] = true
	}
	for k := range keys {
		var seen legSum
		if s := a.swapLegs[k]; s != nil {
			seen = *s
		}
		if got := server[k]; got != seen {
			v.SwapMismatches++
			mk := r.bySymbol[k.Market]
			v.problem("%s: swaps %s on %s: the answers add up to %s base and %s quote, the server's fills to %s and %s", who, k.Side, k.Market,
				formatUnits(seen.Base, mk.Base.Scale), formatUnits(seen.Quote, mk.Quote.Scale),
				formatUnits(got.Base, mk.Base.Scale), formatUnits(got.Quote, mk.Quote.Scale))
		}
	}
}

// fillEffects is what a fill does to its account's base and quote: a buy
// gets the size and pays the quote amount and the fee; a sell gives the
// size and gets the quote amount less the fee.
func fillEffects(mk *market, f fill) (base, quote int64, err error) {
	size, err := parseField("size", f.Size, mk.Base.Scale)
	if err != nil {
		return 0, 0, err
	}
	amount, err := parseField("quote_amount", f.QuoteAmount, mk.Quote.Scale)
	if err != nil {
		return 0, 0, err
	}
	fee, err := parseField("fee", f.Fee, mk.Quote.Scale)
	if err != nil {
		return 0, 0, err
	}
	switch f.Side {
	case "buy":
		return size, -amount - fee, nil
	case "sell":
		return -size, amount - fee, nil
	}
	return 0, 0, fmt.Errorf("side %q", f.Side)
}

// String is a fill in one line, for the problems.
func (f fill) String() string {
	id := f.OrderID
	if id == "" {
		id = "(swap)"
	}
	return fmt.Sprintf("[%s order %s %s %s %s at %s, quote %s, fee %s]", f.Market, id, f.Liquidity, f.Side, f.Size, f.Price, f.QuoteAmount, f.Fee)
}
