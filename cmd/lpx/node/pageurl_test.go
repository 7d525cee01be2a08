package node_test

import (
	"testing"

	"github.com/lpx-exchange/lpx/cmd/lpx/node"
)

func TestPageURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080":  "http://127.0.0.1:8080/",
		"0.0.0.0:8080":    "http://127.0.0.1:8080/",
		"[::]:9000":       "http://127.0.0.1:9000/",
		":8080":           "http://127.0.0.1:8080/",
		"[::1]:8080":      "http://[::1]:8080/",
		"example.com:443": "http://example.com:443/",
	} {
		if got := node.PageURL(addr); got != want {
			t.Errorf("PageURL(%q) = %q, want %q", addr, got, want)
		}
	}
}
