// Package servicetest connects tests to the real services on this machine:
// Redis (a key prefix per test, cleaned up at its end; StartRedis for a
// private redis-server a test may kill), PostgreSQL (a schema per test,
// dropped at its end), and geth --dev (a node per test, stopped by its
// pid), plus a TCP proxy that drops chosen requests or replies. Without
// the service the test is skipped with a message naming the fix, or fails
// when LPX_TEST_REQUIRE_SERVICES=1 (as .ci/run sets).
package servicetest
