package redisstore

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/redis/go-redis/v9"
)

// backend is a Redis server to test against, with a way to let its TTLs
// run down.
type backend struct {
	rdb    *redis.Client
	prefix string
	pass   func(time.Duration) // let at least this much TTL time pass
}

// onRedisAndMiniredis runs test against the real Redis and against an
// embedded miniredis, the product's embedded default: the same code must
// work on both.
func onRedisAndMiniredis(t *testing.T, test func(t *testing.T, b backend)) {
	t.Run("redis", func(t *testing.T) {
		rdb, prefix := servicetest.Redis(t, nil)
		test(t, backend{rdb: rdb, prefix: prefix, pass: time.Sleep})
	})
	t.Run("miniredis", func(t *testing.T) {
		m := miniredis.RunT(t)
		m.ClockTTL(true)
		rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
		t.Cleanup(func() { rdb.Close() })
		test(t, backend{rdb: rdb, prefix: "lpxtest:", pass: m.FastForward})
	})
}

func TestIdempotencyFinishThenReplay(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		id := NewIdempotency(b.rdb, b.prefix, time.Hour)
		fp := []byte("POST /v1/swaps {\"amount\":\"5\"}")
		if out, err := id.Begin(ctx, "acct1", "k1", fp); err != nil || out.Replay {
			t.Fatalf("first begin: %+v %v, want to proceed", out, err)
		}
		if _, err := id.Begin(ctx, "acct1", "k1", fp); !errors.Is(err, ErrIdempotencyInProgress) {
			t.Fatalf("second begin while running: %v, want in progress", err)
		}
		if _, err := id.Begin(ctx, "acct1", "k1", []byte("other")); !errors.Is(err, ErrIdempotencyMismatch) {
			t.Fatalf("begin with another fingerprint: %v, want mismatch", err)
		}
		if err := id.Finish(ctx, "acct1", "k1", []byte("other"), 200, []byte("x")); !errors.Is(err, ErrIdempotencyNotReserved) {
			t.Fatalf("finish with another fingerprint: %v, want not reserved", err)
		}
		body := []byte("{\"id\":7}\x00\xff\n")
		if err := id.Finish(ctx, "acct1", "k1", fp, 201, body); err != nil {
			t.Fatalf("finish: %v", err)
		}
		if err := id.Finish(ctx, "acct1", "k1", fp, 201, body); err != nil {
			t.Fatalf("finishing again with the same answer: %v", err)
		}
		if err := id.Finish(ctx, "acct1", "k1", fp, 500, []byte("late")); !errors.Is(err, ErrIdempotencyNotReserved) {
			t.Fatalf("finishing with another answer: %v, want not reserved", err)
		}
		for range 2 {
			out, err := id.Begin(ctx, "acct1", "k1", fp)
			if err != nil || !out.Replay || out.Status != 201 || !bytes.Equal(out.Body, body) {
				t.Fatalf("replay: %+v %v, want 201 %q", out, err, body)
			}
		}
		if _, err := id.Begin(ctx, "acct1", "k1", []byte("other")); !errors.Is(err, ErrIdempotencyMismatch) {
			t.Fatalf("begin with another fingerprint after finish: %v, want mismatch", err)
		}
		// An empty body replays as an empty body.
		if _, err := id.Begin(ctx, "acct1", "k2", fp); err != nil {
			t.Fatal(err)
		}
		if err := id.Finish(ctx, "acct1", "k2", fp, 204, nil); err != nil {
			t.Fatal(err)
		}
		if out, err := id.Begin(ctx, "acct1", "k2", fp); err != nil || !out.Replay || out.Status != 204 || len(out.Body) != 0 {
			t.Fatalf("replay of 204: %+v %v", out, err)
		}
		// The same key in another scope is another key.
		if out, err := id.Begin(ctx, "acct2", "k1", []byte("other")); err != nil || out.Replay {
			t.Fatalf("the key in another scope: %+v %v, want to proceed", out, err)
		}
		// Finish keeps the TTL that Begin set.
		ttl := b.rdb.PTTL(ctx, b.prefix+"idem:acct1:k1").Val()
		if ttl <= 59*time.Minute || ttl > time.Hour {
			t.Fatalf("TTL after finish: %v, want about an hour", ttl)
		}
	})
}

func TestIdempotencyConcurrentBegin(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		id := NewIdempotency(b.rdb, b.prefix, time.Hour)
		const n = 16
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				var out Outcome
				out, errs[i] = id.Begin(context.Background(), "acct1", "same", []byte("fp"))
				if errs[i] == nil && out.Replay {
					errs[i] = errors.New("replay before finish")
				}
			})
		}
		wg.Wait()
		proceeded := 0
		for _, err := range errs {
			switch {
			case err == nil:
				proceeded++
			case !errors.Is(err, ErrIdempotencyInProgress):
				t.Fatalf("concurrent begin: %v", err)
			}
		}
		if proceeded != 1 {
			t.Fatalf("%d of %d concurrent begins proceeded, want 1", proceeded, n)
		}
	})
}

