package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/internal/apitest"
)

// TestTradingBadInput: every write route of trading answers bad input
// with its precise 4xx code, never a 5xx, and submits nothing: the
// engine's state hash is the same after all of them.
func TestTradingBadInput(t *testing.T) {
	t.Parallel()
	te := startTradeEnv(t, apitest.Options{QuietClock: true})
	alice, _ := te.trader("alice", map[string]int64{"ACME": 100_00, "EUR": 100_00})
	bob, _ := te.trader("bob", map[string]int64{"ACME": 100_00})
	mine := place(t, alice, limitOrder("sell", "3.00", "2.00", "client_order_id", "mine"))
	bobs := place(t, bob, limitOrder("sell", "3.00", "2.00"))
	before := te.StateHash()

	// order is a valid placement with some fields changed; a nil value
	// removes the field.
	order := func(change ...any) string {
		o := map[string]any{"market": "ACME-EUR", "side": "buy", "type": "limit", "price": "1.00", "size": "1.00"}
		for i := 0; i+1 < len(change); i += 2 {
			if change[i+1] == nil {
				delete(o, change[i].(string))
			} else {
				o[change[i].(string)] = change[i+1]
			}
		}
		b, _ := json.Marshal(o)
		return string(b)
	}
	past := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	items := func(n int) string {
		return `{"orders":[` + strings.TrimSuffix(strings.Repeat(`{"action":"cancel","id":"1"},`, n), ",") + `]}`
	}
	huge := `{"market":"ACME-EUR","side":"buy","type":"limit","price":"1.00","size":"1.00","client_order_id":"` + strings.Repeat("x", 70_000) + `"}`

	cases := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		// POST /v1/orders
		{"no body", "POST", "/v1/orders", "", 400, "malformed_json"},
		{"malformed", "POST", "/v1/orders", `{"market":`, 400, "malformed_json"},
		{"not an object", "POST", "/v1/orders", `[]`, 400, "malformed_json"},
		{"trailing data", "POST", "/v1/orders", order() + `{}`, 400, "malformed_json"},
		{"unknown field", "POST", "/v1/orders", order("leverage", "10"), 400, "unknown_field"},
		{"missing market", "POST", "/v1/orders", order("market", nil), 400, "missing_field"},
		{"missing side", "POST", "/v1/orders", order("side", nil), 400, "missing_field"},
		{"missing type", "POST", "/v1/orders", order("type", nil), 400, "missing_field"},
		{"missing price", "POST", "/v1/orders", order("price", nil), 400, "missing_field"},
		{"missing size", "POST", "/v1/orders", order("size", nil), 400, "missing_field"},
		{"unknown market", "POST", "/v1/orders", order("market", "NOPE-EUR"), 404, "unknown_market"},
		{"bad side", "POST", "/v1/orders", order("side", "BUY"), 400, "invalid_side"},
		{"bad type", "POST", "/v1/orders", order("type", "stop"), 400, "invalid_order_type"},
		{"bad time in force", "POST", "/v1/orders", order("time_in_force", "day"), 400, "invalid_time_in_force"},
		{"market gtc", "POST", "/v1/orders", order("type", "market", "price", nil, "time_in_force", "gtc"), 400, "invalid_time_in_force"},
		{"post-only ioc", "POST", "/v1/orders", order("post_only", true, "time_in_force", "ioc"), 400, "invalid_time_in_force"},
		{"fok by quote", "POST", "/v1/orders", order("type", "market", "price", nil, "size", nil, "quote_amount", "1.00", "time_in_force", "fok"), 400, "invalid_time_in_force"},
		{"bad stp", "POST", "/v1/orders", order("stp", "cancel_all"), 400, "invalid_self_trade_prevention"},
		{"negative price", "POST", "/v1/orders", order("price", "-1.00"), 400, "invalid_decimal"},
		{"zero price", "POST", "/v1/orders", order("price", "0"), 400, "invalid_amount"},
		{"zero size", "POST", "/v1/orders", order("size", "0.00"), 400, "invalid_amount"},
		{"exponent", "POST", "/v1/orders", order("size", "1e2"), 400, "invalid_decimal"},
		{"spaces", "POST", "/v1/orders", order("size", " 1.00"), 400, "invalid_decimal"},
		{"too many decimals", "POST", "/v1/orders", order("price", "1.001"), 400, "too_many_decimals"},
		{"too large a size", "POST", "/v1/orders", order("size", "99999999999999999999"), 400, "amount_too_large"},
		{"price a number", "POST", "/v1/orders", order("price", 1.25), 400, "wrong_type"},
		{"size a number", "POST", "/v1/orders", order("size", 1), 400, "wrong_type"},
		{"post_only a string", "POST", "/v1/orders", order("post_only", "true"), 400, "wrong_type"},
		{"price off tick", "POST", "/v1/orders", order("market", "COFFEE-EUR", "price", "0.51", "size", "2"), 400, "price_off_tick"},
		{"size off lot", "POST", "/v1/orders", order("size", "1.50"), 400, "size_off_lot"},
		{"size below minimum", "POST", "/v1/orders", order("market", "COFFEE-EUR", "price", "0.50", "size", "1"), 400, "size_below_minimum"},
		{"long client id", "POST", "/v1/orders", order("client_order_id", strings.Repeat("c", 37)), 400, "invalid_client_order_id"},
		{"client id with a space", "POST", "/v1/orders", order("client_order_id", "a b"), 400, "invalid_client_order_id"},
		{"client id not ascii", "POST", "/v1/orders", order("client_order_id", "café"), 400, "invalid_client_order_id"},
		{"gtd without expiry", "POST", "/v1/orders", order("time_in_force", "gtd"), 400, "missing_field"},
		{"gtd in the past", "POST", "/v1/orders", order("time_in_force", "gtd", "expires_at", past), 400, "invalid_expiry"},
		{"gtd not a time", "POST", "/v1/orders", order("time_in_force", "gtd", "expires_at", "tomorrow"), 400, "invalid_expiry"},
		{"gtd beyond 2262", "POST", "/v1/orders", order("time_in_force", "gtd", "expires_at", "2300-01-01T00:00:00Z"), 400, "invalid_expiry"},
		{"expiry on gtc", "POST", "/v1/orders", order("expires_at", future), 400, "invalid_expiry"},
		{"market order with a price", "POST", "/v1/orders", order("type", "market"), 400, "invalid_price"},
		{"quote amount on a limit", "POST", "/v1/orders", order("size", nil, "quote_amount", "1.00"), 400, "invalid_amount"},
		{"quote amount on a market sell", "POST", "/v1/orders", order("type", "market", "side", "sell", "price", nil, "size", nil, "quote_amount", "1.00"), 400, "invalid_amount"},
		{"quote amount and size", "POST", "/v1/orders", order("type", "market", "price", nil, "quote_amount", "1.00"), 400, "invalid_size"},
		{"quote amount too precise", "POST", "/v1/orders", order("type", "market", "price", nil, "size", nil, "quote_amount", "1.001"), 400, "too_many_decimals"},

		// PATCH /v1/orders/:id
		{"amend malformed", "PATCH", "/v1/orders/" + mine.ID, `{"price"`, 400, "malformed_json"},
		{"amend nothing", "PATCH", "/v1/orders/" + mine.ID, `{}`, 400, "missing_field"},
		{"amend unknown field", "PATCH", "/v1/orders/" + mine.ID, `{"side":"buy"}`, 400, "unknown_field"},
		{"amend zero price", "PATCH", "/v1/orders/" + mine.ID, `{"price":"0"}`, 400, "invalid_amount"},
		{"amend negative size", "PATCH", "/v1/orders/" + mine.ID, `{"size":"-2.00"}`, 400, "invalid_decimal"},
		{"amend price a number", "PATCH", "/v1/orders/" + mine.ID, `{"price":2}`, 400, "wrong_type"},
		{"amend too many decimals", "PATCH", "/v1/orders/" + mine.ID, `{"price":"2.001"}`, 400, "too_many_decimals"},
		{"amend size off lot", "PATCH", "/v1/orders/" + mine.ID, `{"size":"2.50"}`, 400, "size_off_lot"},
		{"amend too large", "PATCH", "/v1/orders/" + mine.ID, `{"size":"92233720368547758.08"}`, 400, "amount_too_large"},
		{"amend unknown order", "PATCH", "/v1/orders/999999", `{"price":"2.00"}`, 404, "unknown_order"},
		{"amend bad id", "PATCH", "/v1/orders/abc", `{"price":"2.00"}`, 404, "unknown_order"},
		{"amend another's order", "PATCH", "/v1/orders/" + bobs.ID, `{"price":"2.00"}`, 404, "unknown_order"},

		// DELETE /v1/orders/:id, /v1/orders/by-client-id/:id, /v1/orders
		{"cancel unknown order", "DELETE", "/v1/orders/999999", "", 404, "unknown_order"},
		{"cancel bad id", "DELETE", "/v1/orders/-1", "", 404, "unknown_order"},
		{"cancel another's order", "DELETE", "/v1/orders/" + bobs.ID, "", 404, "unknown_order"},
		{"cancel by a malformed client id", "DELETE", "/v1/orders/by-client-id/" + strings.Repeat("c", 37), "", 404, "unknown_order"},
		{"cancel by an unknown client id", "DELETE", "/v1/orders/by-client-id/never-placed", "", 404, "unknown_order"},
		{"cancel all in an unknown market", "DELETE", "/v1/orders?market=NOPE-EUR", "", 404, "unknown_market"},

		// POST /v1/orders/batch
		{"batch malformed", "POST", "/v1/orders/batch", `{"orders":[`, 400, "malformed_json"},
		{"batch without orders", "POST", "/v1/orders/batch", `{}`, 400, "missing_field"},
		{"batch empty", "POST", "/v1/orders/batch", `{"orders":[]}`, 400, "missing_field"},
		{"batch orders not a list", "POST", "/v1/orders/batch", `{"orders":{}}`, 400, "wrong_type"},
		{"batch unknown field", "POST", "/v1/orders/batch", `{"orders":[],"atomic":true}`, 400, "unknown_field"},
		{"batch too large", "POST", "/v1/orders/batch", items(51), 400, "batch_too_large"},

		// POST /v1/orders/cancel-all-after
		{"deadman malformed", "POST", "/v1/orders/cancel-all-after", `{"timeout_ms":`, 400, "malformed_json"},
		{"deadman without timeout", "POST", "/v1/orders/cancel-all-after", `{}`, 400, "missing_field"},
		{"deadman too short", "POST", "/v1/orders/cancel-all-after", `{"timeout_ms":999}`, 400, "invalid_timeout"},
		{"deadman too long", "POST", "/v1/orders/cancel-all-after", `{"timeout_ms":600001}`, 400, "invalid_timeout"},
		{"deadman negative", "POST", "/v1/orders/cancel-all-after", `{"timeout_ms":-1000}`, 400, "invalid_timeout"},
		{"deadman a string", "POST", "/v1/orders/cancel-all-after", `{"timeout_ms":"1000"}`, 400, "wrong_type"},
		{"deadman a fraction", "POST", "/v1/orders/cancel-all-after", `{"timeout_ms":1000.5}`, 400, "wrong_type"},
		{"deadman unknown market", "POST", "/v1/orders/cancel-all-after", `{"timeout_ms":1000,"market":"NOPE-EUR"}`, 404, "unknown_market"},
		{"deadman unknown field", "POST", "/v1/orders/cancel-all-after", `{"timeout_ms":1000,"markets":[]}`, 400, "unknown_field"},

		// POST /v1/swaps
		{"swap malformed", "POST", "/v1/swaps", `{"from":"ACME",`, 400, "malformed_json"},
		{"swap missing from", "POST", "/v1/swaps", `{"to":"EUR","amount":"1.00"}`, 400, "missing_field"},
		{"swap missing to", "POST", "/v1/swaps", `{"from":"ACME","amount":"1.00"}`, 400, "missing_field"},
		{"swap missing amount", "POST", "/v1/swaps", `{"from":"ACME","to":"EUR"}`, 400, "missing_field"},
		{"swap unknown field", "POST", "/v1/swaps", `{"from":"ACME","to":"EUR","amount":"1.00","slippage":"1"}`, 400, "unknown_field"},
		{"swap unknown asset", "POST", "/v1/swaps", `{"from":"NOPE","to":"EUR","amount":"1.00"}`, 404, "unknown_asset"},
		{"swap same asset", "POST", "/v1/swaps", `{"from":"ACME","to":"acme","amount":"1.00"}`, 400, "same_asset"},
		{"swap zero", "POST", "/v1/swaps", `{"from":"ACME","to":"EUR","amount":"0.00"}`, 400, "invalid_amount"},
		{"swap negative", "POST", "/v1/swaps", `{"from":"ACME","to":"EUR","amount":"-1.00"}`, 400, "invalid_decimal"},
		{"swap too many decimals", "POST", "/v1/swaps", `{"from":"ACME","to":"EUR","amount":"1.001"}`, 400, "too_many_decimals"},
		{"swap too large", "POST", "/v1/swaps", `{"from":"ACME","to":"EUR","amount":"1000000000000000000"}`, 400, "amount_too_large"},
		{"swap amount a number", "POST", "/v1/swaps", `{"from":"ACME","to":"EUR","amount":1}`, 400, "wrong_type"},
		{"swap min_receive too precise", "POST", "/v1/swaps", `{"from":"ACME","to":"COFFEE","amount":"1.00","min_receive":"1.5"}`, 400, "too_many_decimals"},
		{"swap min_receive negative", "POST", "/v1/swaps", `{"from":"ACME","to":"COFFEE","amount":"1.00","min_receive":"-1"}`, 400, "invalid_decimal"},
	}
	for _, tc := range cases {
		var body any
		if tc.body != "" {
			body = []byte(tc.body)
		}
		got, _, answer := tradeRaw(t, alice, tc.method, tc.path, nil, body)
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		_ = json.Unmarshal(answer, &e)
		if got != tc.status || e.Error.Code != tc.code {
			t.Errorf("%s: %s %s: got %d %s, want %d %s", tc.name, tc.method, tc.path, got, clipAnswer(answer), tc.status, tc.code)
		}
	}

	// A body past the limit: the server answers 413 and closes the
	// connection, which may reset it before the client has read the answer;
	// retry until an answer is read.
	for try := 0; ; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		status, _, answer, err := alice.Raw(ctx, "POST", "/v1/orders", nil, []byte(huge))
		cancel()
		if err != nil && try < 20 {
			continue
		}
		if err != nil || status != 413 || !strings.Contains(string(answer), `"body_too_large"`) {
			t.Errorf("a body past the limit: %d %s %v", status, clipAnswer(answer), err)
		}
		break
	}

	// Not JSON at all.
	for _, path := range []string{"/v1/orders", "/v1/orders/batch", "/v1/swaps", "/v1/orders/cancel-all-after"} {
		status, _, answer := tradeRaw(t, alice, "POST", path, http.Header{"Content-Type": {"text/plain"}}, []byte(order()))
		if status != 415 || !strings.Contains(string(answer), "unsupported_content") {
			t.Errorf("POST %s as text/plain: %d %s", path, status, answer)
		}
	}

	// A batch whose every item is refused by the API is answered item by
	// item, and submits nothing.
	var batch struct {
		Results []struct {
			Action string `json:"action"`
			Status int    `json:"status"`
			Error  struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		} `json:"results"`
	}
	tradeCall(t, alice, "POST", "/v1/orders/batch", `{"orders":[
		{"action":"place","market":"ACME-EUR","side":"buy","type":"limit","price":"1.001","size":"1.00"},
		{"action":"place","market":"NOPE-EUR","side":"buy","type":"limit","price":"1.00","size":"1.00"},
		{"action":"cancel"},
		{"action":"cancel","id":"1","client_order_id":"x"},
		{"action":"cancel","id":"1","price":"1.00"},
		{"action":"place","id":"1","market":"ACME-EUR","side":"buy","type":"limit","price":"1.00","size":"1.00"},
		{"action":"modify","id":"1"},
		{"id":"1"},
		{"action":"cancel","client_order_id":"has space"},
		{"action":"cancel","id":"x"},
		{"action":"cancel","id":"1","extra":1},
		5
	]}`, &batch)
	var got []string
	for _, r := range batch.Results {
		got = append(got, fmt.Sprintf("%s:%d:%s", r.Action, r.Status, r.Error.Code))
	}
	check(t, "refused items", strings.Join(got, " "), strings.Join([]string{
		"place:400:too_many_decimals", "place:404:unknown_market", "cancel:400:missing_field", "cancel:400:invalid_request",
		"cancel:400:invalid_request", "place:400:invalid_request", "modify:400:invalid_action", ":400:missing_field",
		"cancel:400:invalid_client_order_id", "cancel:404:unknown_order", ":400:unknown_field", ":400:malformed_json",
	}, " "))

	// The public reads refuse bad parameters too (checked in their tests);
	// none of this reached the engine.
	if after := te.StateHash(); after != before {
		t.Fatal("refused requests changed the engine's state")
	}
	// And the orders are as they were.
	var o orderAns
	tradeCall(t, alice, "GET", "/v1/orders/"+mine.ID, nil, &o)
	check(t, "alice's order", line(o.Status, o.Price, o.Size), "open 3.00 2.00")
}

func clipAnswer(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return string(b)
}
