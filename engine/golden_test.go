package engine

// Golden scenario tests: readable scripts in testdata/*.txt, in the style of
// the datadriven tests of etcd-io/raft and cockroachdb. Each block is one
// command line (plus, for batch, item lines), a "----" line, and the expected
// output, up to the next blank line. Lines starting with # between blocks
// are comments.
//
//	go test ./engine/ -run TestGolden            compare
//	go test ./engine/ -run TestGolden -update    rewrite the expected parts
//	go test ./engine/ -run TestGolden/fees       one file
//
// A block preceded (directly, in its comment lines) by a comment starting
// with "# BUG" documents a known engine bug: its expected output is the
// correct one, and -update leaves it alone.
//
// The command language (amounts and prices are decimals, converted exactly
// with the asset's scale or the market's price scale):
//
//	asset SYM scale=N [kind=token|points|coupon|N] [brand=ACCT] [expires=DUR|+DUR] [hub]
//	market BASE-QUOTE tick=DEC lot=DEC [min=DEC] [maker=BPS] [taker=BPS] [pscale=N]
//	                            (pscale defaults to the quote asset's scale)
//	account NAME                (the fee account is "fee")
//	deposit ACCT ASSET AMOUNT [ref=STR]     (ref defaults to a fresh one; ref=- is the zero ref)
//	withdraw ACCT ASSET AMOUNT id=N
//	complete id=N | fail id=N
//	place ACCT MARKET buy|sell limit PRICE SIZE [gtc|ioc|fok|gtd] [post_only]
//	      [stp=cancel_taker|cancel_maker|cancel_both] [cid=ID] [expires=DUR|+DUR] [as=LABEL]
//	      [session=SESSION]
//	place ACCT MARKET buy|sell market SIZE [ioc|fok] ...
//	place ACCT MARKET buy market quote=AMOUNT [ioc] ...
//	      (tif defaults to gtc for limit, ioc for market; side=, type=, tif=, stp=
//	      also take raw numbers, price=, size= and quote= override positions)
//	amend ACCT ORDER|cid=ID [price=DEC] [size=DEC]
//	cancel ACCT ORDER|cid=ID
//	cancel-all ACCT [MARKET]
//	cancel-all-after ACCT [MARKET] expires=DUR|+DUR|off   (arm, re-arm or, off, disarm
//	                            the dead-man switch; no MARKET: every market)
//	open-session ACCT keep|cancel_own|cancel_all|N [as=LABEL|repeat=N]   (labels like
//	                            orders: as=, or an automatic sN; repeat=N applies it N times)
//	close-session ACCT SESSION  (SESSION: a label, or #N)
//	batch ACCT [repeat=N]       followed by item lines, without the account:
//	    place MARKET ...  |  cancel ORDER|cid=ID  |  amend ...  |  tick
//	halt MARKET | resume MARKET | status MARKET open|halted|N
//	fees MARKET maker=BPS taker=BPS
//	hub SYM on|off
//	swap ACCT FROM TO AMOUNT [min=AMOUNT]   (AMOUNT in FROM, min= in TO)
//	issue BRAND CUSTOMER SYM AMOUNT ref=STR
//	redeem ACCT SYM AMOUNT [as=LABEL]       (labels like orders: as=, or an automatic rN)
//	fulfil BRAND LABEL | reject BRAND LABEL
//	supply SYM AMOUNT           report the on-chain supply
//	tick
//	time DUR | time +DUR        set or advance the harness clock (no command)
//	book MARKET | order LABEL | balances [ACCT...] | supply      (state, no command)
//	quote [ACCT] FROM TO AMOUNT    the Quote of that swap (no command)
//	liabilities SYM | redemption LABEL                         (state, no command)
//	deadman ACCT [MARKET]       the Deadman query (state, no command)
//	sessions | session SESSION  the Sessions and Session queries (state, no command)
//	restart                     replace the engine by Restore(AppendSnapshot()) (no command)
//
// supply (state) prints per asset its deposits, completed withdrawals and
// the sum of all balances, and, when not zero, issued, redeemed (pending
// and fulfilled) and expired units; the harness checks that the balances
// are deposits + issued - withdrawn - redeemed - expired.
//
// Every engine command also takes seq=N (default: one more than the largest
// sent) and t=DUR|+DUR (default: the clock plus 1ns); the clock moves to the
// command's time. Times are durations since an arbitrary epoch. Accounts,
// assets, markets and orders may be given as #N, a raw id, and amounts as
// #N raw units. Orders are named by labels (as=LABEL, or an automatic
// autoN), never by engine ids, and so are redemptions (rN); #N is a raw id.
//
// Output: one line per event, "[item] " in front inside a batch, e.g.
//
//	accepted alice/o1 ACME-EUR buy limit 1.50 10 gtc bps=10/20
//	trade ACME-EUR 10 @ 1.50 notional=15.00 taker=bob/o2 sell fee=0.03 maker=alice/o1 fee=0.02
//	done alice/o1 buy size=10
//	balance alice EUR avail=84.97 held=0.00
//	rejected place_order insufficient_balance
//
// A swap leg's trade has no taker order: its taker prints as ACCT/swap.
// Redemptions print as ACCT/LABEL with their receipt (Receipt.String()).
// quote prints the route (direct or via=HUB), in, unspent, out, hub_left,
// best_out and impact, then one line per leg (market, side, in, out, fee),
// or "quote CODE"; liabilities prints the Liabilities of an asset, checking
// its holdings against the balances.
//
// After every command the harness calls CheckInvariants and checks that
// every event carries the command's seq and the engine's clock, and that
// the last balance event of each balance matches Balance.

import (
	"encoding/binary"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

var goldenUpdateFlag bool

func init() {
	// Registered here unless another test file of the package already did.
	if flag.Lookup("update") == nil {
		flag.BoolVar(&goldenUpdateFlag, "update", false, "rewrite the expected output of the golden scenarios in testdata/")
	}
}

func goldenUpdate() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	if g, ok := f.Value.(flag.Getter); ok {
		if b, ok := g.Get().(bool); ok {
			return b
		}
	}
	return f.Value.String() == "true"
}

// goldenEpoch is time zero of the scenarios.
const goldenEpoch int64 = 1_700_000_000_000_000_000

func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no scenarios in testdata/")
	}
	seen := map[Code]bool{}
	ran := 0
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".txt")
		t.Run(name, func(t *testing.T) {
			codes := goldenRunFile(t, path)
			for c := range codes {
				seen[c] = true
			}
			ran++
		})
	}
	if ran == len(files) {
		var missing []string
		for _, c := range Codes() {
			if !seen[c] {
				missing = append(missing, c.String())
			}
		}
		if len(missing) > 0 {
			t.Errorf("rejection codes no scenario produces: %s", strings.Join(missing, ", "))
		}
	}
}

// goldenBlock is one command of a scenario and its expected output.
type goldenBlock struct {
	line     int      // 1-based line of the command
	cmd      string   // the command line
	input    []string // item lines between the command and ----
	outFrom  int      // 0-based index of the first expected line
	outTo    int      // one past the last expected line
	want     []string // expected output
	knownBug bool     // preceded by a "# BUG" comment: never rewritten
}

func goldenParse(path string, lines []string) ([]goldenBlock, error) {
	var blocks []goldenBlock
	bug := false
	for i := 0; i < len(lines); {
		trim := strings.TrimSpace(lines[i])
		if trim == "" {
			bug = false
			i++
			continue
		}
		if strings.HasPrefix(trim, "#") {
			if strings.HasPrefix(trim, "# BUG") {
				bug = true
			}
			i++
			continue
		}
		b := goldenBlock{line: i + 1, cmd: trim, knownBug: bug}
		bug = false
		for i++; ; i++ {
			if i >= len(lines) || strings.TrimSpace(lines[i]) == "" {
				return nil, fmt.Errorf("%s:%d: %q: no ---- line", path, b.line, b.cmd)
			}
			if strings.TrimSpace(lines[i]) == "----" {
				break
			}
			if item := strings.TrimSpace(lines[i]); !strings.HasPrefix(item, "#") {
				b.input = append(b.input, item)
			}
		}
		i++
		b.outFrom = i
		for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
			b.want = append(b.want, lines[i])
			i++
		}
		b.outTo = i
		blocks = append(blocks, b)
	}
	return blocks, nil
}

// goldenRunFile runs one scenario and returns the rejection codes it saw.
func goldenRunFile(t *testing.T, path string) map[Code]bool {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	blocks, err := goldenParse(path, lines)
	if err != nil {
		t.Fatal(err)
	}
	r := goldenNewRunner()
	got := make([][]string, len(blocks))
	update := goldenUpdate()
	for i := range blocks {
		b := &blocks[i]
		out, err := r.run(b)
		if err != nil {
			t.Fatalf("%s:%d: %s: %v", path, b.line, b.cmd, err)
		}
		got[i] = out
		if !goldenEqual(b.want, out) && (!update || b.knownBug) {
			note := ""
			if b.knownBug {
				note = " (known engine bug, see the # BUG comment)"
			}
			t.Errorf("%s:%d: %s: output differs%s (- expected, + got):\n%s",
				path, b.line, b.cmd, note, goldenDiff(b.want, out))
		}
	}
	if update {
		changed := false
		for i := len(blocks) - 1; i >= 0; i-- {
			b := &blocks[i]
			if b.knownBug || goldenEqual(b.want, got[i]) {
				continue
			}
			changed = true
			rest := append([]string{}, lines[b.outTo:]...)
			lines = append(append(lines[:b.outFrom], got[i]...), rest...)
		}
		if changed {
			if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: rewritten", path)
		}
	}
	return r.codes
}

func goldenEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// goldenDiff is a line diff (longest common subsequence) of want and got.
func goldenDiff(want, got []string) string {
	n, m := len(want), len(got)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if want[i] == got[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var sb strings.Builder
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && want[i] == got[j]:
			sb.WriteString("    " + want[i] + "\n")
			i++
			j++
		case j >= m || i < n && lcs[i+1][j] >= lcs[i][j+1]:
			sb.WriteString("  - " + want[i] + "\n")
			i++
		default:
			sb.WriteString("  + " + got[j] + "\n")
			j++
		}
	}
	return sb.String()
}

// goldenRunner holds an engine and the names the scenario gave to its ids.
type goldenRunner struct {
	e     *Engine
	out   []Event
	seq   uint64 // largest Seq sent
	clock int64  // ns since goldenEpoch

	accounts  map[string]AccountID
	acctNames map[AccountID]string
	assets    map[string]AssetID
	markets   map[string]MarketID
	labels    map[string]OrderID
	orderName map[OrderID]string
	byQuote   map[OrderID]bool // market buys by quote amount
	redLabels map[string]RedemptionID
	redNames  map[RedemptionID]string
	autoRed   int
	sessLabel map[string]SessionID
	sessNames map[SessionID]string
	autoSess  int
	autoLabel int
	autoRef   int
	codes     map[Code]bool
}

func goldenNewRunner() *goldenRunner {
	return &goldenRunner{
		e:         New(),
		accounts:  map[string]AccountID{"fee": FeeAccount},
		acctNames: map[AccountID]string{FeeAccount: "fee"},
		assets:    map[string]AssetID{},
		markets:   map[string]MarketID{},
		labels:    map[string]OrderID{},
		orderName: map[OrderID]string{},
		byQuote:   map[OrderID]bool{},
		redLabels: map[string]RedemptionID{},
		redNames:  map[RedemptionID]string{},
		sessLabel: map[string]SessionID{},
		sessNames: map[SessionID]string{},
		codes:     map[Code]bool{},
	}
}

// goldenArgs are a command's words: positional ones and key=value ones.
type goldenArgs struct {
	pos  []string
	kv   map[string]string
	used map[string]bool
}

func goldenSplitArgs(words []string) (*goldenArgs, error) {
	a := &goldenArgs{kv: map[string]string{}, used: map[string]bool{}}
	for _, w := range words {
		k, v, ok := strings.Cut(w, "=")
		if !ok {
			a.pos = append(a.pos, w)
			continue
		}
		if _, dup := a.kv[k]; dup {
			return nil, fmt.Errorf("%s= given twice", k)
		}
		a.kv[k] = v
	}
	return a, nil
}

func (a *goldenArgs) get(k string) (string, bool) {
	v, ok := a.kv[k]
	if ok {
		a.used[k] = true
	}
	return v, ok
}

func (a *goldenArgs) unused() error {
	var ks []string
	for k := range a.kv {
		if !a.used[k] {
			ks = append(ks, k+"=")
		}
	}
	if len(ks) > 0 {
		sort.Strings(ks)
		return fmt.Errorf("unknown argument(s) %s", strings.Join(ks, " "))
	}
	return nil
}

// goldenParseDec converts a decimal string to units of 10^-scale, exactly;
// #N is N raw units.
func goldenParseDec(s string, scale int) (int64, error) {
	if raw, ok := strings.CutPrefix(s, "#"); ok {
		return strconv.ParseInt(raw, 10, 64)
	}
	orig := s
	s = strings.ReplaceAll(s, "_", "")
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	ip, fp, _ := strings.Cut(s, ".")
	if ip == "" && fp == "" {
		return 0, fmt.Errorf("bad decimal %q", orig)
	}
	for _, c := range ip + fp {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("bad decimal %q", orig)
		}
	}
	for len(fp) > scale {
		if fp[len(fp)-1] != '0' {
			return 0, fmt.Errorf("decimal %q has more than %d decimal places", orig, scale)
		}
		fp = fp[:len(fp)-1]
	}
	fp += strings.Repeat("0", scale-len(fp))
	var v big.Int
	if _, ok := v.SetString("0"+ip+fp, 10); !ok {
		return 0, fmt.Errorf("bad decimal %q", orig)
	}
	if neg {
		v.Neg(&v)
	}
	if !v.IsInt64() {
		return 0, fmt.Errorf("decimal %q does not fit int64 units at scale %d", orig, scale)
	}
	return v.Int64(), nil
}

