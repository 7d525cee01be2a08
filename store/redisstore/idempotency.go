package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Idempotency errors. Compare with errors.Is.
var (
	// ErrIdempotencyMismatch: the key was first used for another request
	// (another fingerprint); the API answers 422 and runs nothing.
	ErrIdempotencyMismatch = errors.New("redisstore: idempotency key reused for another request")
	// ErrIdempotencyInProgress: a request with this key is still running
	// (or stopped without Finish or Release); the API answers 409.
	ErrIdempotencyInProgress = errors.New("redisstore: idempotency key in progress")
	// ErrIdempotencyNotReserved: Finish found no reservation of this
	// request to store its result in (it expired, was released, belongs to
	// another fingerprint, or holds another result already).
	ErrIdempotencyNotReserved = errors.New("redisstore: idempotency key not reserved")
	// ErrInvalidKey: an empty or over-long idempotency key or nonce, or a
	// bad scope or rate-limit key. Nothing was stored.
	ErrInvalidKey = errors.New("redisstore: invalid key")
)

// MaxKeyLen is the longest idempotency key or nonce accepted, in bytes.
const MaxKeyLen = 255

// Idempotency keeps idempotency keys with the results of their requests,
// as Stripe does: a request carrying a key runs at most once per scope and
// TTL, and a retry gets the stored answer. Each key is a hash
// <prefix>idem:<scope>:<key> holding the request's fingerprint and, once
// finished, its status and body; it expires TTL after Begin reserved it.
//
// Every call ends by the caller's deadline, or within 2 s without one
// (give the client ContextTimeoutEnabled, see JournalOptions, so that
// deadlines are honoured).
// A Begin whose reply is lost (and which a client retry repeats) leaves a
// reservation nobody finishes; retries then get ErrIdempotencyInProgress
// until the TTL ends, which is safe: nothing runs twice.
type Idempotency struct {
	rdb    *redis.Client
	prefix string
	ttlMS  int64
}

// NewIdempotency keeps keys under prefix for ttl (24 hours if 0, at least
// a millisecond).
func NewIdempotency(rdb *redis.Client, prefix string, ttl time.Duration) *Idempotency {
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	return &Idempotency{rdb: rdb, prefix: prefix, ttlMS: max(ttl.Milliseconds(), 1)}
}

// Outcome is Begin's answer when it returns no error.
type Outcome struct {
	// Replay is true when the key holds a finished request's result: the
	// caller answers with Status and Body and runs nothing. When false the
	// key is now reserved for this request: it runs, then calls Finish with
	// its answer, or Release if it failed before having any effect.
	Replay bool
	Status int    // the stored HTTP status, when Replay
	Body   []byte // the stored response body, when Replay
}

// beginScript reserves KEYS[1] for fingerprint ARGV[1] for ARGV[2] ms, or
// reports what holds it.
var beginScript = redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'fp', 'status', 'body')
if not v[1] then
	redis.call('HSET', KEYS[1], 'fp', ARGV[1])
	redis.call('PEXPIRE', KEYS[1], ARGV[2])
	return {'proceed'}
end
if v[1] ~= ARGV[1] then return {'mismatch'} end
if not v[2] then return {'busy'} end
return {'replay', v[2], v[3]}
`)

// Begin reserves key in scope for the request whose fingerprint (a hash of
// its method, path and body) is given, or returns what the key holds: a
// result to replay, ErrIdempotencyInProgress or ErrIdempotencyMismatch.
// The scope (such as an account id) must not be empty or contain ':'.
func (id *Idempotency) Begin(ctx context.Context, scope, key string, fingerprint []byte) (Outcome, error) {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	k, err := scopedKey(id.prefix+"idem:", scope, key)
	if err != nil {
		return Outcome{}, err
	}
	res, err := beginScript.Run(ctx, id.rdb, []string{k}, fingerprint, id.ttlMS).Slice()
	if err != nil {
		return Outcome{}, fmt.Errorf("redisstore: idempotency begin: %w", err)
	}
	state, _ := res[0].(string)
	switch {
	case state == "proceed":
		return Outcome{}, nil
	case state == "mismatch":
		return Outcome{}, ErrIdempotencyMismatch
	case state == "busy":
		return Outcome{}, ErrIdempotencyInProgress
	case state == "replay" && len(res) == 3:
		s, _ := res[1].(string)
		body, okBody := res[2].(string)
		status, err := strconv.Atoi(s)
		if err == nil && okBody {
			return Outcome{Replay: true, Status: status, Body: []byte(body)}, nil
		}
	}
	return Outcome{}, fmt.Errorf("redisstore: idempotency begin: unexpected reply %v", res)
}

// finishScript stores status ARGV[2] and body ARGV[3] in KEYS[1] if it is
// reserved for fingerprint ARGV[1]; storing the same result again is a
// success too.
var finishScript = redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'fp', 'status', 'body')
if v[1] ~= ARGV[1] then return 0 end
if not v[2] then
	redis.call('HSET', KEYS[1], 'status', ARGV[2], 'body', ARGV[3])
	return 1
end
if v[2] == ARGV[2] and v[3] == ARGV[3] then return 1 end
return 0
`)

// Finish stores the answer of the request that Begin let proceed, to be
// replayed to its retries until the key expires (Finish keeps the TTL that
// Begin set). It returns ErrIdempotencyNotReserved if the key is not
// reserved for this fingerprint any more, or holds another answer.
func (id *Idempotency) Finish(ctx context.Context, scope, key string, fingerprint []byte, status int, body []byte) error {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	k, err := scopedKey(id.prefix+"idem:", scope, key)
	if err != nil {
		return err
	}
	if status < 100 || status > 999 {
		return fmt.Errorf("redisstore: idempotency finish: %d is not an HTTP status", status)
	}
	stored, err := finishScript.Run(ctx, id.rdb, []string{k}, fingerprint, status, body).Int()
	if err != nil {
		return fmt.Errorf("redisstore: idempotency finish: %w", err)
	}
	if stored != 1 {
		return fmt.Errorf("%w: %s in scope %s", ErrIdempotencyNotReserved, key, scope)
	}
	return nil
}

// releaseScript deletes KEYS[1] if it is reserved for fingerprint ARGV[1]
// and holds no result.
var releaseScript = redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'fp', 'status')
if v[1] == ARGV[1] and not v[2] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// Release drops the reservation of a request that failed before having any
// effect, so that a retry runs it. It never removes a stored result nor
// another fingerprint's reservation, and releasing twice is harmless.
func (id *Idempotency) Release(ctx context.Context, scope, key string, fingerprint []byte) error {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	k, err := scopedKey(id.prefix+"idem:", scope, key)
	if err != nil {
		return err
	}
	if err := releaseScript.Run(ctx, id.rdb, []string{k}, fingerprint).Err(); err != nil {
		return fmt.Errorf("redisstore: idempotency release: %w", err)
	}
	return nil
}

// scopedKey returns base + scope + ":" + id. The scope holds no ':' so that
// different (scope, id) pairs never make the same key; id is 1 to MaxKeyLen
// bytes.
func scopedKey(base, scope, id string) (string, error) {
	switch {
	case scope == "" || strings.Contains(scope, ":"):
		return "", fmt.Errorf("%w: scope %q is empty or contains ':'", ErrInvalidKey, scope)
	case id == "":
		return "", fmt.Errorf("%w: empty", ErrInvalidKey)
	case len(id) > MaxKeyLen:
		return "", fmt.Errorf("%w: %d bytes, at most %d", ErrInvalidKey, len(id), MaxKeyLen)
	}
	return base + scope + ":" + id, nil
}
