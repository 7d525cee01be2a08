package client

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

// Push is a message the server sent on a channel.
type Push struct {
	Channel string          `json:"channel"`
	Seq     uint64          `json:"seq"`
	Data    json.RawMessage `json:"data"`
}

// WS is a WebSocket connection to /v1/ws. It pings every second (the
// server closes a connection silent for 3 s), matches answers to calls by
// id and delivers pushes other than heartbeats on Pushes. Safe for
// concurrent use.
type WS struct {
	c      *Client
	conn   *websocket.Conn
	writeM sync.Mutex
	nextID atomic.Int64

	mu      sync.Mutex
	pending map[int64]chan wsAnswer
	err     error // why the connection ended

	pushes chan Push
	done   chan struct{}
}

type wsAnswer struct {
	ID     int64           `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// DialWS opens a WebSocket to the client's server. Pushes are buffered
// (pushBuffer messages); a caller that does not read them fast enough
// loses the connection (the server closes slow consumers).
func (c *Client) DialWS(ctx context.Context, pushBuffer int) (*WS, error) {
	url := "ws" + strings.TrimPrefix(c.BaseURL, "http") + "/v1/ws"
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	w := &WS{c: c, conn: conn, pending: map[int64]chan wsAnswer{}, pushes: make(chan Push, max(pushBuffer, 1)), done: make(chan struct{})}
	go w.readLoop()
	go w.pingLoop()
	return w, nil
}

// Pushes delivers the server's pushes (heartbeats left out); it is closed
// when the connection ends.
func (w *WS) Pushes() <-chan Push { return w.pushes }

// Done is closed when the connection ends; Err then says why.
func (w *WS) Done() <-chan struct{} { return w.done }

// Err is why the connection ended (the server's close reason, if any).
func (w *WS) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Close closes the connection.
func (w *WS) Close() error {
	w.writeM.Lock()
	_ = w.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	w.writeM.Unlock()
	err := w.conn.Close()
	<-w.done
	return err
}

// Logon signs the connection in with the client's key (the signature
// covers timestamp + "LOGON" + "/v1/ws") or, for a client with a web
// session and no key, with the session's token.
func (w *WS) Logon(ctx context.Context, result any) error {
	if w.c.KeyID == "" && w.c.Session != "" {
		// A web session logs on with its token.
		return w.Call(ctx, "session.logon", map[string]string{"token": w.c.Session}, result)
	}
	ts := strconv.FormatInt(w.c.now().UnixMilli(), 10)
	msg := StringToSign(ts, "LOGON", "/v1/ws", nil)
	var sig []byte
	if w.c.Ed25519 != nil {
		sig = ed25519.Sign(w.c.Ed25519, msg)
	} else {
		m := hmac.New(sha256.New, w.c.HMACSecret)
		m.Write(msg)
		sig = m.Sum(nil)
	}
	return w.Call(ctx, "session.logon", map[string]string{
		"key": w.c.KeyID, "timestamp": ts, "signature": base64.StdEncoding.EncodeToString(sig),
	}, result)
}

// Call sends a request and waits for its answer; an error answer is
// returned as *Error (Status 0).
func (w *WS) Call(ctx context.Context, method string, params, result any) error {
	id := w.nextID.Add(1)
	ch := make(chan wsAnswer, 1)
	w.mu.Lock()
	if w.err != nil {
		w.mu.Unlock()
		return w.err
	}
	w.pending[id] = ch
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.pending, id)
		w.mu.Unlock()
	}()
	msg, err := json.Marshal(struct {
		ID     int64  `json:"id"`
		Method string `json:"method"`
		Params any    `json:"params,omitempty"`
	}{id, method, params})
	if err != nil {
		return err
	}
	if err := w.write(msg); err != nil {
		return err
	}
	select {
	case a := <-ch:
		if a.Error != nil {
			return &Error{Code: a.Error.Code, Message: a.Error.Message}
		}
		if result != nil {
			return json.Unmarshal(a.Result, result)
		}
		return nil
	case <-w.done:
		return w.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *WS) write(msg []byte) error {
	w.writeM.Lock()
	defer w.writeM.Unlock()
	_ = w.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return w.conn.WriteMessage(websocket.TextMessage, msg)
}

func (w *WS) readLoop() {
	defer close(w.done)
	defer close(w.pushes)
	for {
		_, msg, err := w.conn.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) && ce.Text != "" {
				err = fmt.Errorf("lpx: the server closed the connection: %s", ce.Text)
			}
			w.mu.Lock()
			w.err = err
			w.mu.Unlock()
			return
		}
		var head struct {
			ID      *int64 `json:"id"`
			Channel string `json:"channel"`
		}
		if json.Unmarshal(msg, &head) != nil {
			continue
		}
		if head.Channel != "" {
			if head.Channel == "heartbeat" {
				continue
			}
			var p Push
			if json.Unmarshal(msg, &p) == nil {
				w.pushes <- p
			}
			continue
		}
		var a wsAnswer
		if json.Unmarshal(msg, &a) != nil || head.ID == nil {
			continue
		}
		w.mu.Lock()
		ch := w.pending[a.ID]
		w.mu.Unlock()
		if ch != nil {
			ch <- a
		}
	}
}

// pingLoop keeps the connection alive: the server closes one silent for
// 3 s.
func (w *WS) pingLoop() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-t.C:
			// Not a Call: the ping goes out every second even while the
			// reader is busy handing over pushes. Its answer (id 0) is
			// dropped.
			if err := w.write([]byte(`{"id":0,"method":"ping"}`)); err != nil {
				return
			}
		}
	}
}
