package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// MaxGuardLimits is the most limits one GuardCheck applies.
const MaxGuardLimits = 8

// Guard checks a request in one round trip: it refuses a replayed nonce
// and applies all the request's rate limits together, in one Lua script
// run atomically by Redis on its own clock. It shares its keys with Nonces
// (<prefix>nonce:<scope>:<nonce>) and RateLimiter (<prefix>rate:<key>),
// so that they see each other's nonces and counts. A call ends by the
// caller's deadline, or within 2 s without one (give the client
// ContextTimeoutEnabled).
type Guard struct {
	rdb    *redis.Client
	prefix string
}

// NewGuard keeps nonces under prefix + "nonce:" and rate limits under
// prefix + "rate:", as NewNonces and NewRateLimiter do with the same
// prefix.
func NewGuard(rdb *redis.Client, prefix string) *Guard {
	return &Guard{rdb: rdb, prefix: prefix}
}

// KeyedLimit is one rate limit of a GuardCheck: a request of Cost (1 to
// Limit.Burst) on the bucket Key (not empty), as RateLimiter.Allow takes.
type KeyedLimit struct {
	Key   string
	Limit Limit
	Cost  int
}

// GuardCheck is what Guard.Check checks of one request.
type GuardCheck struct {
	// NonceScope and Nonce are as Nonces.Use takes them: the scope (such
	// as an API key id) is not empty and has no ':', the nonce is 1 to
	// MaxKeyLen bytes. An empty Nonce (with an empty NonceScope) checks no
	// nonce, for unsigned requests; a NonceScope without a Nonce is an
	// error, so that a signed request missing its nonce is not let through.
	NonceScope, Nonce string
	// NonceTTL, at least a millisecond when there is a Nonce, is how long
	// the nonce is remembered: it should cover the window in which a
	// signature's timestamp is accepted.
	NonceTTL time.Duration
	// Limits are the rate limits of the request, at most MaxGuardLimits,
	// each on its own key.
	Limits []KeyedLimit
}

// GuardResult is Check's answer when it returns no error. The request is
// admitted, and counted, only when Allowed reports true.
type GuardResult struct {
	// Replayed reports that the nonce was already used within its TTL:
	// nothing was counted and Decisions is empty. The API refuses the
	// request (401).
	Replayed bool
	// Decisions holds, unless Replayed, one Decision per limit, in the
	// order of GuardCheck.Limits. Each one's Allowed reports whether its
	// own bucket admits the request. If they all do, the request is
	// counted in every bucket and the nonce recorded; if any refuses, none
	// of it is stored (neither the nonce nor any count), the refusing
	// Decisions carry their RetryAfter, the others' Remaining and
	// ResetAfter describe their buckets as they stay, and the API answers
	// 429.
	Decisions []Decision
}

// Allowed reports whether the request was admitted: its nonce is fresh and
// every limit admits it.
func (r GuardResult) Allowed() bool {
	if r.Replayed {
		return false
	}
	for _, d := range r.Decisions {
		if !d.Allowed {
			return false
		}
	}
	return true
}

// guardScript checks a request. ARGV[1] is the nonce's TTL in ms, or 0 for
// no nonce; with a nonce it is KEYS[1], and the rate-limit keys follow.
// For each rate-limit key, three ARGV follow ARGV[1], as gcraScript takes
// them: the µs per request, the burst and the cost. It returns {-1} for a
// replayed nonce, else {admitted, then for each key: admits, TAT - now},
// where admitted is 1 if every key admits the request (and then the nonce
// and the new TATs are stored, and each TAT is the new one), else 0 (and
// nothing is stored). The arithmetic is gcraScript's.
var guardScript = redis.NewScript(`
local ttl = tonumber(ARGV[1])
local first = 1
if ttl > 0 then
	if redis.call('EXISTS', KEYS[1]) == 1 then return {-1} end
	first = 2
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local res, tats, admitted = {1}, {}, true
for i = first, #KEYS do
	local a = (i - first) * 3 + 2
	local interval = tonumber(ARGV[a])
	local stored = redis.call('GET', KEYS[i])
	local tat = stored and tonumber(stored) or now
	if tat < now then tat = now end
	local newTat = tat + interval * tonumber(ARGV[a + 2])
	if newTat - now > interval * tonumber(ARGV[a + 1]) then
		admitted = false
		res[#res + 1] = 0
	else
		res[#res + 1] = 1
	end
	res[#res + 1] = tat - now
	tats[i] = newTat
end
if not admitted then
	res[1] = 0
	return res
end
if ttl > 0 then
	redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX')
end
for i = first, #KEYS do
	redis.call('SET', KEYS[i], string.format('%d', tats[i]),
		'PX', string.format('%d', math.ceil((tats[i] - now) / 1000)))
	res[(i - first) * 2 + 3] = tats[i] - now
end
return res
`)

