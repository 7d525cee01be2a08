package redisstore

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// within fails the test unless lo < got <= hi.
func within(t *testing.T, what string, got, lo, hi time.Duration) {
	t.Helper()
	if got <= lo || got > hi {
		t.Fatalf("%s: %v, want in (%v, %v]", what, got, lo, hi)
	}
}

func TestRateLimitBurstThenDenied(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		rl := NewRateLimiter(b.rdb, b.prefix)
		lim := Limit{Rate: 1, Per: time.Hour, Burst: 5}
		for i := range 5 {
			d, err := rl.Allow(ctx, "acct1", lim, 1)
			if err != nil || !d.Allowed || d.Limit != 5 || d.Remaining != 4-i || d.RetryAfter != 0 {
				t.Fatalf("request %d: %+v %v, want allowed with %d remaining", i, d, err, 4-i)
			}
			n := time.Duration(i+1) * time.Hour
			within(t, "reset after", d.ResetAfter, n-time.Minute, n)
		}
		d, err := rl.Allow(ctx, "acct1", lim, 1)
		if err != nil || d.Allowed || d.Remaining != 0 || d.Limit != 5 {
			t.Fatalf("request over the burst: %+v %v, want denied", d, err)
		}
		within(t, "retry after", d.RetryAfter, time.Hour-time.Minute, time.Hour)
		within(t, "reset after when denied", d.ResetAfter, 5*time.Hour-time.Minute, 5*time.Hour)

		// The state is one integer of microseconds, expiring when the
		// bucket is full again.
		key := b.prefix + "rate:acct1"
		tat, err := strconv.ParseInt(b.rdb.Get(ctx, key).Val(), 10, 64)
		if err != nil || tat < 1_600_000_000_000_000 {
			t.Fatalf("stored TAT %q: %v", b.rdb.Get(ctx, key).Val(), err)
		}
		within(t, "key TTL", b.rdb.PTTL(ctx, key).Val(), 5*time.Hour-time.Minute, 5*time.Hour)

		// Other keys are other buckets.
		if d, err := rl.Allow(ctx, "acct2", lim, 1); err != nil || !d.Allowed || d.Remaining != 4 {
			t.Fatalf("another key: %+v %v", d, err)
		}
	})
}

func TestRateLimitCosts(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		rl := NewRateLimiter(b.rdb, b.prefix)
		lim := Limit{Rate: 1, Per: time.Hour, Burst: 10}
		for i, c := range []struct {
			cost      int
			allowed   bool
			remaining int
		}{
			{3, true, 7},
			{5, true, 2},
			{3, false, 2}, // refused, and not counted
			{2, true, 0},
			{1, false, 0},
		} {
			d, err := rl.Allow(ctx, "acct1", lim, c.cost)
			if err != nil || d.Allowed != c.allowed || d.Remaining != c.remaining {
				t.Fatalf("step %d, cost %d: %+v %v, want allowed %v with %d remaining", i, c.cost, d, err, c.allowed, c.remaining)
			}
			if !c.allowed {
				within(t, "retry after", d.RetryAfter, time.Hour-time.Minute, time.Hour)
			}
		}
	})
}

func TestRateLimitRetryAfterAndIdleKeys(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		rl := NewRateLimiter(b.rdb, b.prefix)
		lim := Limit{Rate: 4, Per: time.Second, Burst: 2} // one per 250 ms
		const interval = 250 * time.Millisecond
		for i := range 2 {
			if d, err := rl.Allow(ctx, "acct1", lim, 1); err != nil || !d.Allowed {
				t.Fatalf("request %d: %+v %v", i, d, err)
			}
		}
		d, err := rl.Allow(ctx, "acct1", lim, 1)
		if err != nil || d.Allowed {
			t.Fatalf("third request: %+v %v, want denied", d, err)
		}
		within(t, "retry after", d.RetryAfter, interval/2, interval)
		time.Sleep(d.RetryAfter)
		d, err = rl.Allow(ctx, "acct1", lim, 1)
		if err != nil || !d.Allowed || d.Remaining != 0 {
			t.Fatalf("after waiting Retry-After: %+v %v, want allowed with 0 remaining", d, err)
		}
		if d, err := rl.Allow(ctx, "acct1", lim, 1); err != nil || d.Allowed {
			t.Fatalf("right after: %+v %v, want denied", d, err)
		}
		// The key expires once the bucket is full again.
		key := b.prefix + "rate:acct1"
		within(t, "key TTL", b.rdb.PTTL(ctx, key).Val(), 0, d.ResetAfter.Truncate(time.Millisecond)+time.Millisecond)
		time.Sleep(d.ResetAfter + 50*time.Millisecond)
		if n := b.rdb.Exists(ctx, key).Val(); n != 0 {
			t.Fatal("an idle rate-limit key outlived its reset time")
		}
		if d, err := rl.Allow(ctx, "acct1", lim, 2); err != nil || !d.Allowed || d.Remaining != 0 {
			t.Fatalf("a full burst after the reset: %+v %v", d, err)
		}
	})
}

