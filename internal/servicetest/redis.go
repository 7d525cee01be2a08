package servicetest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisURL is the test Redis: LPX_TEST_REDIS_URL, or the local one.
func RedisURL() string {
	if url := os.Getenv("LPX_TEST_REDIS_URL"); url != "" {
		return url
	}
	return "redis://127.0.0.1:6379/0"
}

// Redis returns a client on the test Redis, made from its options after
// adjust (nil keeps them), and a key prefix that is the test's own; the
// test's keys are deleted when it ends.
func Redis(t testing.TB, adjust func(*redis.Options) *redis.Options) (*redis.Client, string) {
	t.Helper()
	opt, err := redis.ParseURL(RedisURL())
	if err != nil {
		t.Fatalf("LPX_TEST_REDIS_URL: %v", err)
	}
	if adjust != nil {
		opt = adjust(opt)
	}
	rdb := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		if os.Getenv("LPX_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatalf("Redis at %s is unreachable and LPX_TEST_REQUIRE_SERVICES=1: %v", RedisURL(), err)
		}
		t.Skipf("Redis at %s is unreachable (%v): start redis-server or set LPX_TEST_REDIS_URL", RedisURL(), err)
	}
	prefix := fmt.Sprintf("lpxtest:%s:%d:%d:", strings.ReplaceAll(t.Name(), "/", "."), os.Getpid(), time.Now().UnixNano())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		iter := rdb.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		rdb.Close()
	})
	return rdb, prefix
}