// Check checks c's nonce, if any, and applies all its limits in one
// atomic step: a replayed nonce counts nothing; a fresh one is recorded,
// and the request counted in every bucket, only if every limit admits it.
// Invalid input (ErrInvalidKey, ErrInvalidLimit, a NonceTTL under a
// millisecond, two limits on one key, no nonce and no limits) stores
// nothing.
func (g *Guard) Check(ctx context.Context, c GuardCheck) (GuardResult, error) {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	if len(c.Limits) > MaxGuardLimits {
		return GuardResult{}, fmt.Errorf("%w: %d limits in one check, at most %d", ErrInvalidLimit, len(c.Limits), MaxGuardLimits)
	}
	keys := make([]string, 0, 1+len(c.Limits))
	args := make([]any, 1, 1+3*len(c.Limits))
	args[0] = int64(0)
	switch {
	case c.Nonce != "":
		k, err := scopedKey(g.prefix+"nonce:", c.NonceScope, c.Nonce)
		if err != nil {
			return GuardResult{}, err
		}
		if c.NonceTTL < time.Millisecond {
			return GuardResult{}, fmt.Errorf("redisstore: nonce ttl %v is under a millisecond", c.NonceTTL)
		}
		keys = append(keys, k)
		args[0] = c.NonceTTL.Milliseconds()
	case c.NonceScope != "":
		return GuardResult{}, fmt.Errorf("%w: nonce scope %q without a nonce", ErrInvalidKey, c.NonceScope)
	case len(c.Limits) == 0:
		return GuardResult{}, fmt.Errorf("%w: no nonce and no limits to check", ErrInvalidLimit)
	}
	var intervals [MaxGuardLimits]int64
	for i, l := range c.Limits {
		interval, err := l.Limit.costInterval(l.Cost)
		if err != nil {
			return GuardResult{}, err
		}
		if l.Key == "" {
			return GuardResult{}, fmt.Errorf("%w: empty rate-limit key", ErrInvalidKey)
		}
		for _, prev := range c.Limits[:i] {
			if prev.Key == l.Key {
				return GuardResult{}, fmt.Errorf("%w: rate-limit key %s twice in one check", ErrInvalidKey, l.Key)
			}
		}
		intervals[i] = interval
		keys = append(keys, g.prefix+"rate:"+l.Key)
		args = append(args, interval, l.Limit.Burst, l.Cost)
	}
	res, err := guardScript.Run(ctx, g.rdb, keys, args...).Int64Slice()
	if err != nil {
		return GuardResult{}, fmt.Errorf("redisstore: guard: %w", err)
	}
	if len(res) == 1 && res[0] == -1 && c.Nonce != "" {
		return GuardResult{Replayed: true}, nil
	}
	if len(res) != 1+2*len(c.Limits) || (res[0] != 0 && res[0] != 1) {
		return GuardResult{}, fmt.Errorf("redisstore: guard: unexpected reply %v", res)
	}
	r := GuardResult{Decisions: make([]Decision, len(c.Limits))}
	for i, l := range c.Limits {
		admits, used := res[1+2*i], res[2+2*i]
		if (admits != 0 && admits != 1) || used < 0 {
			return GuardResult{}, fmt.Errorf("redisstore: guard: unexpected reply %v", res)
		}
		r.Decisions[i] = l.Limit.decision(intervals[i], l.Cost, admits == 1, used)
	}
	if r.Allowed() != (res[0] == 1) {
		return GuardResult{}, fmt.Errorf("redisstore: guard: unexpected reply %v", res)
	}
	return r, nil
}
