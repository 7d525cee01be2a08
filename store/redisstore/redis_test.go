package redisstore

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// testRedis connects to the test Redis (LPX_TEST_REDIS_URL, by default the
// local one) with journal options and returns a key prefix of the test's
// own; its keys are deleted when the test ends. Without Redis the test is
// skipped, or fails when LPX_TEST_REQUIRE_SERVICES=1 (as in CI).
func testRedis(t *testing.T) (*redis.Client, string) {
	t.Helper()
	url := os.Getenv("LPX_TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("LPX_TEST_REDIS_URL: %v", err)
	}
	rdb := redis.NewClient(JournalOptions(opt))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		if os.Getenv("LPX_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatalf("Redis at %s is unreachable and LPX_TEST_REQUIRE_SERVICES=1: %v", url, err)
		}
		t.Skipf("Redis at %s is unreachable (%v): start redis-server or set LPX_TEST_REDIS_URL", url, err)
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
