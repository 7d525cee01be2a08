package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/marketdata"
	"github.com/lpx-exchange/lpx/store/redisstore"
)

// Exchange is what the API needs from the running exchange: submitting a
// command (answered once journaled and applied) and reading the engine
// between batches. *exchange.Sequencer is one.
type Exchange interface {
	Submit(ctx context.Context, cmd engine.Command) (exchange.Result, error)
	Read(ctx context.Context, fn func(*engine.Engine)) error
	Subscribe(size int) *exchange.Subscription
}

// Guard is the one Redis round trip of an authenticated request: the
// replay check and its rate limits. *redisstore.Guard is one.
type Guard interface {
	Check(ctx context.Context, c redisstore.GuardCheck) (redisstore.GuardResult, error)
}

// Idempotency keeps Idempotency-Key answers. *redisstore.Idempotency is one.
type Idempotency interface {
	Begin(ctx context.Context, scope, key string, fingerprint []byte) (redisstore.Outcome, error)
	Finish(ctx context.Context, scope, key string, fingerprint []byte, status int, body []byte) error
	Release(ctx context.Context, scope, key string, fingerprint []byte) error
}

// Store is the SQL database as the API uses it; each part is declared
// beside the handlers that use it. *sqlstore.DB is one.
type Store interface {
	AuthStore
	OrderStore
	FundsStore
	BrandStore
	AdminStore
}

// Deps are the parts a Server calls. Chain may be nil (a node without a
// chain): its routes then answer 503 chain_unavailable.
type Deps struct {
	Exchange    Exchange
	Store       Store
	MarketData  MarketData
	MarketFeed  MarketFeed
	Guard       Guard
	Idempotency Idempotency
	SIWENonces  SIWENonces
	// LinkNonces spends wallet-link challenges' nonces once.
	LinkNonces LinkNonces
	Chain      Chain
	// Faucet gives demo wallets gas and tokens (POST /v1/demo/faucet):
	// set in the embedded demo mode only; nil, the route does not exist.
	Faucet Faucet
	// Ready reports whether Redis, the database and the chain answer
	// (/readyz); nil: always ready.
	Ready func(ctx context.Context) error
	// Metrics, if not nil, receives the request metrics and serves /metrics.
	Metrics *Metrics
	// Snapshots takes a snapshot on demand (POST /v1/admin/snapshot); nil:
	// that route answers 503 snapshots_unavailable.
	Snapshots Snapshotter
}

// Config tunes a Server. Zero values take the defaults.
type Config struct {
	// KeyEncryptionKey encrypts HMAC secrets at rest (32 bytes, AES-256-GCM).
	// Required.
	KeyEncryptionKey []byte
	// Domain and ChainID are what sign-in with Ethereum messages must name
	// (EIP-4361's domain, the host the web page is served from, and the
	// chain id); URI is the page's origin, used in the message template.
	Domain  string
	ChainID uint64
	URI     string
	// Demo, in the embedded demo mode only, is the dev chain wallets use
	// (GET /v1/info; the web page's Content-Security-Policy lets the page
	// call its JSON-RPC). Nil elsewhere.
	Demo *DemoInfo
	// SessionTTL is how long a web session lasts (default 24 h).
	SessionTTL time.Duration
	// SignatureWindow is how far a signed request's timestamp may be from
	// the server's clock (default 5 s).
	SignatureWindow time.Duration
	// BodyLimit bounds a request body in bytes (default 64 KiB).
	BodyLimit int
	// KeyLimit is the rate limit per API key or session, IPLimit per client
	// address (defaults: 200 per second with a burst of 400; 50 per second
	// with a burst of 100).
	KeyLimit, IPLimit redisstore.Limit
	// WSQueue bounds the messages queued for one WebSocket connection
	// (default 4,096); a connection that lets more pile up is closed as a
	// slow consumer.
	WSQueue int
	// WSRate and WSBurst limit the messages of one WebSocket connection
	// (per second, and at once; defaults 500 and 1,000); more are answered
	// rate_limited.
	WSRate, WSBurst int
	// BookInterval conflates each market's book.<market> stream to at most
	// one update per interval (default 100 ms; negative: every update).
	BookInterval time.Duration
	// RequestTimeout bounds how long a handler waits for the exchange
	// (default 5 s).
	RequestTimeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	Log *slog.Logger
}

