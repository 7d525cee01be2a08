package engine

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// fuzzStream turns bytes into a stream of commands of every kind, aimed at
// a small world (two markets, three traders), so that fuzzing explores
// matching, amends, expiry, dead-man switches, trading sessions, batches and
// rejections rather than parse errors.
type fuzzStream struct {
	e      *Engine // the engine the stream is applied to, to aim at live orders
	b      []byte
	seq    uint64
	now    int64
	recent []OrderID // recently accepted orders, for cancels and amends
	out    []Event
}

func (f *fuzzStream) next() (byte, bool) {
	if len(f.b) == 0 {
		return 0, false
	}
	c := f.b[0]
	f.b = f.b[1:]
	return c, true
}

// n returns a number in [0, n) from the next byte (0 when exhausted).
func (f *fuzzStream) n(n int) int {
	c, _ := f.next()
	return int(c) % n
}

func (f *fuzzStream) cid() ClientOrderID {
	if k := f.n(6); k < 4 {
		id, _ := ParseClientOrderID(string(rune('a' + k)))
		return id
	}
	return ClientOrderID{}
}

func (f *fuzzStream) orderRef() OrderID {
	if len(f.recent) == 0 || f.n(8) == 0 {
		return OrderID(f.n(4))<<32 | OrderID(f.n(4))
	}
	return f.recent[f.n(len(f.recent))]
}

// fuzzWorld is traders 2, 3 and 4 and brands 5 and 6; EUR (a hub token,
// scale 2), ACME points of brand 5 (scale 0) and CAFE coupons of brand 6
// (scale 2) expiring at time 250, which longer streams reach; markets
// 1 ACME/EUR (tick 5, lot 2, min 4, maker 7 bps, taker 25 bps), 2 CAFE/ACME
// (tick 0.01 ACME, lot 100 CAFE, taker 10 bps) and 3 CAFE/EUR (tick 0.01,
// lot 1.00, maker 5, taker 15), so that CAFE<->ACME swaps have a direct and
// a two-hop route; every trader funded in all three.
func fuzzWorld(tb testing.TB) (*Engine, *fuzzStream) {
	e := New()
	f := &fuzzStream{}
	acme, _ := ParseSymbol("ACME")
	eur, _ := ParseSymbol("EUR")
	cafe, _ := ParseSymbol("CAFE")
	var setup []Command
	for range 5 {
		setup = append(setup, Command{Kind: CmdCreateAccount})
	}
	setup = append(setup,
		Command{Kind: CmdCreateAsset, Symbol: acme, Scale: 0, AssetKind: Points, Brand: 5},
		Command{Kind: CmdCreateAsset, Symbol: eur, Scale: 2, Hub: true},
		Command{Kind: CmdCreateAsset, Symbol: cafe, Scale: 2, AssetKind: Coupon, Brand: 6, ExpiresAt: fuzzCouponExpiry},
		Command{Kind: CmdCreateMarket, Base: 1, Quote: 2, PriceScale: 2, Tick: 5, Lot: 2, MinSize: 4, MakerBps: 7, TakerBps: 25},
		Command{Kind: CmdCreateMarket, Base: 3, Quote: 1, PriceScale: 4, Tick: 100, Lot: 10_000, MakerBps: 0, TakerBps: 10},
		Command{Kind: CmdCreateMarket, Base: 3, Quote: 2, PriceScale: 2, Tick: 1, Lot: 100, MakerBps: 5, TakerBps: 15},
	)
	for a := AccountID(2); a <= 4; a++ {
		setup = append(setup,
			Command{Kind: CmdDeposit, Account: a, Asset: 1, Amount: 5_000, Ref: mixRef(int(a) * 3)},
			Command{Kind: CmdDeposit, Account: a, Asset: 2, Amount: 500_000, Ref: mixRef(int(a)*3 + 1)},
			Command{Kind: CmdIssue, Account: 6, To: a, Asset: 3, Amount: 500_000, Ref: mixRef(int(a)*3 + 2)})
	}
	f.e = e
	for i := range setup {
		f.apply(e, &setup[i])
		if f.out[0].Kind == EvRejected {
			tb.Fatalf("setup %s rejected: %s", setup[i].Kind, f.out[0].Code)
		}
	}
	return e, f
}

