// Package redisstore keeps lpx's state in Redis: the command journal and
// the event log (both a Journal: a stream of batches), snapshots in
// chunks, the public market data with its pub/sub channels (MarketData),
// and the API's small primitives: idempotency keys with stored results
// (Idempotency), replay nonces (Nonces), a GCRA rate limiter
// (RateLimiter), a Guard that checks a request's nonce and all its rate
// limits in one atomic script, and the single-use nonces of sign-in with
// Ethereum (SIWENonces). It knows Redis, not the engine's types: it stores
// sequence ranges and bytes, and the plain types of package marketdata.
// Everything here runs the same on a real Redis and on the embedded
// miniredis; the tests run on both.
//
// The journal is a Redis stream with one entry per batch, under the explicit
// entry id "<first seq>-0", holding the last sequence number, the batch
// bytes and a CRC-32C of the three. Its client never retries by itself (a
// retried XADD after a lost reply could store a batch twice, or answer an
// error for a batch that is stored), and every call has a deadline. What a
// nil Append guarantees is what the Redis server's persistence gives:
// with appendonly yes and appendfsync always the batch is on disk; with
// everysec up to a second of acknowledged batches can be lost in a power
// failure; with appendonly no, only what the last RDB snapshot holds
// survives a Redis restart.
package redisstore