func TestIdempotencyRelease(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		id := NewIdempotency(b.rdb, b.prefix, time.Hour)
		fp := []byte("fp")
		if _, err := id.Begin(ctx, "acct1", "k", fp); err != nil {
			t.Fatal(err)
		}
		// Another fingerprint cannot release the reservation.
		if err := id.Release(ctx, "acct1", "k", []byte("other")); err != nil {
			t.Fatal(err)
		}
		if _, err := id.Begin(ctx, "acct1", "k", fp); !errors.Is(err, ErrIdempotencyInProgress) {
			t.Fatalf("after a foreign release: %v, want in progress", err)
		}
		if err := id.Release(ctx, "acct1", "k", fp); err != nil {
			t.Fatal(err)
		}
		if err := id.Finish(ctx, "acct1", "k", fp, 200, []byte("x")); !errors.Is(err, ErrIdempotencyNotReserved) {
			t.Fatalf("finish after release: %v, want not reserved", err)
		}
		if err := id.Release(ctx, "acct1", "k", fp); err != nil {
			t.Fatalf("releasing twice: %v", err)
		}
		// A retry proceeds, and may even be another request now.
		if out, err := id.Begin(ctx, "acct1", "k", []byte("retry")); err != nil || out.Replay {
			t.Fatalf("begin after release: %+v %v, want to proceed", out, err)
		}
		if err := id.Finish(ctx, "acct1", "k", []byte("retry"), 200, []byte("done")); err != nil {
			t.Fatal(err)
		}
		// Release after Finish keeps the result.
		if err := id.Release(ctx, "acct1", "k", []byte("retry")); err != nil {
			t.Fatal(err)
		}
		if out, err := id.Begin(ctx, "acct1", "k", []byte("retry")); err != nil || !out.Replay || string(out.Body) != "done" {
			t.Fatalf("replay after a release of a finished key: %+v %v", out, err)
		}
	})
}

func TestIdempotencyExpiry(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		id := NewIdempotency(b.rdb, b.prefix, 200*time.Millisecond)
		fp := []byte("fp")
		for _, k := range []string{"running", "finished"} {
			if _, err := id.Begin(ctx, "acct1", k, fp); err != nil {
				t.Fatal(err)
			}
		}
		if err := id.Finish(ctx, "acct1", "finished", fp, 200, []byte("x")); err != nil {
			t.Fatal(err)
		}
		b.pass(300 * time.Millisecond)
		for _, k := range []string{"running", "finished"} {
			if out, err := id.Begin(ctx, "acct1", k, []byte("new")); err != nil || out.Replay {
				t.Fatalf("%s key after its TTL: %+v %v, want to proceed", k, out, err)
			}
		}
		if err := id.Finish(ctx, "acct1", "running", fp, 200, []byte("x")); !errors.Is(err, ErrIdempotencyNotReserved) {
			t.Fatalf("finish after expiry and reuse: %v, want not reserved", err)
		}
	})
}

func TestIdempotencyInvalidKeys(t *testing.T) {
	onRedisAndMiniredis(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		id := NewIdempotency(b.rdb, b.prefix, time.Hour)
		for _, c := range []struct{ scope, key string }{
			{"acct1", ""},
			{"acct1", strings.Repeat("k", MaxKeyLen+1)},
			{"", "k"},
			{"acct:1", "k"},
		} {
			if _, err := id.Begin(ctx, c.scope, c.key, []byte("fp")); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("begin %q %d bytes: %v, want invalid key", c.scope, len(c.key), err)
			}
			if err := id.Finish(ctx, c.scope, c.key, []byte("fp"), 200, nil); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("finish %q %d bytes: %v, want invalid key", c.scope, len(c.key), err)
			}
			if err := id.Release(ctx, c.scope, c.key, []byte("fp")); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("release %q %d bytes: %v, want invalid key", c.scope, len(c.key), err)
			}
		}
		long := strings.Repeat("k", MaxKeyLen)
		if out, err := id.Begin(ctx, "acct1", long, []byte("fp")); err != nil || out.Replay {
			t.Fatalf("a key of %d bytes: %+v %v", MaxKeyLen, out, err)
		}
		if err := id.Finish(ctx, "acct1", long, []byte("fp"), 99, nil); err == nil {
			t.Fatal("finish with status 99 succeeded")
		}
		if n := b.rdb.Exists(ctx, b.prefix+"idem:acct1:"+long).Val(); n != 1 {
			t.Fatal("the reservation is not where its key says")
		}
	})
}
