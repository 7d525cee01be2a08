package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/store/redisstore"
	"github.com/lpx-exchange/lpx/store/sqlstore"
	"github.com/lpx-exchange/lpx/tokens"
)

// Error is an answer the client may see: an HTTP status, a stable
// snake_case code and a message in plain words. Handlers return it (or
// any error; see errorOf) and the error handler writes
// {"error":{"code":..,"message":..}}.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("api: %d %s: %s", e.Status, e.Code, e.Message) }

// Errorf returns an *Error with the status of code in the table (400 for
// a code not in it).
func Errorf(code, format string, args ...any) *Error {
	return &Error{Status: statusOf(code), Code: code, Message: fmt.Sprintf(format, args...)}
}

// statusOfCode is the one table from error codes to HTTP statuses. The
// engine's codes are here under their names (engine.Code.String()); a
// code missing from the table is a 400.
var statusOfCode = map[string]int{
	// Credentials and permissions.
	"unauthorized":     http.StatusUnauthorized,
	"bad_signature":    http.StatusUnauthorized,
	"stale_timestamp":  http.StatusUnauthorized,
	"replayed":         http.StatusUnauthorized,
	"key_revoked":      http.StatusUnauthorized,
	"session_expired":  http.StatusUnauthorized,
	"siwe_invalid":     http.StatusUnauthorized,
	"forbidden":        http.StatusForbidden,
	"forbidden_origin": http.StatusForbidden,
	"not_brand":        http.StatusForbidden,
	"not_brands_asset": http.StatusForbidden,
	// Not there (or not yours: another account's ids are answered alike).
	"not_found":           http.StatusNotFound,
	"route_not_found":     http.StatusNotFound,
	"unknown_account":     http.StatusNotFound,
	"unknown_asset":       http.StatusNotFound,
	"unknown_market":      http.StatusNotFound,
	"unknown_order":       http.StatusNotFound,
	"unknown_withdrawal":  http.StatusNotFound,
	"unknown_redemption":  http.StatusNotFound,
	"unknown_session":     http.StatusNotFound,
	"method_not_allowed":  http.StatusMethodNotAllowed,
	"body_too_large":      http.StatusRequestEntityTooLarge,
	"unsupported_content": http.StatusUnsupportedMediaType,
	// Conflicts with what exists.
	"duplicate":                 http.StatusConflict,
	"conflict":                  http.StatusConflict,
	"duplicate_asset":           http.StatusConflict,
	"duplicate_market":          http.StatusConflict,
	"duplicate_deposit":         http.StatusConflict,
	"duplicate_withdrawal":      http.StatusConflict,
	"duplicate_client_order_id": http.StatusConflict,
	"duplicate_issue":           http.StatusConflict,
	"idempotency_key_reused":    http.StatusConflict,
	"idempotency_in_progress":   http.StatusConflict,
	"already_registered":        http.StatusConflict,
	"already_logged_on":         http.StatusConflict,
	"wallet_in_use":             http.StatusConflict,
	"challenge_used":            http.StatusConflict,
	"reference_reused":          http.StatusConflict,
	"redemption_settled":        http.StatusConflict,
	// Well-formed, but the state of the exchange refuses it.
	"insufficient_balance":   http.StatusUnprocessableEntity,
	"market_halted":          http.StatusUnprocessableEntity,
	"post_only_would_cross":  http.StatusUnprocessableEntity,
	"fok_unfillable":         http.StatusUnprocessableEntity,
	"nothing_to_amend":       http.StatusUnprocessableEntity,
	"asset_expired":          http.StatusUnprocessableEntity,
	"no_route":               http.StatusUnprocessableEntity,
	"insufficient_liquidity": http.StatusUnprocessableEntity,
	"swap_below_minimum":     http.StatusUnprocessableEntity,
	"not_redeemable":         http.StatusUnprocessableEntity,
	"amount_overflow":        http.StatusUnprocessableEntity,
	"too_many_sessions":      http.StatusUnprocessableEntity,
	"wallet_not_linked":      http.StatusUnprocessableEntity,
	"no_token_program":       http.StatusUnprocessableEntity,
	"not_a_token":            http.StatusUnprocessableEntity,
	"brand_account_required": http.StatusUnprocessableEntity,
	"no_token_factory":       http.StatusUnprocessableEntity,
	"asset_refused":          http.StatusUnprocessableEntity,
	"transaction_reverted":   http.StatusUnprocessableEntity,
	// Too fast.
	"rate_limited": http.StatusTooManyRequests,
	// The exchange cannot answer now; nothing was applied (but see
	// outcome_unknown).
	"unavailable":       http.StatusServiceUnavailable,
	"overloaded":        http.StatusServiceUnavailable,
	"outcome_unknown":   http.StatusServiceUnavailable,
	"timeout":           http.StatusServiceUnavailable,
	"chain_unavailable": http.StatusServiceUnavailable,
	"internal":          http.StatusInternalServerError,
	// The token was deployed (or the asset created) but its program could
	// not be stored: registering the token again adopts it.
	"program_not_stored": http.StatusInternalServerError,
}

