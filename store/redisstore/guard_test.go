package redisstore

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/internal/servicetest"
)

// near fails the test unless got is within slack of want.
func near(t *testing.T, what string, got, want, slack time.Duration) {
	t.Helper()
	if got < want-slack || got > want+slack {
		t.Fatalf("%s: %v, want %v ± %v", what, got, want, slack)
	}
}

func TestGuardReplay(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		g := NewGuard(b.rdb, b.prefix)
		lim := Limit{Rate: 1, Per: time.Hour, Burst: 5}
		check := func(nonce string) GuardCheck {
			return GuardCheck{NonceScope: "key1", Nonce: nonce, NonceTTL: 200 * time.Millisecond,
				Limits: []KeyedLimit{{Key: "acct1", Limit: lim, Cost: 1}}}
		}
		admitted := func(nonce string, remaining int) {
			t.Helper()
			r, err := g.Check(ctx, check(nonce))
			if err != nil || !r.Allowed() || r.Replayed || len(r.Decisions) != 1 ||
				!r.Decisions[0].Allowed || r.Decisions[0].Remaining != remaining || r.Decisions[0].Limit != 5 {
				t.Fatalf("nonce %s: %+v %v, want admitted with %d remaining", nonce, r, err, remaining)
			}
		}
		replayed := func(nonce string) {
			t.Helper()
			r, err := g.Check(ctx, check(nonce))
			if err != nil || !r.Replayed || r.Allowed() || len(r.Decisions) != 0 {
				t.Fatalf("nonce %s again: %+v %v, want replayed", nonce, r, err)
			}
		}
		admitted("n1", 4)
		replayed("n1")
		replayed("n1")
		admitted("n2", 3) // the replays counted nothing
		within(t, "nonce TTL", b.rdb.PTTL(ctx, b.prefix+"nonce:key1:n1").Val(), 0, 200*time.Millisecond)

		// Nonces shares the nonces.
		n := NewNonces(b.rdb, b.prefix)
		if fresh, err := n.Use(ctx, "key1", "n2", time.Minute); err != nil || fresh {
			t.Fatalf("Nonces.Use of a nonce the guard recorded: fresh %v, %v", fresh, err)
		}
		if fresh, err := n.Use(ctx, "key1", "n3", 200*time.Millisecond); err != nil || !fresh {
			t.Fatalf("Nonces.Use: fresh %v, %v", fresh, err)
		}
		replayed("n3")
		// The same nonce in another scope is another nonce.
		other := check("n1")
		other.NonceScope = "key2"
		if r, err := g.Check(ctx, other); err != nil || !r.Allowed() || r.Decisions[0].Remaining != 2 {
			t.Fatalf("n1 in another scope: %+v %v", r, err)
		}

		// A nonce comes back once its TTL is over.
		b.pass(300 * time.Millisecond)
		admitted("n1", 1)
		replayed("n1")

		// A check may hold a nonce and no limits.
		for i, want := range []bool{true, false} {
			r, err := g.Check(ctx, GuardCheck{NonceScope: "key1", Nonce: "bare", NonceTTL: time.Minute})
			if err != nil || r.Allowed() != want || r.Replayed == want || len(r.Decisions) != 0 {
				t.Fatalf("nonce without limits, call %d: %+v %v", i, r, err)
			}
		}
	})
}

