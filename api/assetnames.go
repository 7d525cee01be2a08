package api

import (
	"context"
	"errors"
	"sync"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// assetName is how people name an asset: its token program's name and
// its brand's account name (nil: none).
type assetName struct {
	Name, BrandName *string
}

// nameCache keeps the names of assets whose program and brand were found:
// neither changes once stored. An asset without a program (yet) is asked
// for again.
type nameCache struct {
	mu      sync.Mutex
	byAsset map[engine.AssetID]assetName
}

// assetNames returns the names of assets, in their order: what the cache
// lacks is read in one query for every program and one per brand.
func (s *Server) assetNames(ctx context.Context, assets []assetRef) ([]assetName, error) {
	nc := &s.names
	out := make([]assetName, len(assets))
	var missing []int
	nc.mu.Lock()
	for i, a := range assets {
		n, ok := nc.byAsset[a.ID]
		if !ok {
			missing = append(missing, i)
		}
		out[i] = n
	}
	nc.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	programs, err := s.deps.Store.ListTokenPrograms(ctx, 0)
	if err != nil {
		return nil, err
	}
	programName := make(map[uint32]string, len(programs))
	for _, p := range programs {
		programName[p.AssetID] = p.Name
	}
	brandName := map[engine.AccountID]*string{}
	found := map[engine.AssetID]assetName{}
	for _, i := range missing {
		a := assets[i]
		var n assetName
		complete := true
		if name, ok := programName[uint32(a.ID)]; ok && name != "" {
			n.Name = &name
		} else {
			complete = !ok && a.Brand == 0 // a brand's asset gets its program soon
		}
		if a.Brand != 0 {
			bn, ok := brandName[a.Brand]
			if !ok {
				acct, err := s.deps.Store.Account(ctx, uint32(a.Brand))
				if err != nil && !errors.Is(err, sqlstore.ErrNotFound) {
					return nil, err
				}
				if err == nil && acct.Name != "" {
					bn = &acct.Name
				}
				brandName[a.Brand] = bn
			}
			n.BrandName = bn
			complete = complete && bn != nil
		}
		out[i] = n
		if complete {
			found[a.ID] = n
		}
	}
	nc.mu.Lock()
	if nc.byAsset == nil {
		nc.byAsset = map[engine.AssetID]assetName{}
	}
	for id, n := range found {
		nc.byAsset[id] = n
	}
	nc.mu.Unlock()
	return out, nil
}
