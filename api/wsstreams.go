package api

import (
	"context"
	"encoding/json"
	"errors"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
)

// The private channels a logged-on connection may subscribe to.
const (
	chanOrders   = "orders"   // its orders' changes: accepted, amended, done, canceled, expired
	chanFills    = "fills"    // its trades, as maker or taker
	chanBalances = "balances" // its balances after each change
)

// streams routes the sequencer's events to the private channels of the
// connections subscribed to them: one goroutine (RunStreams) reads every
// applied batch, encodes each push once and queues it on the
// connections of the account it concerns.
type streams struct {
	mu    sync.Mutex
	conns map[uint32]map[*wsConn]map[string]bool // account → connection → channels
}

func newStreams() *streams { return &streams{conns: map[uint32]map[*wsConn]map[string]bool{}} }

func (st *streams) add(account uint32, c *wsConn, channel string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.conns[account] == nil {
		st.conns[account] = map[*wsConn]map[string]bool{}
	}
	if st.conns[account][c] == nil {
		st.conns[account][c] = map[string]bool{}
	}
	st.conns[account][c][channel] = true
}

func (st *streams) remove(account uint32, c *wsConn, channel string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.conns[account][c], channel)
}

// drop forgets a connection that ended.
func (st *streams) drop(c *wsConn) {
	p := c.principal()
	if p == nil {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.conns[p.Account], c)
	if len(st.conns[p.Account]) == 0 {
		delete(st.conns, p.Account)
	}
}

// push queues msg on every connection of account subscribed to channel.
func (st *streams) push(account uint32, channel string, msg []byte) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for c, chans := range st.conns[account] {
		if chans[channel] {
			c.send(msg)
		}
	}
}

func (st *streams) wants(account uint32) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.conns[account]) > 0
}

// RunStreams feeds the WebSocket connections' private channels until ctx
// ends. A subscriber the sequencer cut off for being slow subscribes
// again; the pushes in between are lost, so it closes every connection
// with private subscriptions, which resynchronise by reading the REST API.
func (s *Server) RunStreams(ctx context.Context) error {
	for ctx.Err() == nil {
		sub := s.deps.Exchange.Subscribe(1 << 14)
		err := s.route(ctx, sub)
		sub.Close()
		if !errors.Is(err, errCutOff) {
			s.feeds.stopAll()
			return err
		}
		s.cfg.Log.Warn("the private streams fell behind the sequencer; their connections are closed")
		s.streams.mu.Lock()
		for _, conns := range s.streams.conns {
			for c := range conns {
				c.close("the server fell behind: resubscribe")
			}
		}
		s.streams.mu.Unlock()
	}
	return ctx.Err()
}

var errCutOff = errors.New("api: private streams cut off")

func (s *Server) route(ctx context.Context, sub *exchange.Subscription) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case b, open := <-sub.C:
			if !open {
				if sub.CutOff() {
					return errCutOff
				}
				<-ctx.Done() // the sequencer stopped
				return ctx.Err()
			}
			for i := range b.Events {
				s.routeEvent(ctx, &b.Events[i])
			}
		}
	}
}

// routeEvent pushes one event to the channels it concerns.
func (s *Server) routeEvent(ctx context.Context, ev *engine.Event) {
	switch ev.Kind {
	case engine.EvOrderAccepted, engine.EvOrderAmended, engine.EvOrderDone, engine.EvOrderCanceled, engine.EvOrderExpired:
		if acct := uint32(ev.Account); s.streams.wants(acct) {
			if m, err := s.marketByID(ctx, ev.Market); err == nil {
				s.streams.push(acct, chanOrders, encodePush(chanOrders, ev.Seq, orderUpdate(m, ev)))
			}
		}
	case engine.EvTrade:
		taker, maker := uint32(ev.Account), uint32(ev.MakerAccount)
		if !s.streams.wants(taker) && !s.streams.wants(maker) {
			return
		}
		m, err := s.marketByID(ctx, ev.Market)
		if err != nil {
			return
		}
		if ev.Order != 0 && s.streams.wants(taker) {
			s.streams.push(taker, chanFills, encodePush(chanFills, ev.Seq, takerFill(m, ev)))
		}
		if s.streams.wants(maker) {
			s.streams.push(maker, chanFills, encodePush(chanFills, ev.Seq, makerFill(m, ev)))
		}
	case engine.EvBalance:
		if acct := uint32(ev.Account); s.streams.wants(acct) {
			if a, err := s.assetByID(ctx, ev.Asset); err == nil {
				s.streams.push(acct, chanBalances, encodePush(chanBalances, ev.Seq, fiber.Map{
					"asset": a.Symbol, "available": formatUnits(ev.Available, a.Scale), "held": formatUnits(ev.Held, a.Scale),
				}))
			}
		}
	}
}

// encodePush is {"channel":..,"seq":..,"data":..}, encoded once.
func encodePush(channel string, seq uint64, data any) []byte {
	b, _ := json.Marshal(struct {
		Channel string `json:"channel"`
		Seq     uint64 `json:"seq"`
		Data    any    `json:"data"`
	}{channel, seq, data})
	return b
}