// TestGuardRefusedStoresNothing checks a request against a per-account and
// a tighter per-IP limit: once the tighter one refuses, neither the nonce
// nor any count is stored.
func TestGuardRefusedStoresNothing(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		g := NewGuard(b.rdb, b.prefix)
		acct := KeyedLimit{Key: "acct1", Limit: Limit{Rate: 1, Per: time.Hour, Burst: 5}, Cost: 1}
		ip := KeyedLimit{Key: "ip:10.0.0.1", Limit: Limit{Rate: 1, Per: time.Minute, Burst: 2}, Cost: 1}
		check := func(nonce string, limits ...KeyedLimit) GuardCheck {
			return GuardCheck{NonceScope: "key1", Nonce: nonce, NonceTTL: time.Minute, Limits: limits}
		}
		for i, nonce := range []string{"n1", "n2"} {
			r, err := g.Check(ctx, check(nonce, acct, ip))
			if err != nil || !r.Allowed() || len(r.Decisions) != 2 ||
				r.Decisions[0].Remaining != 4-i || r.Decisions[1].Remaining != 1-i ||
				r.Decisions[0].Limit != 5 || r.Decisions[1].Limit != 2 {
				t.Fatalf("request %d: %+v %v", i, r, err)
			}
			within(t, "per-account reset after", r.Decisions[0].ResetAfter, time.Duration(i+1)*time.Hour-time.Minute, time.Duration(i+1)*time.Hour)
			within(t, "per-IP reset after", r.Decisions[1].ResetAfter, time.Duration(i+1)*time.Minute-time.Second, time.Duration(i+1)*time.Minute)
		}
		acctKey, ipKey := b.prefix+"rate:acct1", b.prefix+"rate:ip:10.0.0.1"
		before := b.rdb.MGet(ctx, acctKey, ipKey).Val()

		// The per-IP limit is spent: it decides, the per-account one admits.
		for range 2 {
			r, err := g.Check(ctx, check("n3", acct, ip))
			if err != nil || r.Allowed() || r.Replayed || len(r.Decisions) != 2 {
				t.Fatalf("over the per-IP limit: %+v %v, want refused", r, err)
			}
			da, di := r.Decisions[0], r.Decisions[1]
			if !da.Allowed || da.Remaining != 3 || da.RetryAfter != 0 {
				t.Fatalf("per-account decision: %+v, want admitting with 3 remaining", da)
			}
			within(t, "per-account reset after", da.ResetAfter, 2*time.Hour-time.Minute, 2*time.Hour)
			if di.Allowed || di.Remaining != 0 {
				t.Fatalf("per-IP decision: %+v, want refusing", di)
			}
			within(t, "per-IP retry after", di.RetryAfter, time.Minute-time.Second, time.Minute)
			within(t, "per-IP reset after", di.ResetAfter, 2*time.Minute-time.Second, 2*time.Minute)
		}
		if n := b.rdb.Exists(ctx, b.prefix+"nonce:key1:n3").Val(); n != 0 {
			t.Fatal("a refused check recorded its nonce")
		}
		if after := b.rdb.MGet(ctx, acctKey, ipKey).Val(); after[0] != before[0] || after[1] != before[1] {
			t.Fatalf("a refused check changed the TATs from %v to %v", before, after)
		}
		// The refused nonce is fresh, and the per-account bucket unchanged.
		r, err := g.Check(ctx, check("n3", acct))
		if err != nil || !r.Allowed() || r.Decisions[0].Remaining != 2 {
			t.Fatalf("the refused nonce with the per-account limit alone: %+v %v", r, err)
		}
		// A cost the looser limit refuses and the tighter one would not.
		big := acct
		big.Cost = 3
		r, err = g.Check(ctx, check("n4", big, KeyedLimit{Key: "ip:10.0.0.2", Limit: ip.Limit, Cost: 1}))
		if err != nil || r.Allowed() || r.Decisions[0].Allowed || !r.Decisions[1].Allowed || r.Decisions[1].Remaining != 2 {
			t.Fatalf("cost 3 with 2 remaining: %+v %v, want refused by the per-account limit", r, err)
		}
		within(t, "retry after", r.Decisions[0].RetryAfter, time.Hour-time.Minute, time.Hour)
		if n := b.rdb.Exists(ctx, b.prefix+"rate:ip:10.0.0.2").Val(); n != 0 {
			t.Fatal("a refused check stored the TAT of a bucket that admitted it")
		}
	})
}

