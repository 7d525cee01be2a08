package sqlstore

import (
	"context"
	"math"
)

// LiabilityPoint is an asset's running liability totals at the end of the
// interval starting at Time (Unix nanoseconds): like a candle's close.
// Amounts are units of the asset's scale.
type LiabilityPoint struct {
	Time            int64
	Issued          int64 // issued to customers, ever
	HeldByCustomers int64 // available + held of every account but the brand's
	Redeemed        int64 // redeemed, pending or fulfilled (rejected ones refunded)
	Expired         int64 // breakage removed at coupon expiry
}

// MaxLiabilityPoints bounds the points of one LiabilitiesHistory answer.
const MaxLiabilityPoints = 1000

// LiabilitiesHistory computes the liability totals of asset (whose brand
// is the account brand) at the end of each interval from the one holding
// from to the one holding to - 1, from the history's ledger entries:
//
//   - issued: the sum of the entries with reason "issue";
//   - redeemed: minus those of "redemption" and "redemption_refund";
//   - expired: minus those of "breakage" and "withdrawal_refund" (a
//     failed withdrawal's refund moves its hold back to available, a net
//     change of zero, except after its coupon expired, when the engine
//     refunds it to breakage and the hold just leaves);
//   - held_by_customers: the sum of every entry of an account other than
//     brand (trades, deposits, withdrawals and fees included).
//
// A redemption rejected after its coupon expired is refunded to breakage
// too, with no balance change and so no ledger entry: the redemptions
// table has it (status rejected, settled at or after the asset's
// expires_at, when the engine had expired the asset), and it moves from
// redeemed to expired at its settlement. So the totals are the engine's
// (engine.Liabilities: issued, held by customers, redeemed pending +
// fulfilled, expired) as of each interval's end.
//
// Every total starts from the asset's first entry, so the first point
// counts what came before from. Intervals are aligned to multiples of
// interval since the Unix epoch. ErrInvalid: interval not positive, from
// negative, to not after from, or more than MaxLiabilityPoints intervals.
func (db *DB) LiabilitiesHistory(ctx context.Context, asset, brand uint32, interval, from, to int64) ([]LiabilityPoint, error) {
	if interval <= 0 || from < 0 || to <= from {
		return nil, invalidf("liabilities history: interval %d from %d to %d", interval, from, to)
	}
	first, last := from/interval, (to-1)/interval
	if last-first+1 > MaxLiabilityPoints {
		return nil, invalidf("liabilities history: %d intervals, at most %d", last-first+1, MaxLiabilityPoints)
	}
	end := int64(math.MaxInt64)
	if last+1 <= math.MaxInt64/interval {
		end = (last + 1) * interval
	}
	rows, err := db.DB.QueryContext(ctx, db.q(`SELECT time / ?, reason, CASE WHEN account_id = ? THEN 1 ELSE 0 END,
		CAST(SUM(available_delta + held_delta) AS BIGINT)
		FROM ledger_entries WHERE asset_id = ? AND time < ?
		GROUP BY 1, 2, 3`),
		interval, int64(brand), int64(asset), end)
	if err != nil {
		return nil, dbErr(err, "liabilities history of asset %d", asset)
	}
	defer rows.Close()
	points := make([]LiabilityPoint, last-first+1)
	for i := range points {
		points[i].Time = (first + int64(i)) * interval
	}
	var carry LiabilityPoint // what precedes from
	for rows.Next() {
		var bucket, ofBrand, sum int64
		var reason string
		if err := rows.Scan(&bucket, &reason, &ofBrand, &sum); err != nil {
			return nil, dbErr(err, "liabilities history of asset %d", asset)
		}
		p := &carry
		if bucket >= first {
			p = &points[bucket-first]
		}
		switch reason {
		case "issue":
			p.Issued += sum
		case "redemption", "redemption_refund":
			p.Redeemed -= sum
		case "breakage", "withdrawal_refund":
			p.Expired -= sum
		}
		if ofBrand == 0 {
			p.HeldByCustomers += sum
		}
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr(err, "liabilities history of asset %d", asset)
	}
	// Redemptions rejected after the coupon expired: breakage.
	late, err := db.DB.QueryContext(ctx, db.q(`SELECT r.settled_at / ?, CAST(SUM(r.amount) AS BIGINT)
		FROM redemptions r JOIN assets a ON a.id = r.asset_id
		WHERE r.asset_id = ? AND r.status = 'rejected' AND a.expires_at > 0 AND r.settled_at >= a.expires_at AND r.settled_at < ?
		GROUP BY 1`), interval, int64(asset), end)
	if err != nil {
		return nil, dbErr(err, "liabilities history of asset %d: late rejections", asset)
	}
	defer late.Close()
	for late.Next() {
		var bucket, sum int64
		if err := late.Scan(&bucket, &sum); err != nil {
			return nil, dbErr(err, "liabilities history of asset %d: late rejections", asset)
		}
		p := &carry
		if bucket >= first {
			p = &points[bucket-first]
		}
		p.Redeemed -= sum
		p.Expired += sum
	}
	if err := late.Err(); err != nil {
		return nil, dbErr(err, "liabilities history of asset %d: late rejections", asset)
	}
	for i := range points {
		p := &points[i]
		p.Issued += carry.Issued
		p.HeldByCustomers += carry.HeldByCustomers
		p.Redeemed += carry.Redeemed
		p.Expired += carry.Expired
		carry = LiabilityPoint{Issued: p.Issued, HeldByCustomers: p.HeldByCustomers, Redeemed: p.Redeemed, Expired: p.Expired}
	}
	return points, nil
}
