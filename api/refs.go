package api

import (
	"context"
	"strings"
	"sync"

	"github.com/lpx-exchange/lpx/engine"
)

// assetRef is what never changes about an asset: how the API names it and
// reads and writes its amounts.
type assetRef struct {
	ID        engine.AssetID
	Symbol    string
	Scale     uint8
	Kind      engine.AssetKind
	Brand     engine.AccountID
	ExpiresAt int64
}

// marketRef is what never changes about a market. Its symbol is
// BASE-QUOTE ("ACME-EUR"); asset symbols hold no '-'.
type marketRef struct {
	ID                 engine.MarketID
	Symbol             string
	Base, Quote        assetRef
	PriceScale         uint8
	Tick, Lot, MinSize int64
}

// refCache resolves asset and market symbols without asking the engine
// again: assets and markets are only ever added, and what it keeps of them
// never changes. A miss reads the engine once for what was added since.
type refCache struct {
	mu           sync.RWMutex
	assets       []assetRef // by id - 1
	markets      []marketRef
	assetByName  map[string]int
	marketByName map[string]int
}

func newRefCache() *refCache {
	return &refCache{assetByName: map[string]int{}, marketByName: map[string]int{}}
}

// refresh reads the assets and markets the cache does not hold yet.
func (s *Server) refreshRefs(ctx context.Context) error {
	r := s.refs
	r.mu.RLock()
	nAssets, nMarkets := len(r.assets), len(r.markets)
	r.mu.RUnlock()
	var assets []assetRef
	var markets []engine.MarketInfo
	err := s.readCtx(ctx, func(e *engine.Engine) {
		for id := engine.AssetID(nAssets + 1); ; id++ {
			a, ok := e.Asset(id)
			if !ok {
				break
			}
			assets = append(assets, assetRef{ID: a.ID, Symbol: a.Symbol.String(), Scale: a.Scale, Kind: a.Kind, Brand: a.Brand, ExpiresAt: a.ExpiresAt})
		}
		for id := engine.MarketID(nMarkets + 1); ; id++ {
			m, ok := e.Market(id)
			if !ok {
				break
			}
			markets = append(markets, m)
		}
	})
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range assets {
		if int(a.ID) == len(r.assets)+1 {
			r.assets = append(r.assets, a)
			r.assetByName[a.Symbol] = len(r.assets) - 1
		}
	}
	for _, m := range markets {
		if int(m.ID) != len(r.markets)+1 || int(m.Base) > len(r.assets) || int(m.Quote) > len(r.assets) {
			continue
		}
		base, quote := r.assets[m.Base-1], r.assets[m.Quote-1]
		r.markets = append(r.markets, marketRef{
			ID: m.ID, Symbol: base.Symbol + "-" + quote.Symbol, Base: base, Quote: quote,
			PriceScale: m.PriceScale, Tick: m.Tick, Lot: m.Lot, MinSize: m.MinSize,
		})
		r.marketByName[r.markets[len(r.markets)-1].Symbol] = len(r.markets) - 1
	}
	return nil
}

// resolve answers lookup's ref, reading the engine once for what was
// added since the cache last did when the first lookup misses; notFound
// when the engine has none either.
func resolve[T any](s *Server, ctx context.Context, lookup func(r *refCache) (T, bool), notFound func() error) (T, error) {
	find := func() (T, bool) {
		s.refs.mu.RLock()
		defer s.refs.mu.RUnlock()
		return lookup(s.refs)
	}
	if v, ok := find(); ok {
		return v, nil
	}
	var zero T
	if err := s.refreshRefs(ctx); err != nil {
		return zero, err
	}
	if v, ok := find(); ok {
		return v, nil
	}
	return zero, notFound()
}

// asset resolves an asset symbol (case-insensitive): unknown_asset if the
// engine has none.
func (s *Server) asset(ctx context.Context, symbol string) (assetRef, error) {
	name := strings.ToUpper(symbol)
	return resolve(s, ctx, func(r *refCache) (assetRef, bool) {
		i, ok := r.assetByName[name]
		if !ok {
			return assetRef{}, false
		}
		return r.assets[i], true
	}, func() error { return Errorf("unknown_asset", "no asset %q", clip(symbol)) })
}

// requestAsset resolves the asset field of a request: missing_field if
// empty, unknown_asset if the engine has none.
func (s *Server) requestAsset(ctx context.Context, symbol string) (assetRef, error) {
	if symbol == "" {
		return assetRef{}, errMissing("asset")
	}
	return s.asset(ctx, symbol)
}

// assetByID resolves an asset id.
func (s *Server) assetByID(ctx context.Context, id engine.AssetID) (assetRef, error) {
	return resolve(s, ctx, func(r *refCache) (assetRef, bool) {
		if id == 0 || int(id) > len(r.assets) {
			return assetRef{}, false
		}
		return r.assets[id-1], true
	}, func() error { return Errorf("unknown_asset", "no asset %d", id) })
}

// market resolves a market symbol, BASE-QUOTE (case-insensitive):
// unknown_market if the engine has none.
func (s *Server) market(ctx context.Context, symbol string) (marketRef, error) {
	name := strings.ToUpper(symbol)
	return resolve(s, ctx, func(r *refCache) (marketRef, bool) {
		i, ok := r.marketByName[name]
		if !ok {
			return marketRef{}, false
		}
		return r.markets[i], true
	}, func() error {
		return Errorf("unknown_market", "no market %q (markets are named BASE-QUOTE)", clip(symbol))
	})
}

// marketByID resolves a market id.
func (s *Server) marketByID(ctx context.Context, id engine.MarketID) (marketRef, error) {
	return resolve(s, ctx, func(r *refCache) (marketRef, bool) {
		if id == 0 || int(id) > len(r.markets) {
			return marketRef{}, false
		}
		return r.markets[id-1], true
	}, func() error { return Errorf("unknown_market", "no market %d", id) })
}

// allRefs returns every asset and market, fresh from the engine.
func (s *Server) allRefs(ctx context.Context) ([]assetRef, []marketRef, error) {
	if err := s.refreshRefs(ctx); err != nil {
		return nil, nil, err
	}
	s.refs.mu.RLock()
	defer s.refs.mu.RUnlock()
	return append([]assetRef(nil), s.refs.assets...), append([]marketRef(nil), s.refs.markets...), nil
}