// TestGuardAgreesWithRateLimiter alternates the guard and the rate limiter
// on one key: they count in the same bucket and answer the same.
func TestGuardAgreesWithRateLimiter(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		g := NewGuard(b.rdb, b.prefix)
		rl := NewRateLimiter(b.rdb, b.prefix)
		lim := Limit{Rate: 1, Per: time.Hour, Burst: 6}
		guard := func(cost int) Decision {
			t.Helper()
			r, err := g.Check(ctx, GuardCheck{Limits: []KeyedLimit{{Key: "acct1", Limit: lim, Cost: cost}}})
			if err != nil || r.Replayed || len(r.Decisions) != 1 || r.Allowed() != r.Decisions[0].Allowed {
				t.Fatalf("guard, cost %d: %+v %v", cost, r, err)
			}
			return r.Decisions[0]
		}
		allow := func(cost int) Decision {
			t.Helper()
			d, err := rl.Allow(ctx, "acct1", lim, cost)
			if err != nil {
				t.Fatalf("rate limiter, cost %d: %v", cost, err)
			}
			return d
		}
		for i, c := range []struct {
			guard     bool
			cost      int
			allowed   bool
			remaining int
			used      time.Duration
		}{
			{true, 1, true, 5, time.Hour},
			{false, 2, true, 3, 3 * time.Hour},
			{true, 2, true, 1, 5 * time.Hour},
			{false, 2, false, 1, 5 * time.Hour},
			{true, 2, false, 1, 5 * time.Hour},
			{false, 1, true, 0, 6 * time.Hour},
			{true, 1, false, 0, 6 * time.Hour},
		} {
			var d Decision
			if c.guard {
				d = guard(c.cost)
			} else {
				d = allow(c.cost)
			}
			if d.Allowed != c.allowed || d.Remaining != c.remaining || d.Limit != 6 {
				t.Fatalf("step %d (guard %v, cost %d): %+v, want allowed %v with %d remaining", i, c.guard, c.cost, d, c.allowed, c.remaining)
			}
			within(t, "reset after", d.ResetAfter, c.used-time.Minute, c.used)
		}
		// Refused on the same state, both give the same answer (but for
		// the time between the calls).
		dg, dr := guard(1), allow(1)
		if dg.Allowed || dr.Allowed || dg.Remaining != dr.Remaining || dg.Limit != dr.Limit {
			t.Fatalf("refused: guard %+v, rate limiter %+v", dg, dr)
		}
		near(t, "retry after", dg.RetryAfter, dr.RetryAfter, time.Second)
		near(t, "reset after", dg.ResetAfter, dr.ResetAfter, time.Second)
		within(t, "retry after", dg.RetryAfter, time.Hour-time.Minute, time.Hour)

		// On a fast limit, Retry-After is exact: waiting it out admits.
		fast := Limit{Rate: 4, Per: time.Second, Burst: 2} // one per 250 ms
		fastCheck := GuardCheck{Limits: []KeyedLimit{{Key: "acct2", Limit: fast, Cost: 1}}}
		for i := range 2 {
			if r, err := g.Check(ctx, fastCheck); err != nil || !r.Allowed() {
				t.Fatalf("fast request %d: %+v %v", i, r, err)
			}
		}
		d, err := rl.Allow(ctx, "acct2", fast, 1)
		if err != nil || d.Allowed {
			t.Fatalf("rate limiter after the guard's burst: %+v %v, want refused", d, err)
		}
		within(t, "retry after", d.RetryAfter, 125*time.Millisecond, 250*time.Millisecond)
		time.Sleep(d.RetryAfter)
		r, err := g.Check(ctx, fastCheck)
		if err != nil || !r.Allowed() || r.Decisions[0].Remaining != 0 {
			t.Fatalf("guard after Retry-After: %+v %v, want admitted with 0 remaining", r, err)
		}
		// The guard stores the TAT as the rate limiter does, expiring
		// when the bucket is full again.
		key := b.prefix + "rate:acct2"
		within(t, "key TTL", b.rdb.PTTL(ctx, key).Val(), 0, r.Decisions[0].ResetAfter.Truncate(time.Millisecond)+time.Millisecond)
		if tat, err := strconv.ParseInt(b.rdb.Get(ctx, key).Val(), 10, 64); err != nil || tat < 1_600_000_000_000_000 {
			t.Fatalf("stored TAT %q: %v", b.rdb.Get(ctx, key).Val(), err)
		}
		if d, err := rl.Allow(ctx, "acct2", fast, 1); err != nil || d.Allowed {
			t.Fatalf("rate limiter right after: %+v %v, want refused", d, err)
		}
	})
}

// TestGuardConcurrent checks one signed request sent many times at once: it
// is admitted, and counted, once.
func TestGuardConcurrent(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		g := NewGuard(b.rdb, b.prefix)
		lim := Limit{Rate: 1, Per: time.Hour, Burst: 100}
		c := GuardCheck{NonceScope: "key1", Nonce: "n", NonceTTL: time.Minute,
			Limits: []KeyedLimit{{Key: "acct1", Limit: lim, Cost: 1}, {Key: "ip1", Limit: lim, Cost: 2}}}
		var admitted, replayed atomic.Int32
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				r, err := g.Check(context.Background(), c)
				switch {
				case err != nil:
					t.Error(err)
				case r.Allowed():
					admitted.Add(1)
				case r.Replayed:
					replayed.Add(1)
				default:
					t.Errorf("neither admitted nor replayed: %+v", r)
				}
			})
		}
		wg.Wait()
		if admitted.Load() != 1 || replayed.Load() != 15 {
			t.Fatalf("%d admitted and %d replayed, want 1 and 15", admitted.Load(), replayed.Load())
		}
		rl := NewRateLimiter(b.rdb, b.prefix)
		for key, want := range map[string]int{"acct1": 98, "ip1": 97} {
			if d, err := rl.Allow(context.Background(), key, lim, 1); err != nil || d.Remaining != want {
				t.Fatalf("%s after the burst: %+v %v, want %d remaining", key, d, err, want)
			}
		}
	})
}

