package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/store/redisstore"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// The WebSocket protocol on /v1/ws (see docs/websocket.md):
//
//	request  {"id":1,"method":"order.place","params":{...}}
//	answer   {"id":1,"result":{...}} or {"id":1,"error":{"code":..,"message":..}}
//	push     {"channel":"orders","seq":42,"data":{...}}
//
// A connection logs on once (session.logon, signed like a REST request),
// then places orders and subscribes to its private channels. The server
// sends {"channel":"heartbeat"} every second; a client that sends nothing
// for wsIdleTimeout is disconnected, and so is one that does not read its
// messages fast enough.
const (
	wsMaxMessage  = 64 << 10        // bytes a client message may hold
	wsHeartbeat   = time.Second     // the server's heartbeat
	wsIdleTimeout = 3 * time.Second // silence after which a client is gone
	wsWriteWait   = 2 * time.Second // a write that takes longer closes the connection
)

// wsRequest is a client's message.
type wsRequest struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
}

// decodeWSRequest reads one client message strictly: an object with a
// method, an id that is a number or a string, params an object if given.
func decodeWSRequest(msg []byte) (wsRequest, error) {
	var r wsRequest
	if err := decodeStrict(msg, &r); err != nil {
		return wsRequest{}, err
	}
	if len(r.ID) > 0 && !(r.ID[0] == '"' || r.ID[0] == '-' || r.ID[0] >= '0' && r.ID[0] <= '9') || len(r.ID) > 64 {
		return wsRequest{}, Errorf("invalid_id", "id must be a number or a string of at most 64 bytes")
	}
	if r.Method == "" {
		return wsRequest{}, errMissing("method")
	}
	if len(r.Params) > 0 && r.Params[0] != '{' && !bytes.Equal(r.Params, []byte("null")) {
		return wsRequest{}, Errorf("wrong_type", "params must be a JSON object")
	}
	return r, nil
}

// wsConn is one client connection: the reading goroutine (the handler)
// answers requests; a writing goroutine sends what is queued in out, and
// the heartbeat.
type wsConn struct {
	s      *Server
	ws     *websocket.Conn
	ip     string
	out    chan []byte
	done   chan struct{} // closed when the connection ends
	wrote  chan struct{} // closed when the writer has sent the close frame
	once   sync.Once
	reason atomic.Value // why the server closed it (string)

	mu   sync.Mutex // guards who and subs
	who  *principal
	subs map[string]bool

	tokens  float64 // the rate limit's bucket
	refill  time.Time
	written atomic.Uint64

	// upgradeToken is the web session token the upgrade request carried
	// (the lpx_session cookie or a Bearer header), for a logon by session.
	upgradeToken string
}

// websocket serves /v1/ws.
func (s *Server) websocket(c *fiber.Ctx) error {
	if !websocket.IsWebSocketUpgrade(c) {
		return Errorf("upgrade_required", "GET /v1/ws upgrades to a WebSocket")
	}
	ip := c.IP()
	token, err := upgradeSessionToken(c)
	if err != nil {
		return err
	}
	return websocket.New(func(ws *websocket.Conn) { s.serveWS(ws, ip, token) }, websocket.Config{
		HandshakeTimeout: 5 * time.Second,
		RecoverHandler: func(ws *websocket.Conn) {
			if r := recover(); r != nil {
				s.cfg.Log.Error("websocket handler panicked", "panic", r)
			}
		},
	})(c)
}

func (s *Server) serveWS(ws *websocket.Conn, ip, token string) {
	conn := &wsConn{s: s, ws: ws, ip: ip, upgradeToken: token, out: make(chan []byte, s.cfg.WSQueue), done: make(chan struct{}), wrote: make(chan struct{}),
		subs: map[string]bool{}, tokens: float64(s.cfg.WSBurst), refill: s.cfg.Now()}
	s.connsMu.Lock()
	s.conns[conn] = struct{}{}
	s.connsWG.Add(1)
	s.connsMu.Unlock()
	defer func() {
		s.connsMu.Lock()
		delete(s.conns, conn)
		s.connsMu.Unlock()
		s.connsWG.Done()
	}()
	ws.SetReadLimit(wsMaxMessage)
	go conn.writeLoop()
	defer func() {
		s.streams.drop(conn)
		s.feeds.drop(conn)
		conn.close("")
		conn.closeSession()
		<-conn.wrote // the close frame goes out before the socket is released
	}()
	for {
		select {
		case <-conn.done: // closing: read no more (the writer ends the socket)
			return
		default:
		}
		_ = ws.SetReadDeadline(time.Now().Add(wsIdleTimeout))
		kind, msg, err := ws.ReadMessage()
		if err != nil {
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				conn.close("no message for " + wsIdleTimeout.String() + ": heartbeat missed")
			}
			return
		}
		if kind != websocket.TextMessage {
			conn.answerError(nil, Errorf("malformed_json", "send text messages of JSON"))
			continue
		}
		conn.handle(msg)
	}
}

