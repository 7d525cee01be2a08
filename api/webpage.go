package api

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/api/web"
)

// webFile serves the web page's files (package api/web): index.html at
// "/", the others at their paths. A path under /v1, or one that is no
// file, goes on to the 404 route_not_found: the page routes with URL
// fragments (#/swap), so no catch-all answers index.html.
func (s *Server) webFile(c *fiber.Ctx) error {
	p := c.Path()
	if p == "/v1" || strings.HasPrefix(p, "/v1/") {
		return c.Next()
	}
	f, ok := web.Lookup(p)
	if !ok {
		return c.Next()
	}
	body, etag := f.Body, f.ETag
	if f.Gzip != nil {
		c.Vary(fiber.HeaderAcceptEncoding)
		if acceptsGzip(c.Get(fiber.HeaderAcceptEncoding)) {
			body, etag = f.Gzip, f.GzipETag
			c.Set(fiber.HeaderContentEncoding, "gzip")
		}
	}
	c.Set(fiber.HeaderContentType, f.ContentType)
	c.Set(fiber.HeaderCacheControl, f.CacheControl)
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderReferrerPolicy, "same-origin")
	c.Set(fiber.HeaderContentSecurityPolicy, s.contentSecurityPolicy())
	if match := c.Get(fiber.HeaderIfNoneMatch); match != "" && strings.Contains(match, etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.Send(body)
}

// acceptsGzip reports whether an Accept-Encoding header takes gzip (and
// does not refuse it with q=0).
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// contentSecurityPolicy is the page's policy; in the embedded demo mode
// the page may also call the dev chain's JSON-RPC (its demo wallet does).
func (s *Server) contentSecurityPolicy() string {
	if d := s.cfg.Demo; d != nil {
		if u, err := url.Parse(d.RPCURL); err == nil && u.Scheme != "" && u.Host != "" {
			return web.ContentSecurityPolicy(u.Scheme + "://" + u.Host)
		}
	}
	return web.ContentSecurityPolicy()
}
