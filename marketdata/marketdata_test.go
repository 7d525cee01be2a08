package marketdata

import (
	"encoding/json"
	"testing"
	"time"
)

func TestIntervalStart(t *testing.T) {
	at := time.Date(2026, 11, 24, 13, 47, 31, 5, time.UTC).UnixNano()
	cases := []struct {
		iv   Interval
		want time.Time
	}{
		{Minute, time.Date(2026, 11, 24, 13, 47, 0, 0, time.UTC)},
		{FiveMinute, time.Date(2026, 11, 24, 13, 45, 0, 0, time.UTC)},
		{Hour, time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC)},
		{Day, time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		if got := c.iv.Start(at); got != c.want.UnixNano() {
			t.Errorf("%v.Start = %v, want %v", c.iv, time.Unix(0, got).UTC(), c.want)
		}
	}
	if got := Minute.Start(-1); got != -int64(time.Minute) {
		t.Errorf("Minute.Start(-1) = %d", got)
	}
}

func TestIntervalText(t *testing.T) {
	for _, iv := range Intervals {
		b, err := json.Marshal(Candle{Interval: iv})
		if err != nil {
			t.Fatal(err)
		}
		var c Candle
		if err := json.Unmarshal(b, &c); err != nil || c.Interval != iv {
			t.Errorf("%v: round trip gave %v, %v", iv, c.Interval, err)
		}
	}
	if _, err := ParseInterval("2m"); err == nil {
		t.Error("ParseInterval(2m) succeeded")
	}
	if _, err := json.Marshal(Candle{}); err == nil {
		t.Error("a zero interval marshalled")
	}
}