// handle answers one message.
func (c *wsConn) handle(msg []byte) {
	req, err := decodeWSRequest(msg)
	if err != nil {
		c.answerError(nil, err)
		return
	}
	if !c.allow() {
		c.answerError(req.ID, Errorf("rate_limited", "more than %d messages per second on this connection", c.s.cfg.WSRate))
		return
	}
	m, ok := wsMethods[req.Method]
	if !ok {
		c.answerError(req.ID, Errorf("unknown_method", "no method %q", clip(req.Method)))
		return
	}
	if m.scope != public {
		p := c.principal()
		if p == nil {
			c.answerError(req.ID, Errorf("unauthorized", "log on first (session.logon)"))
			return
		}
		if !p.has(m.scope) {
			c.answerError(req.ID, Errorf("forbidden", "this key lacks the %q scope", m.scope))
			return
		}
	}
	result, err := m.call(c, req.Params)
	if err != nil {
		c.answerError(req.ID, err)
		return
	}
	c.answer(req.ID, result)
}

// allow takes a token from the connection's bucket.
func (c *wsConn) allow() bool {
	now := c.s.cfg.Now()
	c.tokens = min(float64(c.s.cfg.WSBurst), c.tokens+now.Sub(c.refill).Seconds()*float64(c.s.cfg.WSRate))
	c.refill = now
	if c.tokens < 1 {
		return false
	}
	c.tokens--
	return true
}

func (c *wsConn) principal() *principal {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.who
}

// answer queues {"id":..,"result":..}; result may be raw JSON.
func (c *wsConn) answer(id json.RawMessage, result any) {
	if id == nil {
		id = json.RawMessage("null")
	}
	b, err := json.Marshal(struct {
		ID     json.RawMessage `json:"id"`
		Result any             `json:"result"`
	}{id, result})
	if err != nil {
		c.answerError(id, err)
		return
	}
	c.send(b)
}

// answerError queues {"id":..,"error":{"code","message"}}, with the
// REST API's codes; an unknown error is "internal", logged.
func (c *wsConn) answerError(id json.RawMessage, err error) {
	e, ok := errorOf(err)
	if !ok {
		c.s.cfg.Log.Error("internal error on a websocket", "err", err)
		e = &Error{Status: fiber.StatusInternalServerError, Code: "internal", Message: "internal error"}
	}
	if id == nil {
		id = json.RawMessage("null")
	}
	b, _ := json.Marshal(struct {
		ID    json.RawMessage `json:"id"`
		Error wsError         `json:"error"`
	}{id, wsError{e.Code, e.Message}})
	c.send(b)
}

type wsError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// send queues msg (which the caller must not change afterwards: pushes
// share one encoding among subscribers). A connection whose queue is full
// is closed: it cannot keep up, and nobody waits for it.
func (c *wsConn) send(msg []byte) {
	select {
	case <-c.done:
	case c.out <- msg:
	default:
		c.close("slow consumer: " + strconv.Itoa(cap(c.out)) + " messages waiting")
	}
}

// close ends the connection once, telling the client why (if reason is
// not empty) in the close frame.
func (c *wsConn) close(reason string) {
	c.once.Do(func() {
		if reason != "" {
			c.reason.Store(reason)
		}
		close(c.done)
	})
}