// TestRateLimitConcurrent hammers one key from many goroutines: admissions
// never exceed the burst plus the rate times the elapsed time.
func TestRateLimitConcurrent(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		rl := NewRateLimiter(b.rdb, b.prefix)
		lim := Limit{Rate: 100, Per: time.Second, Burst: 10} // one per 10 ms
		const interval = 10 * time.Millisecond
		var admitted, requests atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		stop := start.Add(300 * time.Millisecond)
		for range 8 {
			wg.Go(func() {
				for time.Now().Before(stop) {
					d, err := rl.Allow(context.Background(), "hot", lim, 1)
					if err != nil {
						t.Error(err)
						return
					}
					requests.Add(1)
					switch {
					case d.Allowed && (d.Remaining < 0 || d.Remaining >= lim.Burst || d.RetryAfter != 0):
						t.Errorf("allowed: %+v", d)
					case !d.Allowed && (d.Remaining != 0 || d.RetryAfter <= 0 || d.RetryAfter > interval):
						t.Errorf("denied: %+v", d)
					}
					if d.Allowed {
						admitted.Add(1)
					}
				}
			})
		}
		wg.Wait()
		elapsed := time.Since(start)
		most := int64(lim.Burst) + int64(elapsed/interval)
		got := admitted.Load()
		t.Logf("%d of %d requests admitted in %v, at most %d allowed", got, requests.Load(), elapsed, most)
		// At least half the rate, to catch a limiter far stricter than asked.
		least := int64(lim.Burst) + int64(elapsed/interval)/2
		if got > most || got < least {
			t.Fatalf("%d admitted in %v, want %d to %d", got, elapsed, least, most)
		}
	})
}

func TestRateLimitInvalid(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		rl := NewRateLimiter(b.rdb, b.prefix)
		ok := Limit{Rate: 1, Per: time.Second, Burst: 3}
		for _, c := range []struct {
			lim  Limit
			cost int
		}{
			{Limit{Rate: 0, Per: time.Second, Burst: 1}, 1},
			{Limit{Rate: -1, Per: time.Second, Burst: 1}, 1},
			{Limit{Rate: 1, Per: 0, Burst: 1}, 1},
			{Limit{Rate: 1, Per: -time.Second, Burst: 1}, 1},
			{Limit{Rate: 1, Per: time.Second, Burst: 0}, 1},
			{ok, 0},
			{ok, -1},
			{ok, 4},
			{Limit{Rate: 1, Per: 100 * 365 * 24 * time.Hour, Burst: 2}, 1}, // 200 years to refill
		} {
			if d, err := rl.Allow(ctx, "acct1", c.lim, c.cost); !errors.Is(err, ErrInvalidLimit) {
				t.Errorf("%+v cost %d: %+v %v, want an invalid limit", c.lim, c.cost, d, err)
			}
		}
		if _, err := rl.Allow(ctx, "", ok, 1); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("empty key: %v, want invalid key", err)
		}
		if keys := b.rdb.Keys(ctx, b.prefix+"rate:*").Val(); len(keys) != 0 {
			t.Fatalf("refused calls stored %v", keys)
		}
		// The fastest rate is one request per microsecond.
		if d, err := rl.Allow(ctx, "fast", Limit{Rate: 1_000_000_000, Per: time.Second, Burst: 1}, 1); err != nil || !d.Allowed {
			t.Fatalf("a billion per second: %+v %v", d, err)
		}
	})
}
