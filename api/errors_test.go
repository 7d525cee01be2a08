package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// TestErrorAnswers: the one table's statuses and codes reach the client;
// an unknown error is a 500 "internal" whose details go to the log only,
// with the request id that finds them there.
func TestErrorAnswers(t *testing.T) {
	var logged bytes.Buffer
	s := &Server{cfg: Config{Log: slog.New(slog.NewTextHandler(&logged, nil))}}
	app := fiber.New(fiber.Config{ErrorHandler: s.handleError})
	app.Use(s.requestID)
	failWith := map[string]error{
		"/engine":  engineError(engine.CodeInsufficientBalance, engine.CmdPlaceOrder),
		"/journal": exchange.ErrUnavailable,
		"/missing": sqlstore.ErrNotFound,
		"/secret":  errors.New("dial tcp 10.0.0.7:5432: password authentication failed for user lpx"),
	}
	for path, err := range failWith {
		app.Get(path, func(*fiber.Ctx) error { return err })
	}
	cases := []struct {
		path   string
		status int
		code   string
	}{
		{"/engine", 422, "insufficient_balance"},
		{"/journal", 503, "unavailable"},
		{"/missing", 404, "not_found"},
		{"/secret", 500, "internal"},
	}
	for _, c := range cases {
		resp, err := app.Test(httptest.NewRequest("GET", c.path, nil))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		var answer struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(body, &answer); err != nil || resp.StatusCode != c.status || answer.Error.Code != c.code {
			t.Fatalf("%s: %d %s, want %d %s", c.path, resp.StatusCode, body, c.status, c.code)
		}
		if c.status == 500 {
			id := resp.Header.Get("X-Request-Id")
			if strings.Contains(string(body), "password") || !strings.Contains(answer.Error.Message, id) || id == "" {
				t.Fatalf("a 500 answered %s (request id %q)", body, id)
			}
			if !strings.Contains(logged.String(), "password authentication failed") || !strings.Contains(logged.String(), id) {
				t.Fatalf("the log lacks the error or the request id: %s", logged.String())
			}
		}
		if c.status == 503 && resp.Header.Get("Retry-After") == "" {
			t.Fatalf("%s: a 503 without Retry-After", c.path)
		}
	}
}
