package redisstore

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestSIWENoncesIssueAndConsume(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := NewSIWENonces(b.rdb, b.prefix)
		n1, err := s.Issue(ctx, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(n1) < 16 || !siweNonceShape(n1) {
			t.Fatalf("nonce %q: want at least 16 letters and digits", n1)
		}
		key := b.prefix + "siwe:" + n1
		within(t, "key TTL", b.rdb.PTTL(ctx, key).Val(), 59*time.Second, time.Minute)
		n2, err := s.Issue(ctx, time.Minute)
		if err != nil || n2 == n1 {
			t.Fatalf("second nonce %q (first %q): %v", n2, n1, err)
		}
		consume := func(nonce string, want bool) {
			t.Helper()
			if ok, err := s.Consume(ctx, nonce); err != nil || ok != want {
				t.Fatalf("consume %q: %v, %v; want %v", nonce, ok, err, want)
			}
		}
		consume(n1, true)
		consume(n1, false) // single use
		if n := b.rdb.Exists(ctx, key).Val(); n != 0 {
			t.Fatal("a consumed nonce is still stored")
		}
		consume(strings.ToLower(n2), false) // unknown, though well formed
		consume("abcdefgh12345678", false)
		consume(n2, true)
		consume(n2, false)

		if _, err := s.Issue(ctx, time.Microsecond); err == nil {
			t.Error("a TTL under a millisecond was accepted")
		}
		if keys := b.rdb.Keys(ctx, b.prefix+"*").Val(); len(keys) != 0 {
			t.Fatalf("left %v", keys)
		}
	})
}

func TestSIWENoncesExpiry(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := NewSIWENonces(b.rdb, b.prefix)
		short, err := s.Issue(ctx, 20*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		long, err := s.Issue(ctx, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		b.pass(50 * time.Millisecond)
		if ok, err := s.Consume(ctx, short); err != nil || ok {
			t.Fatalf("expired nonce: %v, %v; want false", ok, err)
		}
		if ok, err := s.Consume(ctx, long); err != nil || !ok {
			t.Fatalf("nonce within its TTL: %v, %v; want true", ok, err)
		}
	})
}

func TestSIWENoncesConcurrentConsume(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		s := NewSIWENonces(b.rdb, b.prefix)
		nonce, err := s.Issue(context.Background(), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		var won atomic.Int32
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				ok, err := s.Consume(context.Background(), nonce)
				if err != nil {
					t.Error(err)
				}
				if ok {
					won.Add(1)
				}
			})
		}
		wg.Wait()
		if got := won.Load(); got != 1 {
			t.Fatalf("%d concurrent consumes of one nonce succeeded, want 1", got)
		}
	})
}

// TestSIWENoncesJunk consumes malformed nonces: false, without asking
// Redis (the canceled context would make any Redis call fail), and nothing
// is deleted.
func TestSIWENoncesJunk(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := NewSIWENonces(b.rdb, b.prefix)
		nonce, err := s.Issue(ctx, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		// A key that a nonce escaping "siwe:" could reach.
		outside := b.prefix + "nonce:key1:n"
		if err := b.rdb.Set(ctx, outside, 1, time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		canceled, cancel := context.WithCancel(ctx)
		cancel()
		for _, junk := range []string{
			"", "abc1234", nonce[:7], nonce + ":", ":" + nonce, "../nonce:key1:n", "x:nonce:key1:n",
			"*", nonce[:10] + "*", nonce + " ", "abcdefgh\x00", "abcdéfghij", "abcdefgh-123",
			strings.Repeat("a", MaxSIWENonceLen+1),
		} {
			if ok, err := s.Consume(canceled, junk); err != nil || ok {
				t.Errorf("consume %q: %v, %v; want false without an error", junk, ok, err)
			}
		}
		if ok, err := s.Consume(canceled, nonce); err == nil || ok {
			t.Fatalf("a well-formed nonce with a canceled context: %v, %v; want an error", ok, err)
		}
		if n := b.rdb.Exists(ctx, outside, b.prefix+"siwe:"+nonce).Val(); n != 2 {
			t.Fatalf("%d of the 2 keys left", n)
		}
		if ok, err := s.Consume(ctx, strings.Repeat("a", MaxSIWENonceLen)); err != nil || ok {
			t.Fatalf("the longest nonce looked up: %v, %v; want false", ok, err)
		}
		if ok, err := s.Consume(ctx, nonce); err != nil || !ok {
			t.Fatalf("consume after the junk: %v, %v; want true", ok, err)
		}
	})
}
