package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"
	"strings"
	"sync"
)

//go:embed static
var files embed.FS

// Static is the page's files, rooted at static/ (index.html at its top).
func Static() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic("web: the embedded static directory is missing: " + err.Error())
	}
	return sub
}

// IndexFile is the page, served at "/".
const IndexFile = "index.html"

// File is one embedded file as it is served.
type File struct {
	Name         string // its path under static/, "index.html" for "/"
	Body         []byte
	ContentType  string
	CacheControl string
	ETag         string // a strong validator: a digest of Body
	// Gzip is Body gzipped, for a client that accepts it (nil: send Body;
	// small or already compressed files), with its own validator.
	Gzip     []byte
	GzipETag string
}

// contentTypes are the types of the page's kinds of files; the others
// come from package mime, then application/octet-stream.
var contentTypes = map[string]string{
	".html":  "text/html; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".json":  "application/json",
	".map":   "application/json",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".ico":   "image/x-icon",
	".woff2": "font/woff2",
	".woff":  "font/woff",
	".txt":   "text/plain; charset=utf-8",
	".wasm":  "application/wasm",
}

// ContentType is the Content-Type of a file name.
func ContentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// Lookup finds the file served at urlPath ("/" is index.html). It refuses
// what is not a clean path to a regular file: directories, "..", empty
// segments, hidden files (a leading dot), backslashes.
func Lookup(urlPath string) (File, bool) {
	name := strings.TrimPrefix(urlPath, "/")
	if name == "" {
		name = IndexFile
	}
	if !fs.ValidPath(name) || strings.Contains(name, `\`) {
		return File{}, false
	}
	for _, seg := range strings.Split(name, "/") {
		if strings.HasPrefix(seg, ".") {
			return File{}, false
		}
	}
	f, ok := index()[name]
	return f, ok
}

// index is every embedded file by name, read once: the files never
// change while the binary runs.
var index = sync.OnceValue(func() map[string]File {
	out := map[string]File{}
	st := Static()
	_ = fs.WalkDir(st, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		body, err := fs.ReadFile(st, name)
		if err != nil {
			return nil
		}
		sum := sha256.Sum256(body)
		// Every file is revalidated (the modules are not fingerprinted, so
		// a new binary must be seen at once); the ETag makes that a 304.
		f := File{Name: name, Body: body, ContentType: ContentType(name), CacheControl: "no-cache",
			ETag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		if compressible(f.ContentType) && len(body) >= 1024 {
			if z := gzipped(body); len(z) < len(body) {
				f.Gzip, f.GzipETag = z, `"`+hex.EncodeToString(sum[:12])+`-gz"`
			}
		}
		out[name] = f
		return nil
	})
	return out
})

// compressible reports whether a type is text worth gzipping.
func compressible(contentType string) bool {
	return strings.HasPrefix(contentType, "text/") || strings.HasPrefix(contentType, "application/json") ||
		contentType == "image/svg+xml" || contentType == "application/wasm"
}

// gzipped is b compressed with gzip at the best compression (once per
// file and process).
func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

// ContentSecurityPolicy is the page's policy: everything from the
// server's own origin, images also as data: URLs, WebSocket connections
// to the server (ws: and wss:), nothing may frame it. extraConnect are
// more origins the page may call (the dev chain's JSON-RPC in the
// embedded demo mode).
func ContentSecurityPolicy(extraConnect ...string) string {
	connect := "connect-src 'self' ws: wss:"
	for _, o := range extraConnect {
		if o != "" {
			connect += " " + o
		}
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " + connect + "; frame-ancestors 'none'"
}