// orderUpdateView is a push of the orders channel.
type orderUpdateView struct {
	Event         string `json:"event"` // accepted, amended, done, canceled, expired
	ID            string `json:"id"`
	ClientOrderID string `json:"client_order_id,omitempty"`
	Market        string `json:"market"`
	Side          string `json:"side"`
	Price         string `json:"price,omitempty"`
	Size          string `json:"size,omitempty"`
	Remaining     string `json:"remaining,omitempty"`
	Reason        string `json:"reason,omitempty"`
	Time          string `json:"time"`
}

func orderUpdate(m marketRef, ev *engine.Event) orderUpdateView {
	v := orderUpdateView{Event: ev.Kind.String(), ID: idString(uint64(ev.Order)), Market: m.Symbol, Side: ev.Side.String(), Time: rfc3339(ev.Time)}
	switch ev.Kind {
	case engine.EvOrderAccepted:
		v.ClientOrderID = ev.ClientOrderID.String()
		if ev.Price != 0 {
			v.Price = formatUnits(ev.Price, m.PriceScale)
		}
		if ev.Size != 0 {
			v.Size = formatUnits(ev.Size, m.Base.Scale)
		}
	case engine.EvOrderAmended:
		v.Price, v.Size = formatUnits(ev.Price, m.PriceScale), formatUnits(ev.Size, m.Base.Scale)
		v.Remaining = formatUnits(ev.Remaining, m.Base.Scale)
	case engine.EvOrderDone:
		v.Size, v.Remaining = formatUnits(ev.Size, m.Base.Scale), formatUnits(0, m.Base.Scale)
	case engine.EvOrderCanceled, engine.EvOrderExpired:
		v.Remaining = formatUnits(ev.Remaining, m.Base.Scale)
		if ev.Kind == engine.EvOrderCanceled {
			v.Reason = ev.Reason.String()
		}
	}
	return v
}

// makerFill is the maker's fill of a trade event.
func makerFill(m marketRef, ev *engine.Event) fillView {
	side := engine.Buy
	if ev.Side == engine.Buy {
		side = engine.Sell
	}
	return fillView{
		Market: m.Symbol, OrderID: idString(uint64(ev.MakerOrder)), Side: side.String(), Liquidity: "maker",
		Price: formatUnits(ev.Price, m.PriceScale), Size: formatUnits(ev.Size, m.Base.Scale),
		QuoteAmount: formatUnits(ev.Amount, m.Quote.Scale), Fee: formatUnits(ev.MakerFee, m.Quote.Scale),
		FeeAsset: m.Quote.Symbol, Time: rfc3339(ev.Time),
	}
}

type subscribeParams struct {
	Channels []string `json:"channels"`
	// Unconflated asks for every book update rather than at most one per
	// BookInterval (book channels only).
	Unconflated bool `json:"unconflated"`
}

// subscribe adds channels: the private orders, fills and balances (after
// a logon).
func (c *wsConn) subscribe(params json.RawMessage) (any, error) {
	return c.changeSubscriptions(params, true)
}

func (c *wsConn) unsubscribe(params json.RawMessage) (any, error) {
	return c.changeSubscriptions(params, false)
}

func (c *wsConn) changeSubscriptions(params json.RawMessage, add bool) (any, error) {
	var p subscribeParams
	if err := decodeStrict(params, &p); err != nil {
		return nil, err
	}
	if len(p.Channels) == 0 {
		return nil, errMissing("channels")
	}
	if len(p.Channels) > 64 {
		return nil, Errorf("too_many_channels", "at most 64 channels per request")
	}
	who := c.principal()
	for _, ch := range p.Channels {
		switch ch {
		case chanOrders, chanFills, chanBalances:
			if who == nil {
				return nil, Errorf("unauthorized", "channel %q is private: log on first", ch)
			}
		default:
			if _, _, ok := publicChannel(ch); !ok {
				return nil, Errorf("unknown_channel", "no channel %q (public: book.<market>, trades.<market>, ticker.<market>, candles.<market>.<1m|5m|1h|1d>; private: orders, fills, balances)", clip(ch))
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.s.cfg.RequestTimeout)
	defer cancel()
	for _, ch := range p.Channels {
		kind, market, public := publicChannel(ch)
		var err error
		switch {
		case public && add:
			err = c.subscribePublic(ctx, ch, kind, market, p.Unconflated)
		case public:
			err = c.unsubscribePublic(ctx, ch, kind, market)
		case add:
			c.s.streams.add(who.Account, c, ch)
		default:
			c.s.streams.remove(who.Account, c, ch)
		}
		if err != nil {
			return nil, err
		}
	}
	return fiber.Map{"channels": p.Channels, "subscribed": add}, nil
}

// CloseStaleSessions closes every trading session the engine has open:
// at start, before the API serves, each belonged to a connection that did
// not survive the restart, so their cancel-on-disconnect orders are
// canceled now, as a disconnect would have. It returns how many it
// closed.
func (s *Server) CloseStaleSessions(ctx context.Context) (int, error) {
	var open []engine.SessionInfo
	if err := s.readCtx(ctx, func(e *engine.Engine) { open = e.Sessions(nil) }); err != nil {
		return 0, err
	}
	for i, se := range open {
		if _, err := s.submitCtx(ctx, engine.Command{Kind: engine.CmdCloseSession, Account: se.Account, Session: se.ID}); err != nil {
			var e *Error
			if errors.As(err, &e) && e.Code == "unknown_session" {
				continue // closed meanwhile
			}
			return i, err
		}
	}
	return len(open), nil
}