// writeLoop sends the queue and the heartbeat until the connection ends,
// then the close frame, and closes the socket (which ends the reader).
func (c *wsConn) writeLoop() {
	beat := time.NewTicker(wsHeartbeat)
	defer beat.Stop()
	defer close(c.wrote)
	socket := c.ws.NetConn() // kept: the handler's Conn is recycled once it returns
	write := func(msg []byte) bool {
		_ = c.ws.SetWriteDeadline(time.Now().Add(wsWriteWait))
		if err := c.ws.WriteMessage(websocket.TextMessage, msg); err != nil {
			// A client that has not read for wsWriteWait: no close frame
			// can follow a failed write, so the socket just ends.
			c.close("")
			_ = socket.Close()
			return false
		}
		c.written.Add(1)
		return true
	}
	for {
		select {
		case <-c.done:
			reason, _ := c.reason.Load().(string)
			code := websocket.CloseNormalClosure
			if reason != "" {
				code = websocket.ClosePolicyViolation
			}
			_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(wsWriteWait))
			// The client has a second to read it and answer; then the
			// socket ends, which ends the reader whatever the client does.
			time.AfterFunc(time.Second, func() { _ = socket.Close() })
			return
		case msg := <-c.out:
			if !write(msg) {
				return
			}
		case now := <-beat.C:
			if !write([]byte(`{"channel":"heartbeat","data":{"time":"` + now.UTC().Format(time.RFC3339Nano) + `"}}`)) {
				return
			}
		}
	}
}

// wsMethod is a method of the protocol and the scope it needs (public:
// none, not even a logon).
type wsMethod struct {
	scope Scope
	call  func(c *wsConn, params json.RawMessage) (any, error)
}

var wsMethods map[string]wsMethod

func init() {
	wsMethods = map[string]wsMethod{
		"ping":             {public, (*wsConn).ping},
		"session.logon":    {public, (*wsConn).logon},
		"subscribe":        {public, (*wsConn).subscribe},
		"unsubscribe":      {public, (*wsConn).unsubscribe},
		"order.place":      {scopeTrade, restMethod("POST", "/v1/orders")},
		"order.amend":      {scopeTrade, (*wsConn).amend},
		"order.cancel":     {scopeTrade, (*wsConn).cancel},
		"order.cancel_all": {scopeTrade, (*wsConn).cancelAll},
		"order.batch":      {scopeTrade, restMethod("POST", "/v1/orders/batch")},
		"cancel_all_after": {scopeTrade, restMethod("POST", "/v1/orders/cancel-all-after")},
	}
}

func (c *wsConn) ping(json.RawMessage) (any, error) {
	return fiber.Map{"pong": c.s.cfg.Now().UTC().Format(time.RFC3339Nano)}, nil
}

// logonParams sign in a connection: the REST signing scheme over the
// string timestamp + "LOGON" + "/v1/ws" (no body), with the key's
// Ed25519 private key or HMAC secret. A signature is accepted once.
// Instead of a key, a web session (sign-in with Ethereum) logs on with
// its token, or with no key and no token when the upgrade request carried
// the session (the lpx_session cookie, or Authorization: Bearer).
type logonParams struct {
	Key       string `json:"key"`
	Timestamp string `json:"timestamp"`
	Signature string `json:"signature"`
	// Token is a web session's token (lpxs_...), instead of a key.
	Token string `json:"token"`
	// CancelOnDisconnect is what happens to orders when the connection
	// ends (or the server restarts while it was open): "session" cancels
	// those placed on this connection, "all" every order of the account,
	// "off" none. Default: "session" for market makers' keys, else "off".
	CancelOnDisconnect string `json:"cancel_on_disconnect"`
}

// sessionModes maps cancel_on_disconnect to the engine's session modes.
var sessionModes = map[string]engine.SessionMode{
	"session": engine.SessionCancelOwn,
	"all":     engine.SessionCancelAll,
	"off":     engine.SessionKeep,
}

// modeNames is sessionModes the other way round.
var modeNames = map[engine.SessionMode]string{
	engine.SessionCancelOwn: "session",
	engine.SessionCancelAll: "all",
	engine.SessionKeep:      "off",
}

// LogonPath and LogonMethod are what a logon's signature covers with the
// timestamp.
const (
	LogonMethod = "LOGON"
	LogonPath   = "/v1/ws"
)

