package client

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// The headers of a signed request (package api's).
const (
	HeaderKey       = "LPX-KEY"
	HeaderTimestamp = "LPX-TIMESTAMP"
	HeaderSignature = "LPX-SIGNATURE"
)

// Client talks to one lpx server as one credential: an API key (KeyID
// with Ed25519 or HMACSecret), a web session (Session), or nothing for
// public routes. It is safe for concurrent use.
type Client struct {
	BaseURL    string // "http://127.0.0.1:8080"
	KeyID      string
	Ed25519    ed25519.PrivateKey
	HMACSecret []byte // the secret as the API answered it, as bytes
	Session    string // a web session's token
	HTTP       *http.Client
	// Now is the clock timestamps come from (default time.Now).
	Now func() time.Time

	last atomic.Int64 // the last timestamp used, in ms
}

// Error is an error answer of the API.
type Error struct {
	Status  int
	Code    string
	Message string
	// RetryAfter is the Retry-After header of a 429 or 503, if any.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	return fmt.Sprintf("lpx: %d %s: %s", e.Status, e.Code, e.Message)
}

// StringToSign is what a signature covers: the timestamp in Unix ms, the
// method, the path with its query exactly as sent, and the body.
func StringToSign(timestamp, method, pathWithQuery string, body []byte) []byte {
	b := make([]byte, 0, len(timestamp)+len(method)+len(pathWithQuery)+len(body))
	b = append(b, timestamp...)
	b = append(b, method...)
	b = append(b, pathWithQuery...)
	return append(b, body...)
}

// Sign sets the signature headers of a request for the client's key.
// Two requests signed by one client never share a timestamp and body, so
// never a signature: the API refuses a signature it has seen.
func (c *Client) Sign(h http.Header, method, pathWithQuery string, body []byte) {
	now := c.now().UnixMilli()
	for {
		last := c.last.Load()
		ts := max(now, last+1)
		if c.last.CompareAndSwap(last, ts) {
			now = ts
			break
		}
	}
	ts := strconv.FormatInt(now, 10)
	msg := StringToSign(ts, method, pathWithQuery, body)
	var sig []byte
	if c.Ed25519 != nil {
		sig = ed25519.Sign(c.Ed25519, msg)
	} else {
		m := hmac.New(sha256.New, c.HMACSecret)
		m.Write(msg)
		sig = m.Sum(nil)
	}
	h.Set(HeaderKey, c.KeyID)
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderSignature, base64.StdEncoding.EncodeToString(sig))
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Do sends a request with body (nil, raw []byte, or a value marshalled to
// JSON) and decodes a 2xx answer into out (if not nil). A non-2xx answer
// is returned as *Error.
func (c *Client) Do(ctx context.Context, method, pathWithQuery string, body, out any) error {
	return c.DoWith(ctx, method, pathWithQuery, nil, body, out)
}

// DoWith is Do with extra headers (such as Idempotency-Key).
func (c *Client) DoWith(ctx context.Context, method, pathWithQuery string, header http.Header, body, out any) error {
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			return err
		}
	}
	status, h, answer, err := c.Raw(ctx, method, pathWithQuery, header, raw)
	if err != nil {
		return err
	}
	if status >= 300 {
		return decodeError(status, h, answer)
	}
	if out != nil && len(answer) > 0 {
		return json.Unmarshal(answer, out)
	}
	return nil
}

// Raw sends a request and returns the answer as it came.
func (c *Client) Raw(ctx context.Context, method, pathWithQuery string, header http.Header, body []byte) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+pathWithQuery, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if len(body) > 0 && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case c.KeyID != "":
		c.Sign(req.Header, method, pathWithQuery, body)
	case c.Session != "":
		req.Header.Set("Authorization", "Bearer "+c.Session)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, answer, err
}

func decodeError(status int, h http.Header, body []byte) error {
	var env struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	e := &Error{Status: status}
	if json.Unmarshal(body, &env) == nil && env.Error.Code != "" {
		e.Code, e.Message = env.Error.Code, env.Error.Message
	} else {
		e.Code, e.Message = "http_"+strconv.Itoa(status), string(body)
	}
	if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil {
		e.RetryAfter = time.Duration(s) * time.Second
	}
	return e
}
