package api

import (
	"crypto/sha256"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// HeaderIdempotencyKey makes a swap, withdrawal, issue or redemption run
// at most once per account: a repeat with the same key and body gets the
// first answer; the same key with another body is a 409.
const HeaderIdempotencyKey = "Idempotency-Key"

// idempotent wraps a handler with the Idempotency-Key rule. Every answer
// is kept for the key's lifetime (24 h) except a 503, which means nothing
// was done: its key is released so the client can retry.
func (s *Server) idempotent(h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		key := c.Get(HeaderIdempotencyKey)
		if key == "" {
			return h(c)
		}
		scope := strconv.FormatUint(uint64(who(c).Account), 10)
		fp := sha256.New()
		fp.Write([]byte(c.Method()))
		fp.Write([]byte{0})
		fp.Write([]byte(c.Path()))
		fp.Write([]byte{0})
		fp.Write(c.Body())
		fingerprint := fp.Sum(nil)
		ctx, cancel := s.ctx(c)
		defer cancel()
		out, err := s.deps.Idempotency.Begin(ctx, scope, key, fingerprint)
		if err != nil {
			return err
		}
		if out.Replay {
			c.Set("Idempotent-Replayed", "true")
			c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
			return c.Status(out.Status).Send(out.Body)
		}
		if err := h(c); err != nil {
			if herr := s.handleError(c, err); herr != nil {
				return herr
			}
		}
		status := c.Response().StatusCode()
		if status == fiber.StatusServiceUnavailable {
			if rerr := s.deps.Idempotency.Release(ctx, scope, key, fingerprint); rerr != nil {
				s.cfg.Log.Warn("idempotency key not released; retries wait for it to expire", "key", key, "err", rerr)
			}
			return nil
		}
		body := append([]byte(nil), c.Response().Body()...)
		if ferr := s.deps.Idempotency.Finish(ctx, scope, key, fingerprint, status, body); ferr != nil {
			s.cfg.Log.Warn("idempotency answer not stored; retries are refused as in progress until the key expires", "key", key, "err", ferr)
		}
		return nil
	}
}