func TestGuardInvalid(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		g := NewGuard(b.rdb, b.prefix)
		ok := KeyedLimit{Key: "acct1", Limit: Limit{Rate: 1, Per: time.Second, Burst: 3}, Cost: 1}
		signed := func(limits ...KeyedLimit) GuardCheck {
			return GuardCheck{NonceScope: "key1", Nonce: "n", NonceTTL: time.Minute, Limits: limits}
		}
		with := func(f func(*KeyedLimit)) KeyedLimit {
			l := ok
			f(&l)
			return l
		}
		nine := make([]KeyedLimit, MaxGuardLimits+1)
		for i := range nine {
			nine[i] = with(func(l *KeyedLimit) { l.Key = "k" + strconv.Itoa(i) })
		}
		for _, c := range []struct {
			what  string
			check GuardCheck
			want  error // nil: any error
		}{
			{"empty nonce with a scope", GuardCheck{NonceScope: "key1", NonceTTL: time.Minute, Limits: []KeyedLimit{ok}}, ErrInvalidKey},
			{"empty scope", GuardCheck{Nonce: "n", NonceTTL: time.Minute, Limits: []KeyedLimit{ok}}, ErrInvalidKey},
			{"scope with ':'", GuardCheck{NonceScope: "a:b", Nonce: "n", NonceTTL: time.Minute}, ErrInvalidKey},
			{"long nonce", GuardCheck{NonceScope: "key1", Nonce: strings.Repeat("n", MaxKeyLen+1), NonceTTL: time.Minute}, ErrInvalidKey},
			{"nonce TTL under a millisecond", GuardCheck{NonceScope: "key1", Nonce: "n", NonceTTL: time.Microsecond, Limits: []KeyedLimit{ok}}, nil},
			{"nothing to check", GuardCheck{}, ErrInvalidLimit},
			{"too many limits", signed(nine...), ErrInvalidLimit},
			{"zero rate", signed(ok, with(func(l *KeyedLimit) { l.Key, l.Limit.Rate = "k2", 0 })), ErrInvalidLimit},
			{"zero per", signed(with(func(l *KeyedLimit) { l.Limit.Per = 0 })), ErrInvalidLimit},
			{"zero burst", signed(with(func(l *KeyedLimit) { l.Limit.Burst = 0 })), ErrInvalidLimit},
			{"zero cost", signed(with(func(l *KeyedLimit) { l.Cost = 0 })), ErrInvalidLimit},
			{"cost over the burst", signed(ok, with(func(l *KeyedLimit) { l.Key, l.Cost = "k2", 4 })), ErrInvalidLimit},
			{"200 years to refill", signed(with(func(l *KeyedLimit) { l.Limit = Limit{Rate: 1, Per: 100 * 365 * 24 * time.Hour, Burst: 2} })), ErrInvalidLimit},
			{"empty key", signed(ok, with(func(l *KeyedLimit) { l.Key = "" })), ErrInvalidKey},
			{"one key twice", signed(ok, with(func(l *KeyedLimit) { l.Cost = 2 })), ErrInvalidKey},
		} {
			r, err := g.Check(ctx, c.check)
			if err == nil || c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("%s: %+v %v, want %v", c.what, r, err, c.want)
			}
		}
		if keys := b.rdb.Keys(ctx, b.prefix+"*").Val(); len(keys) != 0 {
			t.Fatalf("refused checks stored %v", keys)
		}
		// At most MaxGuardLimits limits is fine.
		if r, err := g.Check(ctx, signed(nine[:MaxGuardLimits]...)); err != nil || !r.Allowed() || len(r.Decisions) != MaxGuardLimits {
			t.Fatalf("%d limits: %+v %v", MaxGuardLimits, r, err)
		}
	})
}

// BenchmarkGuardCheck checks a signed request with a fresh nonce against
// a per-account and a per-IP limit, on the real Redis.
func BenchmarkGuardCheck(b *testing.B) {
	rdb, prefix := servicetest.Redis(b, nil)
	g := NewGuard(rdb, prefix)
	ctx := context.Background()
	lim := Limit{Rate: 1_000_000, Per: time.Second, Burst: 1_000}
	c := GuardCheck{NonceScope: "key1", NonceTTL: 10 * time.Second, Limits: []KeyedLimit{
		{Key: "acct1", Limit: lim, Cost: 1},
		{Key: "ip:10.0.0.1", Limit: lim, Cost: 1},
	}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Nonce = strconv.Itoa(i)
		i++
		if r, err := g.Check(ctx, c); err != nil || r.Replayed {
			b.Fatalf("%+v %v", r, err)
		}
	}
}
