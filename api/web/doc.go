// Package web is the web page for consumers and brands: the static files
// under static/ (HTML, ES modules, CSS, vendored libraries), embedded in
// the binary so that `lpx serve` shows the page with nothing else
// installed. The page talks to the public REST and WebSocket API only,
// like any other client; it has no private back door.
//
// This package only holds the files and says how each is served: its
// Content-Type, its Cache-Control and the Content-Security-Policy of the
// page. Package api serves them at / (index.html) and at their paths;
// every other path outside /v1 is a 404 (the page routes with URL
// fragments, #/swap, so it needs no catch-all). The browser tests live in
// tests/ with their own package.json; they are not embedded.
package web
