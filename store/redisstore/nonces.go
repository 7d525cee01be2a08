package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Nonces remembers the nonces of signed requests for a while, to refuse a
// replayed signature: each used nonce is a key <prefix>nonce:<scope>:<nonce>
// that expires after the TTL given to Use. A call ends by the caller's
// deadline, or within 2 s without one (give the client
// ContextTimeoutEnabled).
type Nonces struct {
	rdb    *redis.Client
	prefix string
}

// NewNonces keeps nonces under prefix.
func NewNonces(rdb *redis.Client, prefix string) *Nonces {
	return &Nonces{rdb: rdb, prefix: prefix}
}

// Use records nonce in scope (such as an API key id, not empty and without
// ':') for ttl, at least a millisecond, and reports whether it is fresh:
// true the first time within ttl, false for a replay. The nonce is 1 to
// MaxKeyLen bytes. The TTL should cover the window in which a signature's
// timestamp is accepted, so that a nonce cannot come back once forgotten.
func (n *Nonces) Use(ctx context.Context, scope, nonce string, ttl time.Duration) (fresh bool, err error) {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	k, err := scopedKey(n.prefix+"nonce:", scope, nonce)
	if err != nil {
		return false, err
	}
	if ttl < time.Millisecond {
		return false, fmt.Errorf("redisstore: nonce ttl %v is under a millisecond", ttl)
	}
	fresh, err = n.rdb.SetNX(ctx, k, 1, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("redisstore: nonce: %w", err)
	}
	return fresh, nil
}

// callTimeout bounds a call of the API's primitives (idempotency keys,
// nonces, the rate limiter) whose context has no deadline of its own:
// every Redis call on a request's path ends.
const callTimeout = 2 * time.Second

func withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, callTimeout)
}