const fuzzCouponExpiry = 250

// fuzzMarkets are the tick, lot and a typical price in ticks of fuzzWorld's
// markets, by MarketID.
var fuzzMarkets = [...]struct{ tick, lot, price int64 }{
	1: {5, 2, 20},
	2: {100, 10_000, 100},
	3: {1, 100, 100},
}

func (f *fuzzStream) apply(e *Engine, c *Command) {
	f.seq++
	c.Seq, c.Time = f.seq, f.now
	f.out = e.Apply(c, f.out[:0])
	for _, ev := range f.out {
		if ev.Kind == EvOrderAccepted {
			if len(f.recent) == 16 {
				copy(f.recent, f.recent[1:])
				f.recent = f.recent[:15]
			}
			f.recent = append(f.recent, ev.Order)
		}
	}
	live := f.recent[:0]
	for _, id := range f.recent {
		if _, ok := e.Order(id); ok {
			live = append(live, id)
		}
	}
	f.recent = live
}

// owner returns the account of a live order most of the time, so that
// cancels and amends mostly reach their order, and another account otherwise.
func (f *fuzzStream) owner(id OrderID) AccountID {
	if o, ok := f.e.Order(id); ok && f.n(4) != 0 {
		return o.Account
	}
	return AccountID(2 + f.n(3))
}

func (f *fuzzStream) place() Command {
	m := MarketID(1 + f.n(3))
	p := fuzzMarkets[m]
	c := Command{
		Kind: CmdPlaceOrder, Account: AccountID(2 + f.n(3)), Market: m,
		Side: Side(1 + f.n(2)), Type: Limit, TIF: [...]TimeInForce{GTC, GTC, GTC, IOC, FOK, GTD}[f.n(6)], STP: SelfTradePrevention(f.n(3)),
		Price: (p.price - 5 + int64(f.n(11))) * p.tick, Size: (1 + int64(f.n(12))) * p.lot, ClientOrderID: f.cid(),
	}
	switch f.n(16) {
	case 0:
		c.Price++ // off tick
	case 1:
		c.Size++ // off lot
	case 2, 3:
		c.PostOnly = true
	case 4, 5:
		c.Type, c.Price, c.TIF = Market, 0, IOC
	case 6:
		c.Type, c.Price, c.TIF = Market, 0, FOK
	case 7:
		c.Type, c.Price, c.TIF, c.Side, c.Size, c.QuoteAmount = Market, 0, IOC, Buy, 0, int64(1+f.n(200))*37
	case 8:
		c.Size *= 1000 // more than anyone has
	}
	if c.TIF == GTD {
		c.ExpiresAt = f.now + int64(1+f.n(40))
	}
	c.Session = f.sessionRef(c.Account)
	return c
}

// sessionRef is mostly an open session of acct, if it has one, else
// mostly none, and now and then a small id: another account's, a closed
// one or one never opened.
func (f *fuzzStream) sessionRef(acct AccountID) SessionID {
	var own []SessionID
	for _, s := range f.e.Sessions(nil) {
		if s.Account == acct {
			own = append(own, s.ID)
		}
	}
	switch k := f.n(8); {
	case k == 0:
		return SessionID(1 + f.n(8))
	case len(own) > 0:
		return own[f.n(len(own))]
	}
	return 0
}

// session opens a trader's session in one of the modes (now and then an
// invalid mode, or for a brand or an unknown account), or, more often when
// some are open, closes one of the open sessions, mostly by its owner (now
// and then another account, or an id that is not open).
func (f *fuzzStream) session() Command {
	open := f.e.Sessions(nil)
	if len(open) == 0 || f.n(3) == 0 {
		c := Command{Kind: CmdOpenSession, Account: AccountID(2 + f.n(3)), SessionMode: SessionMode(1 + f.n(3))}
		switch f.n(10) {
		case 0:
			c.SessionMode = SessionMode(f.n(2) * 4) // 0 or 4
		case 1:
			c.Account = AccountID(6 + f.n(4))
		}
		return c
	}
	c := Command{Kind: CmdCloseSession, Account: AccountID(2 + f.n(3)), Session: SessionID(f.n(8))}
	if f.n(4) != 0 {
		s := open[f.n(len(open))]
		c.Session = s.ID
		if f.n(6) != 0 {
			c.Account = s.Account
		}
	}
	return c
}

