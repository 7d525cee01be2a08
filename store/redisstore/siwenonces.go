package redisstore

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// MaxSIWENonceLen is the longest nonce SIWENonces.Consume looks up, in
// bytes; Issue's nonces are shorter (26 today).
const MaxSIWENonceLen = 64

// SIWENonces issues the nonces of sign-in with Ethereum (EIP-4361): the
// server gives one to a client, which signs a message holding it, and the
// nonce is good for one sign-in within its TTL. Each nonce is a key
// <prefix>siwe:<nonce>. A call ends by the caller's deadline, or within
// 2 s without one (give the client ContextTimeoutEnabled).
type SIWENonces struct {
	rdb    *redis.Client
	prefix string
}

// NewSIWENonces keeps nonces under prefix + "siwe:".
func NewSIWENonces(rdb *redis.Client, prefix string) *SIWENonces {
	return &SIWENonces{rdb: rdb, prefix: prefix}
}

// Issue returns a new nonce, good for one Consume within ttl (at least a
// millisecond): crypto/rand.Text, 26 characters from A–Z and 2–7 holding
// 128 random bits, alphanumeric as EIP-4361 asks.
func (s *SIWENonces) Issue(ctx context.Context, ttl time.Duration) (string, error) {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	if ttl < time.Millisecond {
		return "", fmt.Errorf("redisstore: siwe nonce ttl %v is under a millisecond", ttl)
	}
	nonce := rand.Text()
	fresh, err := s.rdb.SetNX(ctx, s.prefix+"siwe:"+nonce, 1, ttl).Result()
	if err != nil {
		return "", fmt.Errorf("redisstore: siwe nonce: %w", err)
	}
	if !fresh { // 128 random bits met an issued nonce: never expected
		return "", fmt.Errorf("redisstore: siwe nonce: %s is taken", nonce)
	}
	return nonce, nil
}

// Consume uses up nonce and reports whether it was issued and still good:
// true once, then false, and false for an unknown or expired nonce. A
// nonce that is not 8 to MaxSIWENonceLen ASCII letters and digits is
// reported false without asking Redis.
func (s *SIWENonces) Consume(ctx context.Context, nonce string) (ok bool, err error) {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	if !siweNonceShape(nonce) {
		return false, nil
	}
	n, err := s.rdb.Del(ctx, s.prefix+"siwe:"+nonce).Result()
	if err != nil {
		return false, fmt.Errorf("redisstore: siwe nonce: %w", err)
	}
	return n == 1, nil
}

// siweNonceShape reports whether nonce is 8 to MaxSIWENonceLen ASCII
// letters and digits, as EIP-4361 allows (it asks for at least 8).
func siweNonceShape(nonce string) bool {
	if len(nonce) < 8 || len(nonce) > MaxSIWENonceLen {
		return false
	}
	for i := range len(nonce) {
		c := nonce[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
