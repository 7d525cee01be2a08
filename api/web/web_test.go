package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	for _, p := range []string{"/", "/index.html", "/favicon.ico"} {
		f, ok := Lookup(p)
		if !ok || len(f.Body) == 0 || f.CacheControl != "no-cache" || !strings.HasPrefix(f.ETag, `"`) {
			t.Fatalf("Lookup(%q) = %+v, %v", p, f.Name, ok)
		}
	}
	if f, _ := Lookup("/"); f.Name != IndexFile || f.ContentType != "text/html; charset=utf-8" {
		t.Fatalf("/ is %q (%s)", f.Name, f.ContentType)
	}
	for _, p := range []string{"/nope.html", "/../web.go", "/./index.html", "//index.html", "/a/../index.html",
		`/\index.html`, "/.hidden", "/static/index.html", "/index.html/", "/."} {
		if _, ok := Lookup(p); ok {
			t.Errorf("Lookup(%q) found a file", p)
		}
	}
}

// TestGzip: text of 1 KiB or more is kept gzipped too, with its own
// ETag, and unzips to the file; images are not.
func TestGzip(t *testing.T) {
	for name, f := range index() {
		if f.Gzip == nil {
			if compressible(f.ContentType) && len(f.Body) >= 4096 {
				t.Errorf("%s (%s, %d bytes) is not gzipped", name, f.ContentType, len(f.Body))
			}
			continue
		}
		if !compressible(f.ContentType) || f.GzipETag == f.ETag || f.GzipETag == "" {
			t.Errorf("%s: gzipped %s, ETag %s / %s", name, f.ContentType, f.ETag, f.GzipETag)
		}
		r, err := gzip.NewReader(bytes.NewReader(f.Gzip))
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(b, f.Body) {
			t.Errorf("%s does not unzip to itself: %v", name, err)
		}
	}
}

func TestContentType(t *testing.T) {
	for name, want := range map[string]string{
		"a.mjs": "text/javascript; charset=utf-8", "a.js": "text/javascript; charset=utf-8",
		"a.CSS": "text/css; charset=utf-8", "a.svg": "image/svg+xml", "a.ico": "image/x-icon",
		"a.json": "application/json", "a.woff2": "font/woff2", "noext": "application/octet-stream",
	} {
		if got := ContentType(name); got != want {
			t.Errorf("ContentType(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestContentSecurityPolicy(t *testing.T) {
	base := "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'"
	if got := ContentSecurityPolicy(); got != base {
		t.Fatalf("CSP %q", got)
	}
	if got := ContentSecurityPolicy("http://127.0.0.1:8545"); !strings.Contains(got, "connect-src 'self' ws: wss: http://127.0.0.1:8545;") {
		t.Fatalf("CSP with the dev chain %q", got)
	}
}
