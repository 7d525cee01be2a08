package api

import (
	"math"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// liabilityIntervals are the intervals of the liabilities history and
// how many of them it answers when from is not given.
var liabilityIntervals = map[string]struct {
	d        time.Duration
	defaults int64
}{
	"1h": {time.Hour, 24},
	"1d": {24 * time.Hour, 30},
}

type liabilityPointView struct {
	Time            string `json:"time"` // the interval's start; the totals are as of its end
	Issued          string `json:"issued"`
	HeldByCustomers string `json:"held_by_customers"`
	Redeemed        string `json:"redeemed"`
	Expired         string `json:"expired"`
}

// getLiabilitiesHistory answers the running liability totals of one of
// the brand's assets (?asset=SYM) at the end of each interval (?interval=
// 1h, the default, or 1d) from the one holding from to the one holding to
// (RFC 3339 or Unix ms; to defaults to now, from to 24 hours or 30 days
// before), at most 1,000 points, computed from the SQL history's ledger
// (sqlstore.LiabilitiesHistory says how). The history follows the engine
// within moments: the last point may lag GET /v1/brand/liabilities.
func (s *Server) getLiabilitiesHistory(c *fiber.Ctx) error {
	p, err := brandCaller(c)
	if err != nil {
		return err
	}
	symbol := c.Query("asset")
	if symbol == "" {
		return Errorf("missing_parameter", "query parameter \"asset\" is required")
	}
	ivName := c.Query("interval", "1h")
	iv, ok := liabilityIntervals[ivName]
	if !ok {
		return Errorf("invalid_parameter", "query parameter \"interval\" must be 1h or 1d, not %q", clip(ivName))
	}
	d := int64(iv.d)
	to, err := queryTime(c, "to", s.cfg.Now().UnixNano())
	if err != nil {
		return err
	}
	to = min(to, math.MaxInt64-1) // the store's bound is to + 1
	from, err := queryTime(c, "from", max(to/d*d-(iv.defaults-1)*d, 0))
	if err != nil {
		return err
	}
	if from > to {
		return Errorf("invalid_parameter", "query parameter \"from\" is after \"to\"")
	}
	if n := to/d - from/d + 1; n > sqlstore.MaxLiabilityPoints {
		return Errorf("invalid_parameter", "from %s to %s is %d intervals of %s; at most %d", rfc3339(from), rfc3339(to), n, ivName, sqlstore.MaxLiabilityPoints)
	}
	a, err := s.asset(c.UserContext(), symbol)
	if err != nil {
		return err
	}
	mine, err := s.brandAssets(c, p.Account)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(mine, func(b assetRef) bool { return b.ID == a.ID }) {
		return Errorf("not_brands_asset", "%s is not this brand's asset", a.Symbol)
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	points, err := s.deps.Store.LiabilitiesHistory(ctx, uint32(a.ID), p.Account, d, from, to+1)
	if err != nil {
		return err
	}
	out := make([]liabilityPointView, len(points))
	for i, pt := range points {
		f := func(u int64) string { return formatUnits(u, a.Scale) }
		out[i] = liabilityPointView{Time: rfc3339(pt.Time), Issued: f(pt.Issued), HeldByCustomers: f(pt.HeldByCustomers),
			Redeemed: f(pt.Redeemed), Expired: f(pt.Expired)}
	}
	return c.JSON(fiber.Map{"asset": a.Symbol, "interval": ivName, "points": out})
}
