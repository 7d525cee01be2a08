package api

import (
	"errors"
	"testing"
)

// FuzzDecodeWSRequest: any message decodes to a request or to a 4xx
// *Error; nothing panics.
func FuzzDecodeWSRequest(f *testing.F) {
	for _, seed := range []string{
		`{"id":1,"method":"ping"}`,
		`{"id":"a","method":"order.place","params":{"market":"ACME-EUR","side":"buy","type":"limit","price":"1.25","size":"1.00"}}`,
		`{"id":2,"method":"subscribe","params":{"channels":["orders"]}}`,
		`{"id":{},"method":"ping"}`,
		`{"method":""}`,
		`{"id":1,"method":"ping","params":[1]}`,
		`{"id":1,"method":"ping","extra":true}`,
		`[]`, `null`, `{`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		req, err := decodeWSRequest(msg)
		if err == nil {
			if req.Method == "" {
				t.Fatalf("accepted %q without a method", msg)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) || e.Status < 400 || e.Status >= 500 {
			t.Fatalf("%q: %v is not a 4xx *Error", msg, err)
		}
	})
}