// goldenFmtDec formats units of 10^-scale as a decimal with scale places.
func goldenFmtDec(v int64, scale int) string {
	var b big.Int
	b.SetInt64(v)
	neg := b.Sign() < 0
	s := b.Abs(&b).String()
	if scale > 0 {
		if len(s) <= scale {
			s = strings.Repeat("0", scale-len(s)+1) + s
		}
		s = s[:len(s)-scale] + "." + s[len(s)-scale:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// goldenParseTime parses DUR (since the epoch) or +DUR (after base).
func goldenParseTime(s string, base int64) (int64, error) {
	rel := strings.HasPrefix(s, "+")
	d, err := time.ParseDuration(strings.TrimPrefix(s, "+"))
	if err != nil {
		return 0, err
	}
	if rel {
		return base + int64(d), nil
	}
	return int64(d), nil
}

func goldenFmtTime(abs int64) string { return time.Duration(abs - goldenEpoch).String() }

func goldenRawID(s string) (uint64, bool, error) {
	if !strings.HasPrefix(s, "#") {
		return 0, false, nil
	}
	n, err := strconv.ParseUint(s[1:], 10, 64)
	return n, true, err
}

func (r *goldenRunner) account(s string) (AccountID, error) {
	if n, raw, err := goldenRawID(s); raw {
		return AccountID(n), err
	}
	id, ok := r.accounts[s]
	if !ok {
		return 0, fmt.Errorf("unknown account name %q", s)
	}
	return id, nil
}

func (r *goldenRunner) asset(s string) (AssetID, error) {
	if n, raw, err := goldenRawID(s); raw {
		return AssetID(n), err
	}
	id, ok := r.assets[s]
	if !ok {
		return 0, fmt.Errorf("unknown asset symbol %q", s)
	}
	return id, nil
}

func (r *goldenRunner) market(s string) (MarketID, error) {
	if n, raw, err := goldenRawID(s); raw {
		return MarketID(n), err
	}
	id, ok := r.markets[s]
	if !ok {
		return 0, fmt.Errorf("unknown market %q", s)
	}
	return id, nil
}

func (r *goldenRunner) order(s string) (OrderID, error) {
	if n, raw, err := goldenRawID(s); raw {
		return OrderID(n), err
	}
	id, ok := r.labels[s]
	if !ok {
		return 0, fmt.Errorf("unknown order label %q", s)
	}
	return id, nil
}

func (r *goldenRunner) scale(a AssetID) int {
	info, ok := r.e.Asset(a)
	if !ok {
		return 0
	}
	return int(info.Scale)
}

// scales returns a market's price, base and quote scales (0 if unknown).
func (r *goldenRunner) scales(m MarketID) (ps, bs, qs int) {
	info, ok := r.e.Market(m)
	if !ok {
		return 0, 0, 0
	}
	return int(info.PriceScale), r.scale(info.Base), r.scale(info.Quote)
}

func (r *goldenRunner) assetName(a AssetID) string {
	if info, ok := r.e.Asset(a); ok {
		return info.Symbol.String()
	}
	return fmt.Sprintf("#%d", a)
}

func (r *goldenRunner) marketName(m MarketID) string {
	if info, ok := r.e.Market(m); ok {
		return r.assetName(info.Base) + "-" + r.assetName(info.Quote)
	}
	return fmt.Sprintf("#%d", m)
}

func (r *goldenRunner) acctName(a AccountID) string {
	if n, ok := r.acctNames[a]; ok {
		return n
	}
	return fmt.Sprintf("#%d", a)
}

// deadmanMarket names a dead-man switch's market: "all" for 0.
func (r *goldenRunner) deadmanMarket(m MarketID) string {
	if m == 0 {
		return "all"
	}
	return r.marketName(m)
}

func (r *goldenRunner) ordName(o OrderID) string {
	if n, ok := r.orderName[o]; ok {
		return n
	}
	return fmt.Sprintf("#%d", o)
}

func goldenRef(s string) (Ref, error) {
	var ref Ref
	if s == "-" {
		return ref, nil
	}
	if len(s) == 0 || len(s) > len(ref) {
		return ref, fmt.Errorf("ref %q: 1 to %d bytes", s, len(ref))
	}
	copy(ref[:], s)
	return ref, nil
}

func goldenFmtRef(ref Ref) string {
	if ref == (Ref{}) {
		return "-"
	}
	return strings.TrimRight(string(ref[:]), "\x00")
}

func goldenCID(s string) (ClientOrderID, error) {
	if id, ok := ParseClientOrderID(s); ok {
		return id, nil
	}
	// Invalid ids are passed on raw, so that the engine's check is testable.
	var id ClientOrderID
	if len(s) > len(id) {
		return id, fmt.Errorf("cid %q longer than %d bytes", s, len(id))
	}
	copy(id[:], s)
	return id, nil
}

// goldenEnum resolves a name from names, or a raw number.
func goldenEnum(s string, names map[string]uint8) (uint8, error) {
	if v, ok := names[s]; ok {
		return v, nil
	}
	n, err := strconv.ParseUint(s, 10, 8)
	if err != nil {
		return 0, fmt.Errorf("unknown value %q", s)
	}
	return uint8(n), nil
}

var (
	goldenSides = map[string]uint8{"buy": uint8(Buy), "sell": uint8(Sell)}
	goldenTypes = map[string]uint8{"limit": uint8(Limit), "market": uint8(Market)}
	goldenTIFs  = map[string]uint8{"gtc": uint8(GTC), "ioc": uint8(IOC), "fok": uint8(FOK), "gtd": uint8(GTD)}
	goldenSTPs  = map[string]uint8{
		"cancel_taker": uint8(CancelTaker), "cancel_maker": uint8(CancelMaker), "cancel_both": uint8(CancelBoth),
	}
	goldenStatuses     = map[string]uint8{"open": uint8(Open), "halted": uint8(Halted)}
	goldenSessionModes = map[string]uint8{
		"keep": uint8(SessionKeep), "cancel_own": uint8(SessionCancelOwn), "cancel_all": uint8(SessionCancelAll),
	}
)

// run executes one block and returns its output lines.
func (r *goldenRunner) run(b *goldenBlock) ([]string, error) {
	words := strings.Fields(b.cmd)
	name := words[0]
	a, err := goldenSplitArgs(words[1:])
	if err != nil {
		return nil, err
	}
	if name != "batch" && len(b.input) > 0 {
		return nil, fmt.Errorf("only batch takes item lines")
	}
	// Commands that only read state or move the harness clock.
	var out []string
	handled := true
	switch name {
	case "time":
		if len(a.pos) != 1 {
			return nil, fmt.Errorf("usage: time DUR|+DUR")
		}
		if r.clock, err = goldenParseTime(a.pos[0], r.clock); err != nil {
			return nil, err
		}
		out = []string{"clock " + time.Duration(r.clock).String()}
	case "book":
		if len(a.pos) != 1 {
			return nil, fmt.Errorf("usage: book MARKET")
		}
		m, err := r.market(a.pos[0])
		if err != nil {
			return nil, err
		}
		if out, err = r.book(m); err != nil {
			return nil, err
		}
	case "order":
		if len(a.pos) != 1 {
			return nil, fmt.Errorf("usage: order LABEL")
		}
		o, err := r.order(a.pos[0])
		if err != nil {
			return nil, err
		}
		out = []string{r.orderLine(o)}
	case "balances":
		if out, err = r.balances(a.pos); err != nil {
			return nil, err
		}
	case "supply":
		if len(a.pos) != 0 {
			handled = false // supply SYM AMOUNT: the command
			break
		}
		if out, err = r.supply(); err != nil {
			return nil, err
		}
	case "quote":
		if out, err = r.quote(a.pos); err != nil {
			return nil, err
		}
	case "liabilities":
		if len(a.pos) != 1 {
			return nil, fmt.Errorf("usage: liabilities SYM")
		}
		id, err := r.asset(a.pos[0])
		if err != nil {
			return nil, err
		}
		if out, err = r.liabilities(id); err != nil {
			return nil, err
		}
	case "deadman":
		if len(a.pos) != 1 && len(a.pos) != 2 {
			return nil, fmt.Errorf("usage: deadman ACCT [MARKET]")
		}
		acct, err := r.account(a.pos[0])
		if err != nil {
			return nil, err
		}
		var m MarketID
		if len(a.pos) == 2 {
			if m, err = r.market(a.pos[1]); err != nil {
				return nil, err
			}
		}
		s := "deadman " + r.acctName(acct) + " " + r.deadmanMarket(m)
		if at, armed := r.e.Deadman(acct, m); armed {
			s += " armed expires=" + goldenFmtTime(at)
		} else if at != 0 {
			return nil, fmt.Errorf("Deadman: disarmed with a deadline %d", at)
		} else {
			s += " off"
		}
		out = []string{s}
	case "restart":
		if len(a.pos) != 0 {
			return nil, fmt.Errorf("usage: restart")
		}
		snap := r.e.AppendSnapshot(nil)
		e2, err := Restore(snap)
		if err != nil {
			return nil, fmt.Errorf("restart: %v", err)
		}
		if e2.StateHash() != r.e.StateHash() {
			return nil, fmt.Errorf("restart: the restored engine has another StateHash")
		}
		r.e = e2
		out = []string{fmt.Sprintf("restarted from a version %d snapshot", binary.LittleEndian.Uint16(snap[len(snapshotMagic):]))}
	case "sessions":
		if len(a.pos) != 0 {
			return nil, fmt.Errorf("usage: sessions")
		}
		for _, info := range r.e.Sessions(nil) {
			out = append(out, r.sessionLine(info))
		}
		if out == nil {
			out = []string{"no open session"}
		}
	case "session":
		if len(a.pos) != 1 {
			return nil, fmt.Errorf("usage: session SESSION")
		}
		id, err := r.session(a.pos[0])
		if err != nil {
			return nil, err
		}
		if info, ok := r.e.Session(id); ok {
			if info.ID != id {
				return nil, fmt.Errorf("Session(%d) returned session %d", id, info.ID)
			}
			out = []string{r.sessionLine(info)}
		} else {
			out = []string{r.sessionName(id) + " is not open"}
		}
	case "redemption":
		if len(a.pos) != 1 {
			return nil, fmt.Errorf("usage: redemption LABEL")
		}
		id, err := r.redemption(a.pos[0])
		if err != nil {
			return nil, err
		}
		out = []string{r.redemptionLine(id)}
	default:
		handled = false
	}
	if handled {
		return out, a.unused()
	}

	cmd := Command{}
	labels := map[uint16]string{}
	pos := a.pos
	times := 1 // open-session repeat=N: the command applied N times
	need := func(n int, usage string) error {
		if len(pos) != n {
			return fmt.Errorf("usage: %s %s", name, usage)
		}
		return nil
	}
	switch name {
	case "tick":
		if err := need(0, ""); err != nil {
			return nil, err
		}
		cmd.Kind = CmdTick
	case "account":
		if err := need(1, "NAME"); err != nil {
			return nil, err
		}
		if _, dup := r.accounts[pos[0]]; dup || strings.HasPrefix(pos[0], "#") {
			return nil, fmt.Errorf("account name %q already used", pos[0])
		}
		cmd.Kind = CmdCreateAccount
		labels[0] = pos[0]
	case "asset":
		if len(pos) == 2 && pos[1] == "hub" {
			cmd.Hub, pos = true, pos[:1]
		}
		if err := need(1, "SYM scale=N [kind=points|coupon brand=ACCT] [expires=DUR] [hub]"); err != nil {
			return nil, err
		}
		if err := r.buildAsset(&cmd, a); err != nil {
			return nil, err
		}
		cmd.Kind = CmdCreateAsset
		if len(pos[0]) > len(cmd.Symbol) {
			return nil, fmt.Errorf("symbol %q too long", pos[0])
		}
		copy(cmd.Symbol[:], pos[0]) // unchecked, so that the engine's check is testable
	case "market":
		if err := need(1, "BASE-QUOTE tick=DEC lot=DEC [min=DEC] [maker=BPS] [taker=BPS] [pscale=N]"); err != nil {
			return nil, err
		}
		if err := r.buildMarket(&cmd, pos[0], a); err != nil {
			return nil, err
		}
	case "hub":
		if err := need(2, "SYM on|off"); err != nil {
			return nil, err
		}
		cmd.Kind = CmdSetHub
		if cmd.Asset, err = r.asset(pos[0]); err != nil {
			return nil, err
		}
		switch pos[1] {
		case "on":
			cmd.Hub = true
		case "off":
		default:
			return nil, fmt.Errorf("usage: hub SYM on|off")
		}
	case "swap":
		if err := need(4, "ACCT FROM TO AMOUNT [min=AMOUNT]"); err != nil {
			return nil, err
		}
		cmd.Kind = CmdSwap
		if cmd.Account, err = r.account(pos[0]); err != nil {
			return nil, err
		}
		if cmd.Asset, err = r.asset(pos[1]); err != nil {
			return nil, err
		}
		if cmd.ToAsset, err = r.asset(pos[2]); err != nil {
			return nil, err
		}
		if cmd.Amount, err = goldenParseDec(pos[3], r.scale(cmd.Asset)); err != nil {
			return nil, err
		}
		if s, ok := a.get("min"); ok {
			if cmd.MinReceive, err = goldenParseDec(s, r.scale(cmd.ToAsset)); err != nil {
				return nil, fmt.Errorf("min=: %v", err)
			}
		}
	case "issue":
		if err := need(4, "BRAND CUSTOMER SYM AMOUNT ref=STR"); err != nil {
			return nil, err
		}
		cmd.Kind = CmdIssue
		if cmd.Account, err = r.account(pos[0]); err != nil {
			return nil, err
		}
		if cmd.To, err = r.account(pos[1]); err != nil {
			return nil, err
		}
		if cmd.Asset, err = r.asset(pos[2]); err != nil {
			return nil, err
		}
		if cmd.Amount, err = goldenParseDec(pos[3], r.scale(cmd.Asset)); err != nil {
			return nil, err
		}
		ref, ok := a.get("ref")
		if !ok {
			return nil, fmt.Errorf("ref= missing (ref=- is the zero ref)")
		}
		if cmd.Ref, err = goldenRef(ref); err != nil {
			return nil, err
		}
	case "redeem":
		if err := need(3, "ACCT SYM AMOUNT [as=LABEL]"); err != nil {
			return nil, err
		}
		cmd.Kind = CmdRedeem
		if cmd.Account, err = r.account(pos[0]); err != nil {
			return nil, err
		}
		if cmd.Asset, err = r.asset(pos[1]); err != nil {
			return nil, err
		}
		if cmd.Amount, err = goldenParseDec(pos[2], r.scale(cmd.Asset)); err != nil {
			return nil, err
		}
		if label, ok := a.get("as"); ok {
			if _, dup := r.redLabels[label]; dup || label == "" || strings.HasPrefix(label, "#") {
				return nil, fmt.Errorf("redemption label %q already used", label)
			}
			labels[0] = label
		}
	case "fulfil", "reject":
		if err := need(2, "BRAND LABEL"); err != nil {
			return nil, err
		}
		cmd.Kind = CmdFulfilRedemption
		if name == "reject" {
			cmd.Kind = CmdRejectRedemption
		}
		if cmd.Account, err = r.account(pos[0]); err != nil {
			return nil, err
		}
		if cmd.Redemption, err = r.redemption(pos[1]); err != nil {
			return nil, err
		}
	case "supply":
		if err := need(2, "SYM AMOUNT"); err != nil {
			return nil, err
		}
		cmd.Kind = CmdReportSupply
		if cmd.Asset, err = r.asset(pos[0]); err != nil {
			return nil, err
		}
		if cmd.Amount, err = goldenParseDec(pos[1], r.scale(cmd.Asset)); err != nil {
			return nil, err
		}
	case "halt", "resume", "status":
		cmd.Kind = CmdSetMarketStatus
		st := map[string]string{"halt": "halted", "resume": "open"}[name]
		if name == "status" {
			if err := need(2, "MARKET open|halted|N"); err != nil {
				return nil, err
			}
			st = pos[1]
		} else if err := need(1, "MARKET"); err != nil {
			return nil, err
		}
		if cmd.Market, err = r.market(pos[0]); err != nil {
			return nil, err
		}
		v, err := goldenEnum(st, goldenStatuses)
		if err != nil {
			return nil, err
		}
		cmd.Status = MarketStatus(v)
	case "fees":
		if err := need(1, "MARKET maker=BPS taker=BPS"); err != nil {
			return nil, err
		}
		cmd.Kind = CmdSetFees
		if cmd.Market, err = r.market(pos[0]); err != nil {
			return nil, err
		}
		if cmd.MakerBps, cmd.TakerBps, err = goldenBps(a); err != nil {
			return nil, err
		}
	case "deposit", "withdraw":
		if err := need(3, "ACCT ASSET AMOUNT"); err != nil {
			return nil, err
		}
		cmd.Kind = CmdDeposit
		if name == "withdraw" {
			cmd.Kind = CmdWithdraw
		}
		if cmd.Account, err = r.account(pos[0]); err != nil {
			return nil, err
		}
		if cmd.Asset, err = r.asset(pos[1]); err != nil {
			return nil, err
		}
		if cmd.Amount, err = goldenParseDec(pos[2], r.scale(cmd.Asset)); err != nil {
			return nil, err
		}
		if name == "deposit" {
			ref, ok := a.get("ref")
			if !ok {
				r.autoRef++
				ref = fmt.Sprintf("ref%d", r.autoRef)
			}
			if cmd.Ref, err = goldenRef(ref); err != nil {
				return nil, err
			}
		} else if cmd.Withdrawal, err = goldenWithdrawalID(a); err != nil {
			return nil, err
		}
	case "complete", "fail":
		if err := need(0, "id=N"); err != nil {
			return nil, err
		}
		cmd.Kind = CmdCompleteWithdrawal
		if name == "fail" {
			cmd.Kind = CmdFailWithdrawal
		}
		if cmd.Withdrawal, err = goldenWithdrawalID(a); err != nil {
			return nil, err
		}
	case "place", "amend", "cancel":
		if len(pos) < 1 {
			return nil, fmt.Errorf("usage: %s ACCT ...", name)
		}
		if cmd.Account, err = r.account(pos[0]); err != nil {
			return nil, err
		}
		if labels[0], err = r.buildOrderCmd(&cmd, name, pos[1:], a, labels); err != nil {
			return nil, err
		}
	case "cancel-all":
		if len(pos) != 1 && len(pos) != 2 {
			return nil, fmt.Errorf("usage: cancel-all ACCT [MARKET]")
		}
		cmd.Kind = CmdCancelAll
		if cmd.Account, err = r.account(pos[0]); err != nil {
			return nil, err
		}
		if len(pos) == 2 {
			if cmd.Market, err = r.market(pos[1]); err != nil {
				return nil, err
			}
		}
	case "cancel-all-after":
		if len(pos) != 1 && len(pos) != 2 {
			return nil, fmt.Errorf("usage: cancel-all-after ACCT [MARKET] expires=DUR|+DUR|off")
		}
		cmd.Kind = CmdCancelAllAfter
		if cmd.Account, err = r.account(pos[0]); err != nil {
			return nil, err
		}
		if len(pos) == 2 {
			if cmd.Market, err = r.market(pos[1]); err != nil {
				return nil, err
			}
		}
		exp, ok := a.get("expires")
		if !ok {
			return nil, fmt.Errorf("expires= missing (expires=off disarms)")
		}
		if exp != "off" {
			at, err := goldenParseTime(exp, r.clock)
			if err != nil {
				return nil, fmt.Errorf("expires=: %v", err)
			}
			cmd.ExpiresAt = goldenEpoch + at
		}
	case "open-session":
		if err := need(2, "ACCT keep|cancel_own|cancel_all|N [as=LABEL]"); err != nil {
			return nil, err
		}
		cmd.Kind = CmdOpenSession
		if cmd.Account, err = r.account(pos[0]); err != nil {
			return nil, err
		}
		m, err := goldenEnum(pos[1], goldenSessionModes)
		if err != nil {
			return nil, err
		}
		cmd.SessionMode = SessionMode(m)
		if s, ok := a.get("repeat"); ok {
			if times, err = strconv.Atoi(s); err != nil || times < 1 {
				return nil, fmt.Errorf("repeat=%q", s)
			}
		}
		if label, ok := a.get("as"); ok {
			if times > 1 {
				return nil, fmt.Errorf("as= names one session, not repeat=%d", times)
			}
			if _, dup := r.sessLabel[label]; dup || label == "" || strings.HasPrefix(label, "#") {
				return nil, fmt.Errorf("session label %q already used", label)
			}
			labels[0] = label
		}
	case "close-session":
		if err := need(2, "ACCT SESSION"); err != nil {
			return nil, err
		}
		cmd.Kind = CmdCloseSession
		if cmd.Account, err = r.account(pos[0]); err != nil {
			return nil, err
		}
		if cmd.Session, err = r.session(pos[1]); err != nil {
			return nil, err
		}
	case "batch":
		if err := need(1, "ACCT [repeat=N], then item lines"); err != nil {
			return nil, err
		}
		cmd.Kind = CmdBatch
		if cmd.Account, err = r.account(pos[0]); err != nil {
			return nil, err
		}
		repeat := 1
		if s, ok := a.get("repeat"); ok {
			if repeat, err = strconv.Atoi(s); err != nil {
				return nil, fmt.Errorf("repeat=: %v", err)
			}
		}
		for k := 0; k < repeat; k++ {
			for _, line := range b.input {
				iw := strings.Fields(line)
				ia, err := goldenSplitArgs(iw[1:])
				if err != nil {
					return nil, fmt.Errorf("item %q: %v", line, err)
				}
				item := Command{Account: cmd.Account}
				n := uint16(len(cmd.Batch) + 1)
				switch iw[0] {
				case "place", "amend", "cancel":
					if labels[n], err = r.buildOrderCmd(&item, iw[0], ia.pos, ia, labels); err != nil {
						return nil, fmt.Errorf("item %q: %v", line, err)
					}
				case "tick":
					item.Kind = CmdTick
				default:
					return nil, fmt.Errorf("item %q: batch items are place, amend, cancel or tick", line)
				}
				if err := ia.unused(); err != nil {
					return nil, fmt.Errorf("item %q: %v", line, err)
				}
				cmd.Batch = append(cmd.Batch, item)
			}
		}
	default:
		return nil, fmt.Errorf("unknown command %q", name)
	}

	// Seq and time.
	cmd.Seq = r.seq + 1
	if s, ok := a.get("seq"); ok {
		if cmd.Seq, err = strconv.ParseUint(s, 10, 64); err != nil {
			return nil, fmt.Errorf("seq=: %v", err)
		}
	}
	r.seq = max(r.seq, cmd.Seq)
	if s, ok := a.get("t"); ok {
		if r.clock, err = goldenParseTime(s, r.clock); err != nil {
			return nil, fmt.Errorf("t=: %v", err)
		}
	} else {
		r.clock++
	}
	cmd.Time = goldenEpoch + r.clock
	if err := a.unused(); err != nil {
		return nil, err
	}
	out, err = r.apply(&cmd, labels)
	for i := 1; i < times && err == nil; i++ { // the same command again, 1ns later
		r.seq++
		r.clock++
		cmd.Seq, cmd.Time = r.seq, goldenEpoch+r.clock
		var more []string
		more, err = r.apply(&cmd, labels)
		out = append(out, more...)
	}
	return out, err
}

var goldenKinds = map[string]uint8{"token": uint8(Token), "points": uint8(Points), "coupon": uint8(Coupon)}

// buildAsset reads an asset's scale=, kind=, brand= and expires=.
func (r *goldenRunner) buildAsset(cmd *Command, a *goldenArgs) error {
	s, _ := a.get("scale")
	n, err := strconv.ParseUint(s, 10, 8)
	if err != nil {
		return fmt.Errorf("scale=: %v", err)
	}
	cmd.Scale = uint8(n)
	if s, ok := a.get("kind"); ok {
		k, err := goldenEnum(s, goldenKinds)
		if err != nil {
			return fmt.Errorf("kind=: %v", err)
		}
		cmd.AssetKind = AssetKind(k)
	}
	if s, ok := a.get("brand"); ok {
		if cmd.Brand, err = r.account(s); err != nil {
			return err
		}
	}
	if s, ok := a.get("expires"); ok {
		at, err := goldenParseTime(s, r.clock)
		if err != nil {
			return fmt.Errorf("expires=: %v", err)
		}
		cmd.ExpiresAt = goldenEpoch + at
	}
	return nil
}

func (r *goldenRunner) redemption(s string) (RedemptionID, error) {
	if n, raw, err := goldenRawID(s); raw {
		return RedemptionID(n), err
	}
	id, ok := r.redLabels[s]
	if !ok {
		return 0, fmt.Errorf("unknown redemption label %q", s)
	}
	return id, nil
}

func (r *goldenRunner) redemptionName(id RedemptionID) string {
	if n, ok := r.redNames[id]; ok {
		return n
	}
	return fmt.Sprintf("#%d", id)
}

func goldenOnOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func goldenBps(a *goldenArgs) (maker, taker int32, err error) {
	for _, k := range []string{"maker", "taker"} {
		s, _ := a.get(k)
		if s == "" {
			s = "0"
		}
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil {
			return 0, 0, fmt.Errorf("%s=: %v", k, err)
		}
		if k == "maker" {
			maker = int32(n)
		} else {
			taker = int32(n)
		}
	}
	return maker, taker, nil
}

func goldenWithdrawalID(a *goldenArgs) (WithdrawalID, error) {
	s, ok := a.get("id")
	if !ok {
		return 0, fmt.Errorf("id= missing")
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return WithdrawalID(n), err
}

func (r *goldenRunner) buildMarket(cmd *Command, name string, a *goldenArgs) error {
	cmd.Kind = CmdCreateMarket
	bs, qs, ok := strings.Cut(name, "-")
	if !ok {
		return fmt.Errorf("market %q: want BASE-QUOTE", name)
	}
	var err error
	if cmd.Base, err = r.asset(bs); err != nil {
		return err
	}
	if cmd.Quote, err = r.asset(qs); err != nil {
		return err
	}
	ps := r.scale(cmd.Quote)
	if s, ok := a.get("pscale"); ok {
		if ps, err = strconv.Atoi(s); err != nil || ps < 0 || ps > 255 {
			return fmt.Errorf("pscale=%q", s)
		}
	}
	cmd.PriceScale = uint8(ps)
	for _, f := range []struct {
		key   string
		scale int
		dst   *int64
	}{
		{"tick", ps, &cmd.Tick}, {"lot", r.scale(cmd.Base), &cmd.Lot}, {"min", r.scale(cmd.Base), &cmd.MinSize},
	} {
		s, ok := a.get(f.key)
		if !ok {
			if f.key == "min" {
				continue
			}
			return fmt.Errorf("%s= missing", f.key)
		}
		if *f.dst, err = goldenParseDec(s, f.scale); err != nil {
			return fmt.Errorf("%s=: %v", f.key, err)
		}
	}
	cmd.MakerBps, cmd.TakerBps, err = goldenBps(a)
	return err
}

// buildOrderCmd fills a place, amend or cancel (account already set, for a
// batch item the batch's) from its words after the account, and returns the
// label to give a placed order.
func (r *goldenRunner) buildOrderCmd(cmd *Command, name string, pos []string, a *goldenArgs, pending map[uint16]string) (string, error) {
	var err error
	switch name {
	case "cancel", "amend":
		cmd.Kind = CmdCancelOrder
		if name == "amend" {
			cmd.Kind = CmdAmendOrder
		}
		cid, hasCID := a.get("cid")
		switch {
		case hasCID && len(pos) == 0:
			if cmd.ClientOrderID, err = goldenCID(cid); err != nil {
				return "", err
			}
		case !hasCID && len(pos) == 1:
			if cmd.Order, err = r.order(pos[0]); err != nil {
				return "", err
			}
		default:
			return "", fmt.Errorf("%s: name the order by LABEL or cid=", name)
		}
		if name == "amend" {
			ps, bs, _ := r.scales(r.orderMarket(cmd))
			if s, ok := a.get("price"); ok {
				if cmd.Price, err = goldenParseDec(s, ps); err != nil {
					return "", err
				}
			}
			if s, ok := a.get("size"); ok {
				if cmd.Size, err = goldenParseDec(s, bs); err != nil {
					return "", err
				}
			}
		}
		return "", nil
	}

	// place MARKET words...
	cmd.Kind = CmdPlaceOrder
	if len(pos) < 1 {
		return "", fmt.Errorf("usage: place ACCT MARKET buy|sell limit|market [PRICE] SIZE [TIF] ...")
	}
	if cmd.Market, err = r.market(pos[0]); err != nil {
		return "", err
	}
	ps, bs, qs := r.scales(cmd.Market)
	var nums []string
	for _, w := range pos[1:] {
		switch {
		case goldenSides[w] != 0:
			cmd.Side = Side(goldenSides[w])
		case goldenTypes[w] != 0:
			cmd.Type = OrderType(goldenTypes[w])
		case goldenTIFs[w] != 0:
			cmd.TIF = TimeInForce(goldenTIFs[w])
		case w == "post_only":
			cmd.PostOnly = true
		default:
			nums = append(nums, w)
		}
	}
	for _, f := range []struct {
		key   string
		names map[string]uint8
		dst   *uint8
	}{
		{"side", goldenSides, (*uint8)(&cmd.Side)}, {"type", goldenTypes, (*uint8)(&cmd.Type)},
		{"tif", goldenTIFs, (*uint8)(&cmd.TIF)}, {"stp", goldenSTPs, (*uint8)(&cmd.STP)},
	} {
		if s, ok := a.get(f.key); ok {
			if *f.dst, err = goldenEnum(s, f.names); err != nil {
				return "", fmt.Errorf("%s=: %v", f.key, err)
			}
		}
	}
	if _, explicit := a.kv["tif"]; cmd.TIF == 0 && !explicit {
		cmd.TIF = GTC
		if cmd.Type == Market {
			cmd.TIF = IOC
		}
	}
	price, size := "", ""
	switch {
	case cmd.Type == Market && len(nums) <= 1:
		if len(nums) == 1 {
			size = nums[0]
		}
	case cmd.Type != Market && len(nums) == 2:
		price, size = nums[0], nums[1]
	case cmd.Type != Market && len(nums) == 1:
		price = nums[0]
	case cmd.Type != Market && len(nums) == 0:
	default:
		return "", fmt.Errorf("unexpected words %v", nums)
	}
	if s, ok := a.get("price"); ok {
		price = s
	}
	if s, ok := a.get("size"); ok {
		size = s
	}
	if price != "" {
		if cmd.Price, err = goldenParseDec(price, ps); err != nil {
			return "", err
		}
	}
	if size != "" {
		if cmd.Size, err = goldenParseDec(size, bs); err != nil {
			return "", err
		}
	}
	if s, ok := a.get("quote"); ok {
		if cmd.QuoteAmount, err = goldenParseDec(s, qs); err != nil {
			return "", err
		}
	}
	if s, ok := a.get("cid"); ok {
		if cmd.ClientOrderID, err = goldenCID(s); err != nil {
			return "", err
		}
	}
	if s, ok := a.get("expires"); ok {
		at, err := goldenParseTime(s, r.clock)
		if err != nil {
			return "", fmt.Errorf("expires=: %v", err)
		}
		cmd.ExpiresAt = goldenEpoch + at
	}
	if s, ok := a.get("session"); ok {
		if cmd.Session, err = r.session(s); err != nil {
			return "", err
		}
	}
	label, _ := a.get("as")
	if label != "" {
		if _, dup := r.labels[label]; dup || strings.HasPrefix(label, "#") {
			return "", fmt.Errorf("label %q already used", label)
		}
		for _, l := range pending {
			if l == label {
				return "", fmt.Errorf("label %q already used", label)
			}
		}
	}
	return label, nil
}

// orderMarket finds the market of the order an amend names, for the scales
// of its price and size: the order's if it rests, else the only market.
func (r *goldenRunner) orderMarket(cmd *Command) MarketID {
	if o, ok := r.e.Order(cmd.Order); ok {
		return o.Market
	}
	if cmd.Order == 0 {
		for _, m := range r.markets {
			for _, side := range []Side{Buy, Sell} {
				for _, o := range r.e.BookOrders(m, side, nil) {
					if o.Account == cmd.Account && o.ClientOrderID == cmd.ClientOrderID {
						return m
					}
				}
			}
		}
	}
	if len(r.markets) == 1 {
		for _, m := range r.markets {
			return m
		}
	}
	return 0
}

// apply runs a command, checks what every command must satisfy, and formats
// its events.
func (r *goldenRunner) apply(cmd *Command, labels map[uint16]string) ([]string, error) {
	r.out = r.e.Apply(cmd, r.out[:0])
	if err := r.e.CheckInvariants(); err != nil {
		return nil, fmt.Errorf("invariant broken: %v", err)
	}
	lastBal := map[touch][2]int64{}
	var out []string
	for i := range r.out {
		ev := &r.out[i]
		if ev.Seq != cmd.Seq || ev.Time != r.e.Now() {
			return nil, fmt.Errorf("event %d (%v): seq %d time %d, want the command's seq %d and the clock %d",
				i, ev.Kind, ev.Seq, ev.Time, cmd.Seq, r.e.Now())
		}
		if int(ev.Item) > len(cmd.Batch) {
			return nil, fmt.Errorf("event %d (%v): item %d of %d", i, ev.Kind, ev.Item, len(cmd.Batch))
		}
		if ev.Kind == EvBalance {
			lastBal[touch{ev.Account, ev.Asset}] = [2]int64{ev.Available, ev.Held}
		}
		line, err := r.format(ev, cmd, labels)
		if err != nil {
			return nil, err
		}
		if ev.Item > 0 {
			line = fmt.Sprintf("[%d] %s", ev.Item, line)
		}
		out = append(out, line)
	}
	for k, v := range lastBal {
		if av, h := r.e.Balance(k.account, k.asset); av != v[0] || h != v[1] {
			return nil, fmt.Errorf("last balance event of account %d asset %d says %d/%d, engine has %d/%d",
				k.account, k.asset, v[0], v[1], av, h)
		}
	}
	return out, nil
}

func (r *goldenRunner) format(ev *Event, cmd *Command, labels map[uint16]string) (string, error) {
	ps, bs, qs := r.scales(ev.Market)
	switch ev.Kind {
	case EvRejected:
		r.codes[ev.Code] = true
		s := fmt.Sprintf("rejected %v %v", ev.Cmd, ev.Code)
		if ev.Order != 0 {
			s += " order=" + r.ordName(ev.Order)
		}
		if !ev.ClientOrderID.IsZero() {
			s += fmt.Sprintf(" cid=%q", ev.ClientOrderID.String())
		}
		if ev.Session != 0 {
			s += " session=" + r.sessionName(ev.Session)
		}
		return s, nil
	case EvAccountCreated:
		name := labels[0]
		if cmd.Kind != CmdCreateAccount || name == "" {
			return "", fmt.Errorf("unexpected account_created")
		}
		r.accounts[name] = ev.Account
		r.acctNames[ev.Account] = name
		return "account_created " + name, nil
	case EvAssetCreated:
		r.assets[ev.Symbol.String()] = ev.Asset
		s := fmt.Sprintf("asset_created %s scale=%d", ev.Symbol, ev.Scale)
		if ev.AssetKind != Token || ev.Brand != 0 {
			s += fmt.Sprintf(" kind=%v brand=%s", ev.AssetKind, r.acctName(ev.Brand))
		}
		if ev.ExpiresAt != 0 {
			s += " expires=" + goldenFmtTime(ev.ExpiresAt)
		}
		if ev.Hub {
			s += " hub"
		}
		return s, nil
	case EvHubSet:
		return fmt.Sprintf("hub_set %s %s", r.assetName(ev.Asset), goldenOnOff(ev.Hub)), nil
	case EvSwapped:
		s := fmt.Sprintf("swapped %s %s->%s spent=%s unspent=%s out=%s", r.acctName(ev.Account),
			r.assetName(ev.Asset), r.assetName(ev.ToAsset), goldenFmtDec(ev.Amount, r.scale(ev.Asset)),
			goldenFmtDec(ev.Remaining, r.scale(ev.Asset)), goldenFmtDec(ev.AmountOut, r.scale(ev.ToAsset)))
		if ev.HubAsset != 0 {
			s += fmt.Sprintf(" via=%s hub_left=%s", r.assetName(ev.HubAsset), goldenFmtDec(ev.HubLeft, r.scale(ev.HubAsset)))
		} else if ev.HubLeft != 0 {
			return "", fmt.Errorf("swapped: hub_left %d on a direct route", ev.HubLeft)
		}
		return s, nil
	case EvIssued:
		return fmt.Sprintf("issued %s->%s %s %s ref=%s", r.acctName(ev.Account), r.acctName(ev.To), r.assetName(ev.Asset),
			goldenFmtDec(ev.Amount, r.scale(ev.Asset)), goldenFmtRef(ev.Ref)), nil
	case EvRedemptionCreated, EvRedemptionFulfilled, EvRedemptionRejected:
		if ev.Kind == EvRedemptionCreated {
			label := labels[0]
			if cmd.Kind != CmdRedeem {
				return "", fmt.Errorf("redemption_created by a %v", cmd.Kind)
			}
			for label == "" {
				r.autoRed++
				label = fmt.Sprintf("r%d", r.autoRed)
				if _, used := r.redLabels[label]; used {
					label = ""
				}
			}
			if _, dup := r.redNames[ev.Redemption]; dup {
				return "", fmt.Errorf("redemption id %d created twice", ev.Redemption)
			}
			r.redLabels[label] = ev.Redemption
			r.redNames[ev.Redemption] = label
		}
		return fmt.Sprintf("%v %s/%s %s %s receipt=%v", ev.Kind, r.acctName(ev.Account), r.redemptionName(ev.Redemption),
			r.assetName(ev.Asset), goldenFmtDec(ev.Amount, r.scale(ev.Asset)), ev.Receipt), nil
	case EvAssetExpired:
		return fmt.Sprintf("asset_expired %s breakage=%s", r.assetName(ev.Asset), goldenFmtDec(ev.Amount, r.scale(ev.Asset))), nil
	case EvSupplyReported:
		return fmt.Sprintf("supply_reported %s %s", r.assetName(ev.Asset), goldenFmtDec(ev.Amount, r.scale(ev.Asset))), nil
	case EvMarketCreated:
		name := r.marketName(ev.Market)
		r.markets[name] = ev.Market
		return fmt.Sprintf("market_created %s price_scale=%d tick=%s lot=%s min=%s maker=%dbps taker=%dbps %v",
			name, ev.PriceScale, goldenFmtDec(ev.Tick, ps), goldenFmtDec(ev.Lot, bs), goldenFmtDec(ev.MinSize, bs),
			ev.MakerBps, ev.TakerBps, ev.Status), nil
	case EvMarketStatus:
		return fmt.Sprintf("market_status %s %v", r.marketName(ev.Market), ev.Status), nil
	case EvFeesSet:
		return fmt.Sprintf("fees_set %s maker=%dbps taker=%dbps", r.marketName(ev.Market), ev.MakerBps, ev.TakerBps), nil
	case EvDeposited:
		return fmt.Sprintf("deposited %s %s %s ref=%s", r.acctName(ev.Account), r.assetName(ev.Asset),
			goldenFmtDec(ev.Amount, r.scale(ev.Asset)), goldenFmtRef(ev.Ref)), nil
	case EvWithdrawalHeld, EvWithdrawalCompleted, EvWithdrawalFailed:
		return fmt.Sprintf("%v %s %s %s id=%d", ev.Kind, r.acctName(ev.Account), r.assetName(ev.Asset),
			goldenFmtDec(ev.Amount, r.scale(ev.Asset)), ev.Withdrawal), nil
	case EvOrderAccepted:
		label := labels[ev.Item]
		if label == "" {
			for {
				r.autoLabel++
				label = fmt.Sprintf("auto%d", r.autoLabel)
				if _, used := r.labels[label]; !used {
					break
				}
			}
		}
		if _, dup := r.orderName[ev.Order]; dup {
			return "", fmt.Errorf("order id %d accepted twice", ev.Order)
		}
		r.labels[label] = ev.Order
		r.orderName[ev.Order] = label
		r.byQuote[ev.Order] = ev.Amount != 0
		s := fmt.Sprintf("accepted %s/%s %s %v %v", r.acctName(ev.Account), label, r.marketName(ev.Market), ev.Side, ev.Type)
		if ev.Type == Limit {
			s += " " + goldenFmtDec(ev.Price, ps)
		}
		if ev.Amount != 0 {
			s += " quote=" + goldenFmtDec(ev.Amount, qs)
		} else {
			s += " " + goldenFmtDec(ev.Size, bs)
		}
		s += " " + ev.TIF.String()
		if ev.PostOnly {
			s += " post_only"
		}
		if ev.STP != CancelTaker {
			s += " stp=" + ev.STP.String()
		}
		if !ev.ClientOrderID.IsZero() {
			s += " cid=" + ev.ClientOrderID.String()
		}
		if ev.ExpiresAt != 0 {
			s += " expires=" + goldenFmtTime(ev.ExpiresAt)
		}
		if ev.Session != 0 {
			s += " session=" + r.sessionName(ev.Session)
		}
		return s + fmt.Sprintf(" bps=%d/%d", ev.MakerBps, ev.TakerBps), nil
	case EvOrderAmended:
		s := fmt.Sprintf("amended %s/%s %v %s size=%s remaining=%s", r.acctName(ev.Account), r.ordName(ev.Order),
			ev.Side, goldenFmtDec(ev.Price, ps), goldenFmtDec(ev.Size, bs), goldenFmtDec(ev.Remaining, bs))
		if ev.Requeued {
			return s + " requeued", nil
		}
		return s + " keeps_place", nil
	case EvTrade:
		taker := r.ordName(ev.Order)
		if ev.Order == 0 {
			if cmd.Kind != CmdSwap {
				return "", fmt.Errorf("trade without a taker order in a %v", cmd.Kind)
			}
			taker = "swap"
		}
		return fmt.Sprintf("trade %s %s @ %s notional=%s taker=%s/%s %v fee=%s maker=%s/%s fee=%s",
			r.marketName(ev.Market), goldenFmtDec(ev.Size, bs), goldenFmtDec(ev.Price, ps), goldenFmtDec(ev.Amount, qs),
			r.acctName(ev.Account), taker, ev.Side, goldenFmtDec(ev.Fee, qs),
			r.acctName(ev.MakerAccount), r.ordName(ev.MakerOrder), goldenFmtDec(ev.MakerFee, qs)), nil
	case EvOrderDone:
		s := fmt.Sprintf("done %s/%s %v size=%s", r.acctName(ev.Account), r.ordName(ev.Order), ev.Side, goldenFmtDec(ev.Size, bs))
		if r.byQuote[ev.Order] {
			s += " spent=" + goldenFmtDec(ev.Amount, qs)
		} else if ev.Amount != 0 {
			return "", fmt.Errorf("done event with an amount for an order not by quote")
		}
		return s, nil
	case EvOrderCanceled:
		return fmt.Sprintf("canceled %s/%s %v remaining=%s reason=%v", r.acctName(ev.Account), r.ordName(ev.Order),
			ev.Side, goldenFmtDec(ev.Remaining, bs), ev.Reason), nil
	case EvOrderExpired:
		return fmt.Sprintf("expired %s/%s %v remaining=%s seq=%d", r.acctName(ev.Account), r.ordName(ev.Order),
			ev.Side, goldenFmtDec(ev.Remaining, bs), ev.Seq), nil
	case EvBookLevel:
		return fmt.Sprintf("level %s %v %s size=%s", r.marketName(ev.Market), ev.Side,
			goldenFmtDec(ev.Price, ps), goldenFmtDec(ev.Size, bs)), nil
	case EvDeadmanSet:
		s := fmt.Sprintf("deadman_set %s %s", r.acctName(ev.Account), r.deadmanMarket(ev.Market))
		if ev.ExpiresAt != 0 {
			s += " expires=" + goldenFmtTime(ev.ExpiresAt)
		} else {
			s += " off"
		}
		switch ev.Reason {
		case 0:
			if cmd.Kind != CmdCancelAllAfter {
				return "", fmt.Errorf("deadman_set without reason by a %v", cmd.Kind)
			}
		case ReasonDeadman:
			if ev.ExpiresAt != 0 {
				return "", fmt.Errorf("a fired switch still armed")
			}
			s += " fired"
		default:
			return "", fmt.Errorf("deadman_set with reason %v", ev.Reason)
		}
		return s, nil
	case EvSessionOpened:
		label := labels[0]
		if cmd.Kind != CmdOpenSession {
			return "", fmt.Errorf("session_opened by a %v", cmd.Kind)
		}
		for label == "" {
			r.autoSess++
			label = fmt.Sprintf("s%d", r.autoSess)
			if _, used := r.sessLabel[label]; used {
				label = ""
			}
		}
		if _, dup := r.sessNames[ev.Session]; dup || ev.Session == 0 {
			return "", fmt.Errorf("session id %d opened twice", ev.Session)
		}
		r.sessLabel[label] = ev.Session
		r.sessNames[ev.Session] = label
		return fmt.Sprintf("session_opened %s/%s %v", r.acctName(ev.Account), label, ev.SessionMode), nil
	case EvSessionClosed:
		if cmd.Kind != CmdCloseSession {
			return "", fmt.Errorf("session_closed by a %v", cmd.Kind)
		}
		return fmt.Sprintf("session_closed %s/%s %v", r.acctName(ev.Account), r.sessionName(ev.Session), ev.SessionMode), nil
	case EvBalance:
		sc := r.scale(ev.Asset)
		return fmt.Sprintf("balance %s %s avail=%s held=%s", r.acctName(ev.Account), r.assetName(ev.Asset),
			goldenFmtDec(ev.Available, sc), goldenFmtDec(ev.Held, sc)), nil
	}
	return "", fmt.Errorf("unknown event kind %v", ev.Kind)
}

// book prints a market's book as a ladder: asks from the highest price down,
// then bids from the highest down. Each order is NAME/LABEL REMAINING, with
// "/SIZE" if it has partly filled.
func (r *goldenRunner) book(m MarketID) ([]string, error) {
	if _, ok := r.e.Market(m); !ok {
		return nil, fmt.Errorf("no market %d", m)
	}
	ps, bs, _ := r.scales(m)
	var out []string
	for _, side := range []Side{Sell, Buy} {
		levels := r.e.Depth(m, side, 0, nil)
		orders := r.e.BookOrders(m, side, nil)
		var lines []string
		k := 0
		for _, lv := range levels {
			var names []string
			var sum int64
			for ; k < len(orders) && orders[k].Price == lv.Price; k++ {
				o := orders[k]
				s := fmt.Sprintf("%s/%s %s", r.acctName(o.Account), r.ordName(o.ID), goldenFmtDec(o.Remaining, bs))
				if o.Remaining != o.Size {
					s += "/" + goldenFmtDec(o.Size, bs)
				}
				names = append(names, s)
				sum += o.Remaining
			}
			if len(names) != lv.Orders || sum != lv.Size {
				return nil, fmt.Errorf("level %d: Depth says %d orders of %d, BookOrders %d of %d", lv.Price, lv.Orders, lv.Size, len(names), sum)
			}
			lines = append(lines, fmt.Sprintf("%s %s x %s: %s", map[Side]string{Buy: "bid", Sell: "ask"}[side],
				goldenFmtDec(lv.Price, ps), goldenFmtDec(lv.Size, bs), strings.Join(names, ", ")))
		}
		if k != len(orders) {
			return nil, fmt.Errorf("BookOrders has %d orders outside Depth's levels", len(orders)-k)
		}
		if side == Sell {
			for i, j := 0, len(lines)-1; i < j; i, j = i+1, j-1 {
				lines[i], lines[j] = lines[j], lines[i]
			}
		}
		if len(lines) == 0 {
			lines = []string{map[Side]string{Buy: "(no bids)", Sell: "(no asks)"}[side]}
		}
		out = append(out, lines...)
	}
	return out, nil
}

// orderLine describes a resting order, or says it is not resting.
func (r *goldenRunner) orderLine(id OrderID) string {
	o, ok := r.e.Order(id)
	if !ok {
		return r.ordName(id) + " is not resting"
	}
	ps, bs, qs := r.scales(o.Market)
	hs := bs
	if o.Side == Buy {
		hs = qs
	}
	s := fmt.Sprintf("%s/%s %s %v %s size=%s remaining=%s hold=%s fee_charged=%s %v",
		r.acctName(o.Account), r.ordName(o.ID), r.marketName(o.Market), o.Side, goldenFmtDec(o.Price, ps),
		goldenFmtDec(o.Size, bs), goldenFmtDec(o.Remaining, bs), goldenFmtDec(o.Hold, hs), goldenFmtDec(o.FeeCharged, qs), o.TIF)
	if o.PostOnly {
		s += " post_only"
	}
	if o.STP != CancelTaker {
		s += " stp=" + o.STP.String()
	}
	if !o.ClientOrderID.IsZero() {
		s += " cid=" + o.ClientOrderID.String()
	}
	if o.ExpiresAt != 0 {
		s += " expires=" + goldenFmtTime(o.ExpiresAt)
	}
	if o.Session != 0 {
		s += " session=" + r.sessionName(o.Session)
		if _, open := r.e.Session(o.Session); !open {
			s += "(closed)"
		}
	}
	return s + fmt.Sprintf(" bps=%d/%d", o.MakerBps, o.TakerBps)
}

func (r *goldenRunner) session(s string) (SessionID, error) {
	if n, raw, err := goldenRawID(s); raw {
		return SessionID(n), err
	}
	id, ok := r.sessLabel[s]
	if !ok {
		return 0, fmt.Errorf("unknown session label %q", s)
	}
	return id, nil
}

func (r *goldenRunner) sessionName(id SessionID) string {
	if n, ok := r.sessNames[id]; ok {
		return n
	}
	return fmt.Sprintf("#%d", id)
}

// sessionLine describes an open session.
func (r *goldenRunner) sessionLine(info SessionInfo) string {
	return fmt.Sprintf("session %s/%s %v", r.acctName(info.Account), r.sessionName(info.ID), info.Mode)
}

func (r *goldenRunner) assetIDs() []AssetID {
	var ids []AssetID
	for a := AssetID(1); ; a++ {
		if _, ok := r.e.Asset(a); !ok {
			return ids
		}
		ids = append(ids, a)
	}
}

// balances prints the non-zero balances of the named accounts (all accounts
// if none is named).
func (r *goldenRunner) balances(names []string) ([]string, error) {
	var ids []AccountID
	for _, n := range names {
		id, err := r.account(n)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if len(names) == 0 {
		for id := 1; id <= r.e.Accounts(); id++ {
			ids = append(ids, AccountID(id))
		}
	}
	var out []string
	for _, id := range ids {
		n := len(out)
		for _, a := range r.assetIDs() {
			av, h := r.e.Balance(id, a)
			if av != 0 || h != 0 {
				sc := r.scale(a)
				out = append(out, fmt.Sprintf("%s %s avail=%s held=%s", r.acctName(id), r.assetName(a), goldenFmtDec(av, sc), goldenFmtDec(h, sc)))
			}
		}
		if len(out) == n && len(names) > 0 {
			out = append(out, r.acctName(id)+" has nothing")
		}
	}
	return out, nil
}

// supply prints, per asset, deposits, completed withdrawals and the sum of
// all balances, with issued, redeemed and expired units when not zero, and
// checks that the balances are what came in less what went out.
func (r *goldenRunner) supply() ([]string, error) {
	var out []string
	for _, a := range r.assetIDs() {
		info, _ := r.e.Asset(a)
		l, _ := r.e.Liabilities(a)
		var sum int64
		for id := 1; id <= r.e.Accounts(); id++ {
			av, h := r.e.Balance(AccountID(id), a)
			sum += av + h
		}
		sc := int(info.Scale)
		s := fmt.Sprintf("%s deposited=%s withdrawn=%s balances=%s", info.Symbol, goldenFmtDec(info.Deposited, sc),
			goldenFmtDec(info.Withdrawn, sc), goldenFmtDec(sum, sc))
		for _, f := range []struct {
			name string
			v    int64
		}{{"issued", l.Issued}, {"redeemed_pending", l.RedeemedPending}, {"redeemed", l.RedeemedFulfilled}, {"expired", l.Expired}} {
			if f.v != 0 {
				s += fmt.Sprintf(" %s=%s", f.name, goldenFmtDec(f.v, sc))
			}
		}
		if want := info.Deposited + l.Issued - info.Withdrawn - l.RedeemedPending - l.RedeemedFulfilled - l.Expired; sum != want {
			return nil, fmt.Errorf("%s: balances sum to %d, want %d", info.Symbol, sum, want)
		}
		out = append(out, s)
	}
	if out == nil {
		out = []string{"no assets"}
	}
	return out, nil
}

// liabilities prints an asset's Liabilities, checking its holdings against
// the balances.
func (r *goldenRunner) liabilities(a AssetID) ([]string, error) {
	l, ok := r.e.Liabilities(a)
	if !ok {
		return []string{"no asset " + r.assetName(a)}, nil
	}
	var customers, brand int64
	for id := 1; id <= r.e.Accounts(); id++ {
		av, h := r.e.Balance(AccountID(id), a)
		if AccountID(id) == l.Brand {
			brand += av + h
		} else {
			customers += av + h
		}
	}
	if customers != l.HeldByCustomers || brand != l.HeldByBrand {
		return nil, fmt.Errorf("liabilities say customers %d brand %d, balances %d and %d", l.HeldByCustomers, l.HeldByBrand, customers, brand)
	}
	sc := r.scale(a)
	f := func(v int64) string { return goldenFmtDec(v, sc) }
	brandName := "-"
	if l.Brand != 0 {
		brandName = r.acctName(l.Brand)
	}
	out := []string{
		fmt.Sprintf("%s brand=%s issued=%s deposited=%s withdrawn=%s", r.assetName(a), brandName, f(l.Issued), f(l.Deposited), f(l.Withdrawn)),
		fmt.Sprintf("  held: customers=%s brand=%s", f(l.HeldByCustomers), f(l.HeldByBrand)),
		fmt.Sprintf("  redeemed: pending=%s fulfilled=%s expired=%s", f(l.RedeemedPending), f(l.RedeemedFulfilled), f(l.Expired)),
	}
	if l.ChainSupplySeq != 0 {
		out = append(out, fmt.Sprintf("  chain_supply=%s seq=%d at=%s", f(l.ChainSupply), l.ChainSupplySeq, goldenFmtTime(l.ChainSupplyTime)))
	} else {
		out = append(out, "  chain_supply never reported")
	}
	return out, nil
}

// redemptionLine describes a pending redemption, or says it is not pending.
func (r *goldenRunner) redemptionLine(id RedemptionID) string {
	info, ok := r.e.Redemption(id)
	if !ok {
		return r.redemptionName(id) + " is not pending"
	}
	return fmt.Sprintf("%s/%s %s %s receipt=%v pending", r.acctName(info.Account), r.redemptionName(id), r.assetName(info.Asset),
		goldenFmtDec(info.Amount, r.scale(info.Asset)), info.Receipt)
}

// quote prints the Quote of a swap ([ACCT] FROM TO AMOUNT), its route on
// the first line and one line per leg, or the code it fails with.
func (r *goldenRunner) quote(pos []string) ([]string, error) {
	var acct AccountID
	if len(pos) == 4 {
		var err error
		if acct, err = r.account(pos[0]); err != nil {
			return nil, err
		}
		pos = pos[1:]
	}
	if len(pos) != 3 {
		return nil, fmt.Errorf("usage: quote [ACCT] FROM TO AMOUNT")
	}
	from, err := r.asset(pos[0])
	if err != nil {
		return nil, err
	}
	to, err := r.asset(pos[1])
	if err != nil {
		return nil, err
	}
	amount, err := goldenParseDec(pos[2], r.scale(from))
	if err != nil {
		return nil, err
	}
	q, code := r.e.Quote(acct, from, to, amount)
	if code != OK {
		return []string{"quote " + code.String()}, nil
	}
	fs, ts := r.scale(from), r.scale(to)
	route := "direct"
	if q.Hub != 0 {
		route = "via=" + r.assetName(q.Hub)
	}
	s := fmt.Sprintf("quote %s->%s %s in=%s unspent=%s out=%s", r.assetName(q.From), r.assetName(q.To), route,
		goldenFmtDec(q.AmountIn, fs), goldenFmtDec(q.Unspent, fs), goldenFmtDec(q.AmountOut, ts))
	if q.Hub != 0 {
		s += " hub_left=" + goldenFmtDec(q.HubLeft, r.scale(q.Hub))
	}
	out := []string{s + fmt.Sprintf(" best_out=%s impact=%dbps", goldenFmtDec(q.BestOut, ts), q.ImpactBps)}
	for i := range q.NumLegs {
		leg := q.Legs[i]
		_, bs, qs := r.scales(leg.Market)
		in, outSc := bs, qs
		if leg.Side == Buy {
			in, outSc = qs, bs
		}
		l := fmt.Sprintf("  leg %s %v in=%s out=%s fee=%s", r.marketName(leg.Market), leg.Side,
			goldenFmtDec(leg.In, in), goldenFmtDec(leg.Out, outSc), goldenFmtDec(leg.Fee, qs))
		if !leg.Filled {
			l += " unfilled"
		}
		out = append(out, l)
	}
	return out, nil
}