func statusOf(code string) int {
	if s, ok := statusOfCode[code]; ok {
		return s
	}
	return http.StatusBadRequest
}

// engineError is the answer to a command the engine rejected.
func engineError(code engine.Code, cmd engine.CommandKind) *Error {
	return Errorf(code.String(), "%s refused: %s", cmd, code)
}

// errorOf maps err to what the client sees; ok is false for an error the
// table does not know (a 500, logged in full, never shown).
func errorOf(err error) (e *Error, ok bool) {
	var ae *Error
	var fe *fiber.Error
	var se *json.SyntaxError
	switch {
	case errors.As(err, &ae):
		return ae, true
	case errors.As(err, &fe):
		switch fe.Code {
		case http.StatusNotFound:
			return Errorf("route_not_found", "no such route"), true
		case http.StatusMethodNotAllowed:
			return Errorf("method_not_allowed", "method not allowed on this route"), true
		case http.StatusRequestEntityTooLarge:
			return Errorf("body_too_large", "the request body is too large"), true
		}
		if fe.Code >= 400 && fe.Code < 500 {
			return &Error{Status: fe.Code, Code: "bad_request", Message: fe.Message}, true
		}
	case errors.As(err, &se):
		return Errorf("malformed_json", "malformed JSON at byte %d", se.Offset), true
	case errors.Is(err, exchange.ErrOverloaded):
		return Errorf("overloaded", "the exchange is busy; nothing was done, try again"), true
	case errors.Is(err, exchange.ErrUnavailable), errors.Is(err, exchange.ErrStopped):
		return Errorf("unavailable", "the exchange cannot store commands right now; nothing was done, try again"), true
	case errors.Is(err, exchange.ErrOutcomeUnknown):
		return Errorf("outcome_unknown", "the exchange stopped before it knew whether the command was stored; look before retrying"), true
	case errors.Is(err, context.DeadlineExceeded):
		return Errorf("timeout", "the exchange did not answer in time"), true
	case errors.Is(err, redisstore.ErrIdempotencyMismatch):
		return Errorf("idempotency_key_reused", "this Idempotency-Key was used for a different request"), true
	case errors.Is(err, redisstore.ErrIdempotencyInProgress):
		return Errorf("idempotency_in_progress", "a request with this Idempotency-Key is still running"), true
	case errors.Is(err, redisstore.ErrInvalidKey):
		return Errorf("invalid_idempotency_key", "the Idempotency-Key is empty or longer than %d bytes", redisstore.MaxKeyLen), true
	case errors.Is(err, sqlstore.ErrNotFound):
		return Errorf("not_found", "not found"), true
	case errors.Is(err, sqlstore.ErrDuplicate):
		return Errorf("duplicate", "%s", trimPrefix(err)), true
	case errors.Is(err, sqlstore.ErrConflict):
		return Errorf("conflict", "%s", trimPrefix(err)), true
	case errors.Is(err, sqlstore.ErrInvalid):
		return Errorf("invalid_request", "%s", trimPrefix(err)), true
	case errors.Is(err, tokens.ErrTooManyDecimals):
		return Errorf("too_many_decimals", "%s", trimPrefix(err)), true
	case errors.Is(err, tokens.ErrBadAmount):
		return Errorf("invalid_amount", "%s", trimPrefix(err)), true
	case isRedisDown(err):
		return Errorf("unavailable", "a store the exchange needs is unreachable; nothing was done, try again"), true
	}
	return nil, false
}

// trimPrefix is err's message, which for the stores' validation errors
// names the field and the rule; it never carries secrets.
func trimPrefix(err error) string { return err.Error() }

// isRedisDown reports a connection failure to Redis (refused, reset,
// timed out): the request is answered 503.
func isRedisDown(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) || errors.Is(err, errStoreDown)
}

// errStoreDown is wrapped by checks that found a store unreachable.
var errStoreDown = errors.New("api: store unreachable")