func (c *Config) defaults() {
	if c.SessionTTL <= 0 {
		c.SessionTTL = 24 * time.Hour
	}
	if c.SignatureWindow <= 0 {
		c.SignatureWindow = 5 * time.Second
	}
	if c.BodyLimit <= 0 {
		c.BodyLimit = 64 << 10
	}
	if c.KeyLimit.Rate == 0 {
		c.KeyLimit = redisstore.Limit{Rate: 200, Per: time.Second, Burst: 400}
	}
	if c.IPLimit.Rate == 0 {
		c.IPLimit = redisstore.Limit{Rate: 50, Per: time.Second, Burst: 100}
	}
	if c.WSRate <= 0 {
		c.WSRate = 500
	}
	if c.WSBurst <= 0 {
		c.WSBurst = 2 * c.WSRate
	}
	if c.WSQueue <= 0 {
		c.WSQueue = 4096
	}
	if c.BookInterval == 0 {
		c.BookInterval = marketdata.DefaultConflateInterval
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 5 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
}

// Server is the REST API over one exchange node.
type Server struct {
	cfg     Config
	deps    Deps
	app     *fiber.App
	keys    *keyCache
	refs    *refCache // assets and markets by symbol
	streams *streams  // the WebSocket connections' private channels
	feeds   *feeds    // their public channels
	names   nameCache // assets' program and brand names

	connsMu sync.Mutex
	conns   map[*wsConn]struct{} // open WebSocket connections
	connsWG sync.WaitGroup       // their handlers
}

// New builds the server and its routes. It refuses a key encryption key
// that is not 32 bytes.
func New(deps Deps, cfg Config) (*Server, error) {
	cfg.defaults()
	if len(cfg.KeyEncryptionKey) != 32 {
		return nil, errors.New("api: the key encryption key must be 32 bytes (64 hex digits)")
	}
	s := &Server{cfg: cfg, deps: deps, keys: newKeyCache(), refs: newRefCache(), streams: newStreams(), feeds: &feeds{byID: map[uint32]*feed{}}, conns: map[*wsConn]struct{}{}}
	s.app = fiber.New(fiber.Config{
		BodyLimit:             cfg.BodyLimit,
		ErrorHandler:          s.handleError,
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           120 * time.Second,
	})
	s.app.Use(s.requestID)
	if deps.Metrics != nil {
		s.app.Use(deps.Metrics.middleware)
	}
	s.register()
	return s, nil
}

// App is the Fiber application, to Listen on or to Test.
func (s *Server) App() *fiber.App { return s.app }

// Listen serves on addr until Shutdown.
func (s *Server) Listen(addr string) error { return s.app.Listen(addr) }

// Shutdown stops taking requests and waits for those running, then closes
// the WebSocket connections ("server stopping") and waits for their
// handlers, which close their trading sessions, until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.app.ShutdownWithContext(ctx)
	s.connsMu.Lock()
	for c := range s.conns {
		c.close("server stopping")
	}
	s.connsMu.Unlock()
	done := make(chan struct{})
	go func() { s.connsWG.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		err = errors.Join(err, ctx.Err())
	}
	return err
}

// requestID gives every request an id, sent back in X-Request-Id and
// logged with a 500.
func (s *Server) requestID(c *fiber.Ctx) error {
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	c.Locals(localRequestID, id)
	c.Set("X-Request-Id", id)
	return c.Next()
}

// handleError writes the error answer: the table's status and code, or a
// 500 "internal" whose details go to the log only.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	e, ok := errorOf(err)
	if !ok {
		id, _ := c.Locals(localRequestID).(string)
		s.cfg.Log.Error("internal error", "request", id, "method", c.Method(), "path", c.Path(), "err", err)
		e = &Error{Status: fiber.StatusInternalServerError, Code: "internal", Message: "internal error; quote request id " + id}
	}
	if e.Status == fiber.StatusServiceUnavailable && c.Get(fiber.HeaderRetryAfter) == "" {
		c.Set(fiber.HeaderRetryAfter, "1")
	}
	return c.Status(e.Status).JSON(fiber.Map{"error": fiber.Map{"code": e.Code, "message": e.Message}})
}

// ctx is the context a handler passes to the exchange and the stores:
// the request's, bounded by RequestTimeout.
func (s *Server) ctx(c *fiber.Ctx) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.UserContext(), s.cfg.RequestTimeout)
}

// submit journals and applies cmd and returns its events, or the error the
// client sees: the engine's rejection of cmd itself (or, for a batch, nil:
// items carry their own).
func (s *Server) submit(c *fiber.Ctx, cmd engine.Command) ([]engine.Event, error) {
	return s.submitCtx(c.UserContext(), cmd)
}

// submitCtx is submit for a caller without a request (a WebSocket message).
func (s *Server) submitCtx(ctx context.Context, cmd engine.Command) ([]engine.Event, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	res, err := s.deps.Exchange.Submit(ctx, cmd)
	if err != nil {
		return nil, err
	}
	if cmd.Kind != engine.CmdBatch {
		for _, ev := range res.Events {
			if ev.Kind == engine.EvRejected && ev.Item == 0 {
				if s.deps.Metrics != nil {
					s.deps.Metrics.rejected(ev.Code)
				}
				return res.Events, engineError(ev.Code, cmd.Kind)
			}
		}
	}
	return res.Events, nil
}

// read runs fn on the engine between batches.
func (s *Server) read(c *fiber.Ctx, fn func(*engine.Engine)) error {
	return s.readCtx(c.UserContext(), fn)
}

// readCtx is read for a caller without a request (a WebSocket message).
func (s *Server) readCtx(ctx context.Context, fn func(*engine.Engine)) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	return s.deps.Exchange.Read(ctx, fn)
}

// Locals keys.
const (
	localRequestID = "lpx.request_id"
	localPrincipal = "lpx.principal"
)
