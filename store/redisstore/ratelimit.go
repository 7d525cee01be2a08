package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrInvalidLimit is returned (wrapped) by Allow for a Limit or cost it
// cannot enforce; nothing was counted.
var ErrInvalidLimit = errors.New("redisstore: invalid rate limit")

// maxToleranceMicros bounds a limit's Burst × emission interval so that
// every number in the script stays an integer a Lua double holds exactly
// (below 2^53, with the server clock added): about 142 years.
const maxToleranceMicros = 1 << 52

// Limit is a rate: Rate requests per Per on average, and at most Burst at
// once (a full bucket).
type Limit struct {
	Rate  int
	Per   time.Duration
	Burst int
}

// interval returns the time one request uses up, in microseconds, rounded
// up (so the rate enforced is never above the one asked for).
func (l Limit) interval() (int64, error) {
	if l.Rate <= 0 || l.Per <= 0 || l.Burst < 1 {
		return 0, fmt.Errorf("%w: %d per %v, burst %d", ErrInvalidLimit, l.Rate, l.Per, l.Burst)
	}
	nanos := (int64(l.Per)-1)/int64(l.Rate) + 1
	micros := (nanos-1)/1000 + 1
	if int64(l.Burst) > maxToleranceMicros/micros {
		return 0, fmt.Errorf("%w: burst %d of one per %v is too long", ErrInvalidLimit, l.Burst, time.Duration(nanos))
	}
	return micros, nil
}

// Decision is Allow's answer, with what an HTTP layer sends back.
type Decision struct {
	// Allowed reports whether the request is admitted (and counted).
	Allowed bool
	// Limit is the Burst: how many requests of cost 1 a full bucket admits
	// (X-RateLimit-Limit).
	Limit int
	// Remaining is how many more requests of cost 1 would be admitted
	// right now (X-RateLimit-Remaining).
	Remaining int
	// RetryAfter is, when the request is refused, how long until the same
	// request would be admitted (Retry-After, rounded up to seconds); 0
	// when it is admitted.
	RetryAfter time.Duration
	// ResetAfter is how long until the bucket is full again, with no more
	// requests (X-RateLimit-Reset).
	ResetAfter time.Duration
}

// RateLimiter enforces Limits with the generic cell rate algorithm, in one
// Lua script run atomically by Redis on its own clock: each key is one
// integer, its theoretical arrival time in microseconds, which expires once
// the bucket is full again. Many processes can share a key. A call ends by
// the caller's deadline, or within 2 s without one (give the client
// ContextTimeoutEnabled).
type RateLimiter struct {
	rdb    *redis.Client
	prefix string
}

// NewRateLimiter keeps its keys under prefix + "rate:".
func NewRateLimiter(rdb *redis.Client, prefix string) *RateLimiter {
	return &RateLimiter{rdb: rdb, prefix: prefix}
}

// gcraScript admits a request of cost ARGV[3] on key KEYS[1], for one
// request per ARGV[1] µs and a burst of ARGV[2]. It returns {1, new TAT -
// now} if admitted, else {0, TAT - now}, in µs. Lua numbers are doubles:
// every value here is an integer below 2^53, so the arithmetic is exact.
var gcraScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local stored = redis.call('GET', KEYS[1])
local tat = stored and tonumber(stored) or now
if tat < now then tat = now end
local newTat = tat + interval * tonumber(ARGV[3])
if newTat - now > interval * tonumber(ARGV[2]) then
	return {0, tat - now}
end
redis.call('SET', KEYS[1], string.format('%d', newTat),
	'PX', string.format('%d', math.ceil((newTat - now) / 1000)))
return {1, newTat - now}
`)

// Allow admits a request of cost (1 to limit.Burst) on key, or refuses it
// without counting it.
func (r *RateLimiter) Allow(ctx context.Context, key string, limit Limit, cost int) (Decision, error) {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	interval, err := limit.costInterval(cost)
	if err != nil {
		return Decision{}, err
	}
	if key == "" {
		return Decision{}, fmt.Errorf("%w: empty rate-limit key", ErrInvalidKey)
	}
	res, err := gcraScript.Run(ctx, r.rdb, []string{r.prefix + "rate:" + key}, interval, limit.Burst, cost).Int64Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("redisstore: rate limit %s: %w", key, err)
	}
	if len(res) != 2 || res[1] < 0 {
		return Decision{}, fmt.Errorf("redisstore: rate limit %s: unexpected reply %v", key, res)
	}
	return limit.decision(interval, cost, res[0] == 1, res[1]), nil
}

// costInterval checks the limit and a request's cost (1 to l.Burst) and
// returns l.interval().
func (l Limit) costInterval(cost int) (int64, error) {
	interval, err := l.interval()
	if err != nil {
		return 0, err
	}
	if cost < 1 || cost > l.Burst {
		return 0, fmt.Errorf("%w: cost %d with burst %d", ErrInvalidLimit, cost, l.Burst)
	}
	return interval, nil
}

// decision is the Decision for a request of cost on a bucket of l, whose
// interval is given: allowed is whether the bucket admits it, and used the
// part of the bucket taken, in µs (the TAT's lead on now), once the request
// is counted if it was, else without it.
func (l Limit) decision(interval int64, cost int, allowed bool, used int64) Decision {
	tolerance := interval * int64(l.Burst)
	d := Decision{
		Allowed:    allowed,
		Limit:      l.Burst,
		Remaining:  int(max(tolerance-used, 0) / interval),
		ResetAfter: time.Duration(used) * time.Microsecond,
	}
	if !allowed {
		d.RetryAfter = time.Duration(used+interval*int64(cost)-tolerance) * time.Microsecond
	}
	return d
}
