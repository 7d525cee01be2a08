package engine

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"reflect"
	"testing"
)

// encodingSample returns the commands and events of a few fuzz-world streams:
// every command and event kind, batches, rejections and expiries included.
func encodingSample(t testing.TB) ([]Command, []Event) {
	var cmds []Command
	var evs []Event
	// The setup commands the streams start from, recorded this time.
	e, s := fuzzWorld(t)
	setup := []Command{
		{Kind: CmdCreateAccount},
		{Kind: CmdCreateAsset, Symbol: Symbol{'Z', 'E', 'D'}, Scale: 3, AssetKind: Coupon, Brand: 5, ExpiresAt: 1 << 40, Hub: true},
		{Kind: CmdCreateMarket, Base: 4, Quote: 2, PriceScale: 5, Tick: 1000, Lot: 1000, MinSize: 3000, MakerBps: 3, TakerBps: 9},
		{Kind: CmdRedeem, Account: 2, Asset: 1, Amount: 5},
		{Kind: CmdFulfilRedemption, Account: 5, Redemption: 1},
		{Kind: CmdRedeem, Account: 2, Asset: 1, Amount: 7},
		{Kind: CmdRejectRedemption, Account: 5, Redemption: 2},
		{Kind: CmdIssue, Account: 5, To: 3, Asset: 1, Amount: 9, Ref: mixRef(999)},
		{Kind: CmdPlaceOrder, Account: 3, Market: 1, Side: Sell, Type: Limit, TIF: GTC, Price: 100, Size: 10},
		{Kind: CmdSwap, Account: 2, Asset: 2, ToAsset: 1, Amount: 500},
	}
	for i := range setup {
		s.apply(e, &setup[i])
		cmds = append(cmds, setup[i])
		evs = append(evs, s.out...)
	}
	for seed := uint64(1); seed <= 5; seed++ {
		e, s := fuzzWorld(t)
		s.b = randomBytes(seed, 3_000)
		for len(s.b) > 0 {
			s.now += int64(s.n(3))
			c := s.command()
			s.apply(e, &c)
			cmds = append(cmds, c)
			evs = append(evs, s.out...)
		}
	}
	return cmds, evs
}