func (c *wsConn) logon(params json.RawMessage) (any, error) {
	if c.principal() != nil {
		return nil, Errorf("already_logged_on", "this connection is logged on; open another for another key")
	}
	var p logonParams
	if err := decodeStrict(params, &p); err != nil {
		return nil, err
	}
	s := c.s
	mode, ok := sessionModes[p.CancelOnDisconnect]
	if !ok && p.CancelOnDisconnect != "" {
		return nil, errInvalid("cancel_on_disconnect", strconv.Quote(clip(p.CancelOnDisconnect)), `"session", "all" or "off"`)
	}
	if p.Key == "" && (p.Token != "" || c.upgradeToken != "") {
		if p.Timestamp != "" || p.Signature != "" {
			return nil, Errorf("invalid_request", "a session logon takes a token, not a timestamp and signature")
		}
		token := p.Token
		if token == "" {
			token = c.upgradeToken
		}
		return c.logonSession(token, mode)
	}
	if p.Token != "" {
		return nil, Errorf("invalid_request", "log on with a key or with a session token, not both")
	}
	ms, err := strconv.ParseInt(p.Timestamp, 10, 64)
	if err != nil {
		return nil, Errorf("unauthorized", "timestamp must be Unix milliseconds")
	}
	if skew := s.cfg.Now().Sub(time.UnixMilli(ms)); skew > s.cfg.SignatureWindow || skew < -s.cfg.SignatureWindow {
		return nil, Errorf("stale_timestamp", "the timestamp is %v from the server's clock; at most %v is accepted", skew.Round(time.Millisecond), s.cfg.SignatureWindow)
	}
	sig, err := base64.StdEncoding.DecodeString(p.Signature)
	if err != nil || len(sig) == 0 || len(sig) > 128 {
		return nil, Errorf("bad_signature", "signature must be base64")
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
	defer cancel()
	k, err := s.keys.get(ctx, s, p.Key)
	if errors.Is(err, sqlstore.ErrNotFound) || errors.Is(err, sqlstore.ErrInvalid) {
		return nil, Errorf("unauthorized", "unknown API key")
	}
	if err != nil {
		return nil, err
	}
	if k.row.RevokedAt != 0 {
		return nil, Errorf("key_revoked", "this API key was revoked")
	}
	if !k.verify(StringToSign(p.Timestamp, LogonMethod, LogonPath, nil), sig) {
		return nil, Errorf("bad_signature", "the signature does not match the logon")
	}
	nonce := sha256.Sum256(sig)
	res, err := s.deps.Guard.Check(ctx, redisstore.GuardCheck{
		NonceScope: k.row.ID, Nonce: base64.RawURLEncoding.EncodeToString(nonce[:]), NonceTTL: 2 * s.cfg.SignatureWindow,
		Limits: []redisstore.KeyedLimit{{Key: "key:" + k.row.ID, Limit: s.cfg.KeyLimit, Cost: 1}, {Key: "ip:" + c.ip, Limit: s.cfg.IPLimit, Cost: 1}},
	})
	if err != nil {
		return nil, errors.Join(errStoreDown, err)
	}
	if res.Replayed {
		return nil, Errorf("replayed", "this signature was used before; sign every logon anew")
	}
	if !res.Allowed() {
		return nil, Errorf("rate_limited", "too many requests for this key or address")
	}
	who := &principal{Account: k.row.Account, Kind: k.kind, Scopes: k.row.Scopes, KeyID: k.row.ID}
	return c.openSession(ctx, who, mode)
}

// openSession journals the connection's trading session for who and
// makes who the connection's caller.
func (c *wsConn) openSession(ctx context.Context, who *principal, mode engine.SessionMode) (any, error) {
	s := c.s
	if mode == 0 {
		mode = engine.SessionKeep
		if who.Kind == sqlstore.AccountMarketMaker {
			mode = engine.SessionCancelOwn
		}
	}
	// The session is journaled: a crash while it is open cancels its
	// orders at the next start as a disconnect does.
	evs, err := s.submitCtx(ctx, engine.Command{Kind: engine.CmdOpenSession, Account: engine.AccountID(who.Account), SessionMode: mode})
	if err != nil {
		return nil, err
	}
	for _, ev := range evs {
		if ev.Kind == engine.EvSessionOpened {
			who.Session = ev.Session
		}
	}
	if who.Session == 0 {
		return nil, errors.New("api: logon: no session among the events")
	}
	c.mu.Lock()
	c.who = who
	c.mu.Unlock()
	scopes := make([]string, len(who.Scopes))
	for i, sc := range who.Scopes {
		scopes[i] = string(sc)
	}
	return fiber.Map{
		"account": strconv.FormatUint(uint64(who.Account), 10), "key": who.KeyID, "scopes": scopes,
		"session": strconv.FormatUint(uint64(who.Session), 10), "cancel_on_disconnect": modeNames[mode],
	}, nil
}

// closeSession ends the connection's trading session, which cancels its
// orders (or the account's) as its mode says. It runs when the
// connection ends, however it ends.
func (c *wsConn) closeSession() {
	who := c.principal()
	if who == nil || who.Session == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.s.cfg.RequestTimeout)
	defer cancel()
	if _, err := c.s.submitCtx(ctx, engine.Command{Kind: engine.CmdCloseSession, Account: engine.AccountID(who.Account), Session: who.Session}); err != nil {
		// Not lost: the session stays open in the engine, and the next
		// start closes it (CloseStaleSessions).
		c.s.cfg.Log.Warn("closing a WebSocket session failed; the next start closes it", "session", who.Session, "err", err)
	}
}

