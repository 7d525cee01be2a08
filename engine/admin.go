package engine

func (e *Engine) createAccount() {
	id := AccountID(len(e.accounts))
	e.accounts = append(e.accounts, account{orders: noSlot})
	e.event(EvAccountCreated).Account = id
}

func (e *Engine) createAsset(cmd *Command) {
	if !cmd.Symbol.valid() {
		e.reject(cmd, CodeInvalidCommand)
		return
	}
	if cmd.Scale > MaxScale {
		e.reject(cmd, CodeInvalidScale)
		return
	}
	switch {
	case cmd.AssetKind > Coupon,
		cmd.AssetKind == Token && cmd.Brand != 0,
		cmd.AssetKind != Token && cmd.Brand == 0:
		e.reject(cmd, CodeInvalidAssetKind)
		return
	case cmd.Brand != 0 && !e.hasAccount(cmd.Brand):
		e.reject(cmd, CodeUnknownAccount)
		return
	case cmd.ExpiresAt != 0 && (cmd.AssetKind != Coupon || cmd.ExpiresAt <= e.now):
		e.reject(cmd, CodeInvalidExpiry)
		return
	}
	if _, dup := e.symbols[cmd.Symbol]; dup {
		e.reject(cmd, CodeDuplicateAsset)
		return
	}
	id := AssetID(len(e.assets))
	e.assets = append(e.assets, asset{symbol: cmd.Symbol, scale: cmd.Scale, kind: cmd.AssetKind, brand: cmd.Brand, expiresAt: cmd.ExpiresAt, hub: cmd.Hub})
	e.symbols[cmd.Symbol] = id
	if cmd.ExpiresAt != 0 {
		e.nextAssetExpiry = min(e.nextAssetExpiry, cmd.ExpiresAt)
	}
	ev := e.event(EvAssetCreated)
	ev.Asset, ev.Symbol, ev.Scale = id, cmd.Symbol, cmd.Scale
	ev.AssetKind, ev.Brand, ev.ExpiresAt, ev.Hub = cmd.AssetKind, cmd.Brand, cmd.ExpiresAt, cmd.Hub
	if cmd.Hub {
		e.rebuildHubs()
	}
}

func (e *Engine) createMarket(cmd *Command) {
	switch {
	case !e.hasAsset(cmd.Base) || !e.hasAsset(cmd.Quote):
		e.reject(cmd, CodeUnknownAsset)
		return
	case cmd.Base == cmd.Quote:
		e.reject(cmd, CodeInvalidCommand)
		return
	case e.assets[cmd.Base].expired || e.assets[cmd.Quote].expired:
		e.reject(cmd, CodeAssetExpired)
		return
	case cmd.PriceScale > MaxScale:
		e.reject(cmd, CodeInvalidScale)
		return
	case cmd.Tick <= 0:
		e.reject(cmd, CodeInvalidTick)
		return
	case cmd.Lot <= 0:
		e.reject(cmd, CodeInvalidLot)
		return
	case cmd.MinSize < 0 || cmd.MinSize%cmd.Lot != 0:
		e.reject(cmd, CodeInvalidMinSize)
		return
	case !validFee(cmd.MakerBps) || !validFee(cmd.TakerBps):
		e.reject(cmd, CodeInvalidFee)
		return
	}
	if _, dup := e.pairs[pairKey(cmd.Base, cmd.Quote)]; dup {
		e.reject(cmd, CodeDuplicateMarket)
		return
	}
	k, code := notionalPerTickLot(cmd.Tick, cmd.Lot, int(cmd.PriceScale), int(e.assets[cmd.Base].scale), int(e.assets[cmd.Quote].scale))
	if code != OK {
		e.reject(cmd, code)
		return
	}
	minLots := cmd.MinSize / cmd.Lot
	if minLots == 0 {
		minLots = 1
	}
	id := MarketID(len(e.markets))
	e.markets = append(e.markets, market{
		id: id, base: cmd.Base, quote: cmd.Quote, priceScale: cmd.PriceScale,
		tick: cmd.Tick, lot: cmd.Lot, minLots: minLots, k: k,
		makerBps: cmd.MakerBps, takerBps: cmd.TakerBps, status: Open,
		bids: bookSide{side: Buy}, asks: bookSide{side: Sell},
	})
	e.pairs[pairKey(cmd.Base, cmd.Quote)] = id
	m := &e.markets[id]
	ev := e.event(EvMarketCreated)
	ev.Market, ev.Base, ev.Quote, ev.PriceScale = id, m.base, m.quote, m.priceScale
	ev.Tick, ev.Lot, ev.MinSize = m.tick, m.lot, m.minLots*m.lot
	ev.MakerBps, ev.TakerBps, ev.Status = m.makerBps, m.takerBps, m.status
}

// pairKey names the pair of two assets in either order: A/B and B/A are the
// same pair and have one market, so liquidity is never split between them.
func pairKey(a, b AssetID) [2]AssetID {
	if a > b {
		a, b = b, a
	}
	return [2]AssetID{a, b}
}

// checkAccountAsset is the first check of a command that moves an
// account's units of an asset.
func (e *Engine) checkAccountAsset(acct AccountID, a AssetID) Code {
	switch {
	case !e.hasAccount(acct):
		return CodeUnknownAccount
	case !e.hasAsset(a):
		return CodeUnknownAsset
	}
	return OK
}

func validFee(bps int32) bool { return bps >= 0 && bps <= MaxFeeBps }

