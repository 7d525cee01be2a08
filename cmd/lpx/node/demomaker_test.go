package node

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// TestRevertedMid: the demo market maker's mid is the last trade at once,
// the starting mid once demoMidReturn has passed, linear between.
func TestRevertedMid(t *testing.T) {
	start, last := decimal.RequireFromString("0.50"), decimal.RequireFromString("0.47")
	for _, c := range []struct {
		age  time.Duration
		want string
	}{
		{-time.Second, "0.47"},
		{0, "0.47"},
		{demoMidReturn / 3, "0.48"},
		{demoMidReturn / 2, "0.485"},
		{demoMidReturn, "0.5"},
		{10 * demoMidReturn, "0.5"},
	} {
		if got := revertedMid(start, last, c.age); !got.Equal(decimal.RequireFromString(c.want)) {
			t.Errorf("after %v: %s, want %s", c.age, got, c.want)
		}
	}
}
