package api

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/store/redisstore"
)

// upgradeSessionToken is the web session token a WebSocket upgrade
// request carries: Authorization: Bearer, else the lpx_session cookie.
// The cookie is SameSite=Strict, so other sites' pages do not send it;
// as a second guard, an upgrade carrying it from another Origin than the
// server's host is refused forbidden_origin (cross-site WebSocket
// hijacking).
func upgradeSessionToken(c *fiber.Ctx) (string, error) {
	if h := c.Get(fiber.HeaderAuthorization); strings.HasPrefix(h, "Bearer ") {
		return strings.Clone(strings.TrimPrefix(h, "Bearer ")), nil
	}
	token := c.Cookies(SessionCookie)
	if token == "" {
		return "", nil
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || !strings.EqualFold(u.Host, c.Hostname()) {
			return "", Errorf("forbidden_origin", "a page of another origin may not use this server's session cookie")
		}
	}
	return strings.Clone(token), nil
}

// logonSession logs the connection on with a web session: the session's
// account and the scopes its kind gives a session, rate-limited as the
// session's REST calls are. Orders placed on the connection are kept when
// it ends unless cancel_on_disconnect says otherwise.
func (c *wsConn) logonSession(token string, mode engine.SessionMode) (any, error) {
	s := c.s
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
	defer cancel()
	who, err := s.sessionPrincipal(ctx, token)
	if err != nil {
		return nil, err
	}
	res, err := s.deps.Guard.Check(ctx, redisstore.GuardCheck{
		Limits: []redisstore.KeyedLimit{{Key: limitKey(who), Limit: s.cfg.KeyLimit, Cost: 1}, {Key: "ip:" + c.ip, Limit: s.cfg.IPLimit, Cost: 1}},
	})
	if err != nil {
		return nil, errors.Join(errStoreDown, err)
	}
	if !res.Allowed() {
		return nil, Errorf("rate_limited", "too many requests for this session or address")
	}
	return c.openSession(ctx, who, mode)
}

// closeSessionConns closes this server's WebSocket connections logged on
// with the web session of tokenHash (it was signed out). Connections on
// other servers of the exchange stay until they close.
func (s *Server) closeSessionConns(tokenHash []byte) {
	s.connsMu.Lock()
	defer s.connsMu.Unlock()
	for c := range s.conns {
		if p := c.principal(); p != nil && p.SessionHash != nil && bytes.Equal(p.SessionHash, tokenHash) {
			c.close("the session was signed out")
		}
	}
}
