package redisstore

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestNoncesReplayAndExpiry(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		n := NewNonces(b.rdb, b.prefix)
		use := func(scope, nonce string, want bool) {
			t.Helper()
			if fresh, err := n.Use(ctx, scope, nonce, 200*time.Millisecond); err != nil || fresh != want {
				t.Fatalf("use %s %s: fresh %v, %v; want %v", scope, nonce, fresh, err, want)
			}
		}
		use("key1", "n1", true)
		use("key1", "n1", false)
		use("key1", "n2", true)
		use("key2", "n1", true) // another scope
		b.pass(300 * time.Millisecond)
		use("key1", "n1", true)
		use("key1", "n1", false)
	})
}

func TestNoncesConcurrentUse(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		n := NewNonces(b.rdb, b.prefix)
		var fresh atomic.Int32
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				ok, err := n.Use(context.Background(), "key1", "n", time.Minute)
				if err != nil {
					t.Error(err)
				}
				if ok {
					fresh.Add(1)
				}
			})
		}
		wg.Wait()
		if got := fresh.Load(); got != 1 {
			t.Fatalf("%d concurrent uses of one nonce were fresh, want 1", got)
		}
	})
}

func TestNoncesInvalid(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		n := NewNonces(b.rdb, b.prefix)
		for _, c := range []struct{ scope, nonce string }{
			{"key1", ""}, {"key1", strings.Repeat("n", MaxKeyLen+1)}, {"", "n"}, {"a:b", "n"},
		} {
			if _, err := n.Use(ctx, c.scope, c.nonce, time.Minute); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("use %q, %d bytes: %v, want invalid key", c.scope, len(c.nonce), err)
			}
		}
		if _, err := n.Use(ctx, "key1", "n", time.Microsecond); err == nil {
			t.Error("a TTL under a millisecond was accepted")
		}
	})
}