// notionalPerTickLot returns the quote units of one lot at one tick:
// tick x lot x 10^(quoteScale - priceScale - baseScale), which must be a
// whole number.
func notionalPerTickLot(tick, lot int64, priceScale, baseScale, quoteScale int) (int64, Code) {
	p, ok := mul(tick, lot)
	if !ok {
		return 0, CodeAmountOverflow
	}
	exp := quoteScale - priceScale - baseScale
	switch {
	case exp > 0:
		if p, ok = mul(p, pow10(exp)); !ok {
			return 0, CodeAmountOverflow
		}
	case exp < 0:
		if -exp > MaxScale {
			return 0, CodeTickLotNotIntegral
		}
		d := pow10(-exp)
		if p%d != 0 {
			return 0, CodeTickLotNotIntegral
		}
		p /= d
	}
	return p, OK
}

func (e *Engine) setMarketStatus(cmd *Command) {
	m := e.market(cmd.Market)
	switch {
	case m == nil:
		e.reject(cmd, CodeUnknownMarket)
		return
	case cmd.Status != Open && cmd.Status != Halted:
		e.reject(cmd, CodeInvalidStatus)
		return
	case cmd.Status == Open && e.marketExpired(m):
		e.reject(cmd, CodeAssetExpired)
		return
	}
	m.status = cmd.Status
	ev := e.event(EvMarketStatus)
	ev.Market, ev.Status = m.id, m.status
}

func (e *Engine) setFees(cmd *Command) {
	m := e.market(cmd.Market)
	switch {
	case m == nil:
		e.reject(cmd, CodeUnknownMarket)
		return
	case !validFee(cmd.MakerBps) || !validFee(cmd.TakerBps):
		e.reject(cmd, CodeInvalidFee)
		return
	}
	m.makerBps, m.takerBps = cmd.MakerBps, cmd.TakerBps
	ev := e.event(EvFeesSet)
	ev.Market, ev.MakerBps, ev.TakerBps = m.id, m.makerBps, m.takerBps
}

func (e *Engine) deposit(cmd *Command) {
	if code := e.checkAccountAsset(cmd.Account, cmd.Asset); code != OK {
		e.reject(cmd, code)
		return
	}
	switch {
	case cmd.Amount <= 0:
		e.reject(cmd, CodeInvalidAmount)
		return
	case cmd.Ref == Ref{}:
		e.reject(cmd, CodeInvalidCommand)
		return
	}
	if _, dup := e.deposits[cmd.Ref]; dup {
		e.reject(cmd, CodeDuplicateDeposit)
		return
	}
	a := &e.assets[cmd.Asset]
	switch {
	case a.expired: // the token cannot move on-chain any more either
		e.reject(cmd, CodeAssetExpired)
		return
	case !a.inflow(cmd.Amount):
		e.reject(cmd, CodeAmountOverflow)
		return
	}
	a.deposited += cmd.Amount
	e.deposits[cmd.Ref] = struct{}{}
	e.bal(cmd.Account, cmd.Asset).available += cmd.Amount
	ev := e.event(EvDeposited)
	ev.Account, ev.Asset, ev.Amount, ev.Ref = cmd.Account, cmd.Asset, cmd.Amount, cmd.Ref
}

func (e *Engine) withdraw(cmd *Command) {
	if code := e.checkAccountAsset(cmd.Account, cmd.Asset); code != OK {
		e.reject(cmd, code)
		return
	}
	switch {
	case cmd.Amount <= 0:
		e.reject(cmd, CodeInvalidAmount)
		return
	case cmd.Withdrawal == 0:
		e.reject(cmd, CodeInvalidCommand)
		return
	}
	if _, dup := e.withdrawals[cmd.Withdrawal]; dup {
		e.reject(cmd, CodeDuplicateWithdrawal)
		return
	}
	if e.assets[cmd.Asset].expired {
		e.reject(cmd, CodeAssetExpired)
		return
	}
	if e.available(cmd.Account, cmd.Asset) < cmd.Amount {
		e.reject(cmd, CodeInsufficientBalance)
		return
	}
	b := e.bal(cmd.Account, cmd.Asset)
	b.available -= cmd.Amount
	b.held += cmd.Amount
	e.withdrawals[cmd.Withdrawal] = withdrawal{account: cmd.Account, asset: cmd.Asset, amount: cmd.Amount, pending: true}
	ev := e.event(EvWithdrawalHeld)
	ev.Account, ev.Asset, ev.Amount, ev.Withdrawal = cmd.Account, cmd.Asset, cmd.Amount, cmd.Withdrawal
}

// settleWithdrawal completes (the funds left) or fails (refund) a pending
// withdrawal.
func (e *Engine) settleWithdrawal(cmd *Command) {
	w, ok := e.withdrawals[cmd.Withdrawal]
	if !ok || !w.pending {
		e.reject(cmd, CodeUnknownWithdrawal)
		return
	}
	w.pending = false
	e.withdrawals[cmd.Withdrawal] = w
	b := e.bal(w.account, w.asset)
	b.held -= w.amount
	a := &e.assets[w.asset]
	kind := EvWithdrawalFailed
	switch {
	case cmd.Kind == CmdCompleteWithdrawal:
		a.withdrawn += w.amount
		kind = EvWithdrawalCompleted
	case a.expired: // the refund of an expired coupon is breakage
		a.expiredUnits += w.amount
	default:
		b.available += w.amount
	}
	ev := e.event(kind)
	ev.Account, ev.Asset, ev.Amount, ev.Withdrawal = w.account, w.asset, w.amount, cmd.Withdrawal
}