func (f *fuzzStream) command() Command {
	switch f.n(16) {
	case 0, 1, 2, 3, 4:
		return f.place()
	case 5, 6:
		c := Command{Kind: CmdCancelOrder, Order: f.orderRef()}
		c.Account = f.owner(c.Order)
		if f.n(3) == 0 {
			c.Order, c.ClientOrderID = 0, f.cid()
		}
		return c
	case 7, 8:
		c := Command{Kind: CmdAmendOrder, Order: f.orderRef()}
		c.Account = f.owner(c.Order)
		p := fuzzMarkets[1]
		if o, ok := f.e.Order(c.Order); ok {
			p = fuzzMarkets[o.Market]
		}
		if f.n(2) == 0 {
			c.Price = (p.price - 5 + int64(f.n(11))) * p.tick
		}
		if f.n(2) == 0 {
			c.Size = (1 + int64(f.n(12))) * p.lot
		}
		return c
	case 9:
		return Command{Kind: CmdCancelAll, Account: AccountID(2 + f.n(3)), Market: MarketID(f.n(3))}
	case 10:
		c := Command{Kind: CmdBatch, Account: AccountID(2 + f.n(3))}
		for range 1 + f.n(3) {
			if f.n(3) == 0 {
				c.Batch = append(c.Batch, Command{Kind: CmdCancelOrder, Order: f.orderRef()})
			} else {
				c.Batch = append(c.Batch, f.place())
			}
		}
		return c
	case 11:
		id := WithdrawalID(1 + f.n(4))
		switch f.n(3) {
		case 0:
			return Command{Kind: CmdWithdraw, Account: AccountID(2 + f.n(3)), Asset: AssetID(1 + f.n(3)), Amount: int64(1 + f.n(100)), Withdrawal: id}
		case 1:
			return Command{Kind: CmdCompleteWithdrawal, Withdrawal: id}
		default:
			return Command{Kind: CmdFailWithdrawal, Withdrawal: id}
		}
	case 12:
		switch f.n(4) {
		case 0:
			return Command{Kind: CmdSetFees, Market: MarketID(1 + f.n(2)), MakerBps: int32(f.n(30)), TakerBps: int32(f.n(30))}
		case 1:
			status := Open
			if f.n(8) == 0 {
				status = Halted
			}
			return Command{Kind: CmdSetMarketStatus, Market: MarketID(1 + f.n(2)), Status: status}
		case 2:
			return Command{Kind: CmdDeposit, Account: AccountID(2 + f.n(3)), Asset: AssetID(1 + f.n(3)), Amount: int64(1 + f.n(1000)), Ref: mixRef(100 + f.n(40))}
		default:
			return Command{Kind: CmdCreateAccount}
		}
	case 13:
		return f.brandCommand()
	case 14:
		return f.deadman()
	default:
		if f.n(3) != 0 {
			return f.session()
		}
		return Command{Kind: CmdTick}
	}
}

// deadman arms (mostly a few time units ahead), re-arms or disarms a
// trader's dead-man switch for one market, every market (0) or an unknown
// one (4); now and then at or before the clock, or for an unknown account.
func (f *fuzzStream) deadman() Command {
	c := Command{Kind: CmdCancelAllAfter, Account: AccountID(2 + f.n(3)), Market: MarketID(f.n(5))}
	switch f.n(8) {
	case 0: // disarm
	case 1:
		c.ExpiresAt = f.now - int64(f.n(3)) // at or before the clock (0: disarm)
	case 2:
		c.Account, c.ExpiresAt = AccountID(6+f.n(4)), f.now+1 // a brand, or unknown unless created since
	default:
		c.ExpiresAt = f.now + int64(1+f.n(30))
	}
	return c
}