func TestCommandAndEventRoundTrip(t *testing.T) {
	cmds, evs := encodingSample(t)
	kinds := map[CommandKind]bool{}
	for _, c := range cmds {
		kinds[c.Kind] = true
	}
	evKinds := map[EventKind]bool{}
	for _, ev := range evs {
		evKinds[ev.Kind] = true
	}
	for k := CmdTick; k < cmdKindEnd; k++ {
		if !kinds[k] {
			t.Errorf("the sample has no %s command", k)
		}
	}
	for k := EvRejected; k < evKindEnd; k++ {
		if !evKinds[k] {
			t.Errorf("the sample has no %s event", k)
		}
	}
	for i := 0; i < len(cmds); i += 100 {
		batch := cmds[i:min(i+100, len(cmds))]
		b := AppendCommandBatch(nil, batch)
		got, err := DecodeCommandBatch(b, nil)
		if err != nil {
			t.Fatalf("commands %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, batch) {
			t.Fatalf("commands %d: round trip differs", i)
		}
		if !bytes.Equal(AppendCommandBatch(nil, got), b) {
			t.Fatalf("commands %d: re-encoding differs", i)
		}
	}
	for i := 0; i < len(evs); i += 100 {
		batch := evs[i:min(i+100, len(evs))]
		b := AppendEventBatch(nil, batch)
		got, err := DecodeEventBatch(b, nil)
		if err != nil {
			t.Fatalf("events %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, batch) {
			t.Fatalf("events %d: round trip differs", i)
		}
	}
}

// TestEncodingExtremes round-trips the largest and smallest values of
// every kind of field.
func TestEncodingExtremes(t *testing.T) {
	var cid ClientOrderID
	for i := range cid {
		cid[i] = '~'
	}
	var ref Ref
	for i := range ref {
		ref[i] = 0xff
	}
	c := Command{
		Kind: CmdBatch, Seq: ^uint64(0), Time: -1 << 63, Account: ^AccountID(0), Order: ^OrderID(0),
		Price: 1<<63 - 1, Size: -1, MakerBps: -1 << 31, TakerBps: 1<<31 - 1, ClientOrderID: cid, Ref: ref,
		Symbol: Symbol{'A'}, PostOnly: true, Hub: true,
		Batch: []Command{{Kind: CmdPlaceOrder, Price: 5}, {Kind: CmdCancelOrder, Order: 9}},
	}
	b := AppendCommandBatch(nil, []Command{c, {}})
	got, err := DecodeCommandBatch(b, nil)
	if err != nil || !reflect.DeepEqual(got, []Command{c, {}}) {
		t.Fatalf("round trip: %v %+v", err, got)
	}
	ev := Event{Seq: 1, Time: -5, Item: 1<<16 - 1, Receipt: 1<<40 - 1, Available: -7, Ref: ref}
	got2, err := DecodeEventBatch(AppendEventBatch(nil, []Event{ev}), nil)
	if err != nil || !reflect.DeepEqual(got2, []Event{ev}) {
		t.Fatalf("event round trip: %v %+v", err, got2)
	}
}

// TestDecodeRejects checks that corrupt, truncated and non-canonical bytes
// are refused with ErrBadEncoding.
func TestDecodeRejects(t *testing.T) {
	cmds, _ := encodingSample(t)
	good := AppendCommandBatch(nil, cmds[:50])
	for n := 0; n < len(good); n++ {
		if _, err := DecodeCommandBatch(good[:n], nil); !errors.Is(err, ErrBadEncoding) {
			t.Fatalf("truncated to %d: %v", n, err)
		}
	}
	for i := range good {
		bad := bytes.Clone(good)
		bad[i] ^= 0x10
		if _, err := DecodeCommandBatch(bad, nil); !errors.Is(err, ErrBadEncoding) {
			t.Fatalf("flip at %d accepted", i)
		}
	}
	// Canonical form, with a valid checksum: a present field holding zero.
	rec := AppendCommand(nil, &Command{Kind: CmdTick, Seq: 3})
	rec[0] |= 1 << cfAccount
	rec = append(rec, 0)
	body := append([]byte{encodingVersion, 1}, rec...)
	if _, err := DecodeCommandBatch(appendChecksum(body), nil); !errors.Is(err, ErrBadEncoding) {
		t.Fatalf("present zero accepted: %v", err)
	}
	// A nested batch inside a batch item.
	nested := Command{Kind: CmdBatch, Batch: []Command{{Kind: CmdBatch, Batch: []Command{{Kind: CmdTick}}}}}
	if _, err := DecodeCommandBatch(AppendCommandBatch(nil, []Command{nested}), nil); !errors.Is(err, ErrBadEncoding) {
		t.Fatalf("nested batch accepted: %v", err)
	}
}

// appendChecksum seals a hand-made batch body with its CRC-32C.
func appendChecksum(body []byte) []byte {
	return binary.LittleEndian.AppendUint32(body, crc32.Checksum(body, castagnoli))
}

// FuzzDecodeCommandBatch feeds arbitrary bytes to the journal decoder: an
// error, or commands that re-encode to exactly the input; never a panic.
func FuzzDecodeCommandBatch(f *testing.F) {
	cmds, _ := encodingSample(f)
	for i := 0; i < len(cmds); i += 400 {
		f.Add(AppendCommandBatch(nil, cmds[i:min(i+20, len(cmds))]))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cmds, err := DecodeCommandBatch(b, nil)
		if err != nil {
			return
		}
		if !bytes.Equal(AppendCommandBatch(nil, cmds), b) {
			t.Fatal("decoded commands re-encode differently")
		}
	})
}

// FuzzDecodeEventBatch does the same for the event log's decoder.
func FuzzDecodeEventBatch(f *testing.F) {
	_, evs := encodingSample(f)
	for i := 0; i < len(evs); i += 800 {
		f.Add(AppendEventBatch(nil, evs[i:min(i+20, len(evs))]))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := DecodeEventBatch(b, nil)
		if err != nil {
			return
		}
		if !bytes.Equal(AppendEventBatch(nil, evs), b) {
			t.Fatal("decoded events re-encode differently")
		}
	})
}

