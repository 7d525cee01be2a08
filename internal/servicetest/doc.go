// Package servicetest connects tests to the real services on this machine
// (Redis now; PostgreSQL when the SQL store arrives). A test gets its own
// key prefix, cleaned up when it ends. Without the service the test is
// skipped with a message naming the fix, or fails when
// LPX_TEST_REQUIRE_SERVICES=1 (as .ci/run sets).
package servicetest
