package loadtest

import "context"

// checkConservation compares, per asset, what the run issued, what its
// accounts hold, and what the brand's liabilities say.
func (r *run) checkConservation(ctx context.Context, v *Verification, held map[string]int64) {
	var liab struct {
		Liabilities []liabilityRow `json:"liabilities"`
	}
	err := withRetries(ctx, r.cfg.Timeout, true, func(ctx context.Context) error {
		return r.brand.Client.Do(ctx, "GET", "/v1/brand/liabilities", nil, &liab)
	})
	if err != nil {
		v.ConservationViolations++
		v.problem("the brand's liabilities: %v", err)
		return
	}
	server := map[string]liabilityRow{}
	for _, l := range liab.Liabilities {
		server[l.Asset] = l
	}
	for _, as := range r.assets {
		var issued int64
		for _, a := range r.traders() {
			issued += a.Issued[as.Symbol]
		}
		l, ok := server[as.Symbol]
		sIssued, err1 := parseField("issued", l.Issued, as.Scale)
		customers, err2 := parseField("held_by_customers", l.HeldByCustomers, as.Scale)
		brand, err3 := parseField("held_by_brand", l.HeldByBrand, as.Scale)
		t := AssetTotal{
			Asset: as.Symbol, Issued: formatUnits(issued, as.Scale), IssuedOnServer: formatUnits(sIssued, as.Scale),
			Held: formatUnits(held[as.Symbol], as.Scale), HeldOnServer: formatUnits(customers+brand, as.Scale),
		}
		t.OK = ok && err1 == nil && err2 == nil && err3 == nil &&
			issued == sIssued && held[as.Symbol] == issued && customers+brand == issued
		if !t.OK {
			v.ConservationViolations++
			v.problem("%s is not conserved: issued %s (the server says %s), the accounts hold %s (the server says %s)",
				as.Symbol, t.Issued, t.IssuedOnServer, t.Held, t.HeldOnServer)
		}
		v.Conservation = append(v.Conservation, t)
	}
}
