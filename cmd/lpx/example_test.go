package main

import (
	"strings"
	"testing"
)

// TestRunExample runs the quick start's example: it must finish with the
// engine's invariants holding after every command and show the swap, the
// redemption and the expiry it narrates.
func TestRunExample(t *testing.T) {
	var out strings.Builder
	if err := runExample(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		// 500 points at 0.05 give 25.00 - 0.05 fee = 24.95 EUR; 24 coupons at
		// 1.00 cost 24.00 + ceil(4.8) cents = 24.05, leaving 0.90.
		"quote: 500 points -> 24 coupons via EUR (0.90 EUR left over)",
		"swapped 500 ACME for 24 COFFEE via EUR (0.90 EUR left over)",
		"redemption_fulfilled: 2 COFFEE of consumer",
		// maker 10 available + 6 released from its cancelled offer + consumer 22.
		"COFFEE expired: 38 left in accounts became breakage",
		"COFFEE liabilities: issued 40, held by customers 0, redeemed 2, expired 38",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "rejected") {
		t.Errorf("a step was rejected:\n%s", out.String())
	}
}
