package api

import (
	_ "embed"
	"time"

	"github.com/gofiber/fiber/v2"
)

// openAPIDocument describes every route of the API (checked by the tests).
//
//go:embed openapi.yaml
var openAPIDocument []byte

func (s *Server) openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "application/yaml")
	return c.Send(openAPIDocument)
}

// healthz answers while the process serves HTTP.
func (s *Server) healthz(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) }

// readyz answers 200 when Redis, the database and the chain answer, 503
// naming what does not.
func (s *Server) readyz(c *fiber.Ctx) error {
	if s.deps.Ready != nil {
		ctx, cancel := s.ctx(c)
		defer cancel()
		if err := s.deps.Ready(ctx); err != nil {
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"error": fiber.Map{"code": "not_ready", "message": err.Error()}})
		}
	}
	return c.JSON(fiber.Map{"status": "ready"})
}

// getTime answers the server's clock, for clients that sign requests.
func (s *Server) getTime(c *fiber.Ctx) error {
	now := s.cfg.Now()
	return c.JSON(fiber.Map{"time": now.UTC().Format(time.RFC3339Nano), "unix_ms": now.UnixMilli()})
}