// BenchmarkEncodeMix encodes the standard mix's commands in batches of 100
// (one journal entry) and reports bytes per command.
func BenchmarkEncodeMix(b *testing.B) {
	g := mixSetup(b, 1_000, 2_000, 1)
	cmds, _, _ := g.record(10_000)
	buf := make([]byte, 0, 64<<10)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += 100 {
		j := i % len(cmds)
		buf = AppendCommandBatch(buf[:0], cmds[j:min(j+100, len(cmds))])
	}
	b.StopTimer()
	b.ReportMetric(float64(len(AppendCommandBatch(nil, cmds)))/float64(len(cmds)), "bytes/cmd")
}

// BenchmarkDecodeMix decodes the same journal entries (per command).
func BenchmarkDecodeMix(b *testing.B) {
	g := mixSetup(b, 1_000, 2_000, 1)
	cmds, _, _ := g.record(10_000)
	var entries [][]byte
	for i := 0; i < len(cmds); i += 100 {
		entries = append(entries, AppendCommandBatch(nil, cmds[i:i+100]))
	}
	out := make([]Command, 0, 100)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += 100 {
		var err error
		if out, err = DecodeCommandBatch(entries[(i/100)%len(entries)], out[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDeadmanEncoding: CancelAllAfter and EvDeadmanSet travel in the
// existing field slots (Account, Market, ExpiresAt, and Reason for a fired
// switch): the kinds were appended, no field was added.
func TestDeadmanEncoding(t *testing.T) {
	cmds := []Command{
		{Kind: CmdCancelAllAfter, Seq: 7, Time: 1_700_000_000_000_000_000, Account: 42, Market: 3, ExpiresAt: 1_700_000_005_000_000_000},
		{Kind: CmdCancelAllAfter, Seq: 8, Time: 9, Account: 42}, // every market, disarm
		{Kind: CmdCancelAllAfter, Seq: 9, Account: ^AccountID(0), Market: ^MarketID(0), ExpiresAt: 1<<63 - 1},
	}
	evs := []Event{
		{Seq: 7, Time: 5, Kind: EvDeadmanSet, Account: 42, Market: 3, ExpiresAt: 1_700_000_005_000_000_000},
		{Seq: 8, Time: 6, Kind: EvDeadmanSet, Account: 42, Reason: ReasonDeadman},
		{Seq: 8, Time: 6, Kind: EvOrderCanceled, Account: 42, Market: 1, Order: 1<<32 | 5, Side: Buy, Remaining: 10, Reason: ReasonDeadman},
	}
	wantCmd := uint64(1<<cfKind | 1<<cfSeq | 1<<cfTime | 1<<cfAccount | 1<<cfMarket | 1<<cfExpiresAt)
	if mask := binary.LittleEndian.Uint64(AppendCommand(nil, &cmds[0])); mask != wantCmd {
		t.Errorf("command mask %#x, want %#x", mask, wantCmd)
	}
	wantEv := uint64(1<<efSeq | 1<<efTime | 1<<efKind | 1<<efReason | 1<<efAccount)
	if mask := binary.LittleEndian.Uint64(AppendEvent(nil, &evs[1])); mask != wantEv {
		t.Errorf("event mask %#x, want %#x", mask, wantEv)
	}
	b := AppendCommandBatch(nil, cmds)
	got, err := DecodeCommandBatch(b, nil)
	if err != nil || !reflect.DeepEqual(got, cmds) || !bytes.Equal(AppendCommandBatch(nil, got), b) {
		t.Fatalf("commands: %v %+v", err, got)
	}
	eb := AppendEventBatch(nil, evs)
	gotEvs, err := DecodeEventBatch(eb, nil)
	if err != nil || !reflect.DeepEqual(gotEvs, evs) || !bytes.Equal(AppendEventBatch(nil, gotEvs), eb) {
		t.Fatalf("events: %v %+v", err, gotEvs)
	}
}
