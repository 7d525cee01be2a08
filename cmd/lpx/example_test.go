package main

import (
	"strings"
	"testing"
)

// TestRunExample runs the quick start's example: it must finish with the
// engine's invariants holding after every command and show the trades and
// the expiry it narrates.
func TestRunExample(t *testing.T) {
	var out strings.Builder
	if err := runExample(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"trade 300 points at 0.05 EUR = 15.00 EUR (taker consumer pays fee 0.03, maker brand pays fee 0.02)",
		"trade 100 points at 0.04 EUR = 4.00 EUR",
		"expired: maker's buy order, 100 points left",
		"balance maker    EUR  available    15.99  held     0.00",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "rejected") {
		t.Errorf("a step was rejected:\n%s", out.String())
	}
}