// restMethod answers a method with a REST route, so that both APIs
// check, decide and answer alike: params are the route's body.
func restMethod(method, path string) func(*wsConn, json.RawMessage) (any, error) {
	return func(c *wsConn, params json.RawMessage) (any, error) {
		return c.rest(method, path, params)
	}
}

// rest runs a REST route in-process for the logged-on caller (the route's
// own checks and answer; the connection's rate limit stands for the
// guard) and turns its answer into a result or an error.
func (c *wsConn) rest(method, path string, body []byte) (any, error) {
	var fc fasthttp.RequestCtx
	fc.Request.Header.SetMethod(method)
	fc.Request.SetRequestURI(path)
	fc.Request.Header.SetContentType(fiber.MIMEApplicationJSON)
	if len(body) > 0 && !bytes.Equal(body, []byte("null")) {
		fc.Request.SetBody(body)
	}
	fc.SetUserValue(localPrincipal, c.principal())
	c.s.app.Handler()(&fc)
	status := fc.Response.StatusCode()
	answer := append([]byte(nil), fc.Response.Body()...)
	if status >= 300 {
		var env struct{ Error wsError }
		if json.Unmarshal(answer, &env) == nil && env.Error.Code != "" {
			return nil, &Error{Status: status, Code: env.Error.Code, Message: env.Error.Message}
		}
		return nil, &Error{Status: status, Code: "internal", Message: "internal error"}
	}
	if len(answer) == 0 {
		return fiber.Map{}, nil
	}
	return json.RawMessage(answer), nil
}

type orderRef struct {
	ID            string `json:"id"`
	ClientOrderID string `json:"client_order_id"`
}

// cancel cancels one order by id or client_order_id.
func (c *wsConn) cancel(params json.RawMessage) (any, error) {
	var r orderRef
	if err := decodeStrict(params, &r); err != nil {
		return nil, err
	}
	switch {
	case r.ID != "" && r.ClientOrderID != "":
		return nil, Errorf("invalid_request", "give id or client_order_id, not both")
	case r.ID != "":
		return c.rest("DELETE", "/v1/orders/"+url.PathEscape(r.ID), nil)
	case r.ClientOrderID != "":
		return c.rest("DELETE", "/v1/orders/by-client-id/"+url.PathEscape(r.ClientOrderID), nil)
	}
	return nil, errMissing("id")
}

// amend changes an order's price or size: {id, price?, size?}.
func (c *wsConn) amend(params json.RawMessage) (any, error) {
	var r struct {
		ID    string `json:"id"`
		Price string `json:"price,omitempty"`
		Size  string `json:"size,omitempty"`
	}
	if err := decodeStrict(params, &r); err != nil {
		return nil, err
	}
	if r.ID == "" {
		return nil, errMissing("id")
	}
	body, _ := json.Marshal(struct {
		Price string `json:"price,omitempty"`
		Size  string `json:"size,omitempty"`
	}{r.Price, r.Size})
	return c.rest("PATCH", "/v1/orders/"+url.PathEscape(r.ID), body)
}

// cancelAll cancels the caller's orders, in {market} only if given.
func (c *wsConn) cancelAll(params json.RawMessage) (any, error) {
	var r struct {
		Market string `json:"market"`
	}
	if len(params) > 0 && !bytes.Equal(params, []byte("null")) {
		if err := decodeStrict(params, &r); err != nil {
			return nil, err
		}
	}
	path := "/v1/orders"
	if r.Market != "" {
		path += "?market=" + url.QueryEscape(r.Market)
	}
	return c.rest("DELETE", path, nil)
}