// brandCommand is a swap, an issue, a redemption and its settlement, a hub
// change or a supply report.
func (f *fuzzStream) brandCommand() Command {
	acct := AccountID(2 + f.n(5))
	switch f.n(10) {
	case 0, 1, 2, 3, 4:
		from := AssetID(1 + f.n(3))
		to := AssetID(1 + (int(from)+f.n(2))%3)
		unit := [...]int64{1: 2, 2: 250, 3: 500}[from] // about a lot's worth
		c := Command{Kind: CmdSwap, Account: AccountID(2 + f.n(3)), Asset: from, ToAsset: to, Amount: unit * int64(1+f.n(4))}
		if f.n(4) == 0 {
			c.MinReceive = int64(f.n(200))
		}
		return c
	case 5:
		return Command{Kind: CmdIssue, Account: acct, To: AccountID(2 + f.n(3)), Asset: AssetID(1 + f.n(3)),
			Amount: int64(1 + f.n(500)), Ref: mixRef(200 + f.n(20))}
	case 6:
		return Command{Kind: CmdRedeem, Account: acct, Asset: AssetID(1 + f.n(3)), Amount: int64(1 + f.n(300))}
	case 7:
		kind := CmdFulfilRedemption
		if f.n(2) == 0 {
			kind = CmdRejectRedemption
		}
		return Command{Kind: kind, Account: acct, Redemption: RedemptionID(1 + f.n(6))}
	case 8:
		return Command{Kind: CmdSetHub, Asset: AssetID(1 + f.n(3)), Hub: f.n(3) != 0}
	default:
		return Command{Kind: CmdReportSupply, Asset: AssetID(1 + f.n(3)), Amount: int64(f.n(256)) << 20}
	}
}

// run applies the stream to e, at most maxCmds commands (0: all), checking
// invariants after each command, and appends the events to record if set.
func (f *fuzzStream) run(tb testing.TB, e *Engine, record *[]Event, maxCmds int) {
	f.e = e
	for n := 0; len(f.b) > 0 && (maxCmds == 0 || n < maxCmds); n++ {
		f.now += int64(f.n(3))
		c := f.command()
		f.apply(e, &c)
		if record != nil {
			*record = append(*record, f.out...)
		}
		if err := e.CheckInvariants(); err != nil {
			tb.Fatalf("after seq %d (%s): %v", c.Seq, c.Kind, err)
		}
	}
}

// FuzzCommands applies a random command stream and checks the invariants
// after every command, then that the final state survives a snapshot round
// trip. It never panics.
func FuzzCommands(f *testing.F) {
	rng := rand.New(rand.NewPCG(7, 7))
	for range 8 {
		seed := make([]byte, 400)
		for i := range seed {
			seed[i] = byte(rng.UintN(256))
		}
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, s := fuzzWorld(t)
		s.b = data
		s.run(t, e, nil, 0)
		snap := e.AppendSnapshot(nil)
		r, err := Restore(snap)
		if err != nil {
			t.Fatalf("restore own snapshot: %v", err)
		}
		if !bytes.Equal(r.AppendSnapshot(nil), snap) {
			t.Fatal("snapshot round trip changed the state")
		}
	})
}

// FuzzRestore feeds arbitrary bytes to Restore: it must return an error or
// an engine whose canonical encoding is exactly the input, and never panic.
func FuzzRestore(f *testing.F) {
	for seed := uint64(1); seed <= 4; seed++ {
		e, s := fuzzWorld(f)
		s.b = randomBytes(seed, 300)
		s.run(f, e, nil, 0)
		f.Add(e.AppendSnapshot(nil))
	}
	f.Add([]byte(snapshotMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Restore(data)
		if err != nil {
			return
		}
		if !bytes.Equal(e.AppendSnapshot(nil), data) {
			t.Fatal("restored state does not re-encode to its input")
		}
	})
}

func randomBytes(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, 99))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	return b
}
