package exchange_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/store/redisstore"
	"github.com/redis/go-redis/v9"
)

// These tests put a TCP proxy (servicetest.Proxy) between the exchange and
// the real Redis and lose the reply to a journal append, or the append
// itself, on the wire: the journal client sees a broken connection, not an
// injected error, and must learn from Redis whether the batch is stored.

// proxyCallers deposit concurrently during the load phase, at least
// proxyMinDeposits each, while the proxy is armed proxyArms times per fault.
const (
	proxyCallers     = 8
	proxyMinDeposits = 300
	proxyArms        = 3
	proxyAsset       = engine.AssetID(1)
)

// proxyDeposit is one deposit a caller submitted and how it was answered.
type proxyDeposit struct {
	cmd         engine.Command
	seq         uint64 // the Result's, when answered
	answered    bool   // a Result
	unavailable bool   // ErrUnavailable
}

// proxyDepositCmd is a deposit to account of an amount that varies with
// i, under a Ref unique to (phase, caller, i).
func proxyDepositCmd(phase byte, caller, i int, account engine.AccountID) engine.Command {
	var ref engine.Ref
	ref[0] = phase
	binary.LittleEndian.PutUint64(ref[8:], uint64(caller))
	binary.LittleEndian.PutUint64(ref[16:], uint64(i))
	return engine.Command{Kind: engine.CmdDeposit, Account: account, Asset: proxyAsset, Amount: int64(1 + i%10), Ref: ref}
}

// proxyRefName names a proxyDepositCmd's Ref: phase/caller/i.
func proxyRefName(ref engine.Ref) string {
	return fmt.Sprintf("%d/%d/%d", ref[0], binary.LittleEndian.Uint64(ref[8:]), binary.LittleEndian.Uint64(ref[16:]))
}

// proxySubmit submits c and records its single outcome: a Result (which
// must be c's own deposit) or ErrUnavailable. Anything else, including no
// answer within 10 s, fails the test.
func proxySubmit(t *testing.T, s *exchange.Sequencer, c engine.Command) proxyDeposit {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := proxyDeposit{cmd: c}
	res, err := s.Submit(ctx, c)
	switch {
	case err == nil:
		d.answered, d.seq = true, res.Seq
		if len(res.Events) == 0 || res.Events[0].Kind != engine.EvDeposited || res.Events[0].Seq != res.Seq || res.Events[0].Ref != c.Ref {
			t.Errorf("deposit %s answered seq %d with events %+v", proxyRefName(c.Ref), res.Seq, res.Events)
		}
	case errors.Is(err, exchange.ErrUnavailable):
		d.unavailable = true
	default:
		t.Errorf("deposit %s: %v, want a result or %v", proxyRefName(c.Ref), err, exchange.ErrUnavailable)
	}
	return d
}

// awaitFault waits for an armed fault to be done.
func awaitFault(t *testing.T, fired <-chan struct{}, f servicetest.Fault) {
	t.Helper()
	select {
	case <-fired:
	case <-time.After(10 * time.Second):
		t.Fatalf("the proxy never did %v within 10 s: no journal append reached it", f)
	}
}

// TestProxyLostJournalReplies runs a sequencer whose journal client reaches
// Redis through the proxy, and drops, on the wire, the reply to some
// journal appends (the batch is stored, the client sees a broken
// connection) and some appends themselves (nothing is stored). First a
// single caller, so that each fault's outcome is known: a lost reply is
// answered with a Result, a lost request with ErrUnavailable and its
// sequence numbers go to the next command. Then concurrent callers with
// the faults armed during the load. At the end: every Submit got exactly
// one outcome; read straight from Redis, the journal holds every sequence
// number once and every answered deposit once, and no unavailable one;
// and recovery from it gives the live state, with balances that are
// exactly the sums of the answered deposits.
func TestProxyLostJournalReplies(t *testing.T) {
	ctx := context.Background()
	direct, prefix := servicetest.Redis(t, redisstore.JournalOptions) // keys cleaned up at the end
	key := prefix + "journal"
	opt, err := redis.ParseURL(servicetest.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := servicetest.StartProxy(t, opt.Addr)
	viaProxy := *opt
	viaProxy.Addr = proxy.Addr()
	rdb := redis.NewClient(redisstore.JournalOptions(&viaProxy))
	t.Cleanup(func() { rdb.Close() })

	// No ticks: every append carries callers' commands, so every fault
	// lands on a batch of deposits.
	eng := engine.New()
	s := exchange.NewSequencer(eng, exchange.Stores{Journal: redisstore.NewJournal(rdb, key, time.Second)},
		exchange.Config{TickEvery: time.Hour, RetryEvery: 10 * time.Millisecond,
			Log: slog.New(slog.NewTextHandler(t.Output(), nil))}) // shown with -v or on a failure
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx) }()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Errorf("Run: %v", err)
			}
		}
	}
	t.Cleanup(stop) // before the proxy closes (cleanups run last first)

	usd, _ := engine.ParseSymbol("USD")
	if _, err := s.Submit(ctx, engine.Command{Kind: engine.CmdCreateAsset, Symbol: usd, Scale: 2}); err != nil {
		t.Fatal(err)
	}
	for range proxyCallers {
		if _, err := s.Submit(ctx, engine.Command{Kind: engine.CmdCreateAccount}); err != nil {
			t.Fatal(err)
		}
	}
	account := func(caller int) engine.AccountID { return engine.AccountID(2 + caller) } // 1 is the fee account

	// Phase 1: one caller and one fault per deposit, so that the outcome of
	// each fault is known: the stored batch is applied and answered (once),
	// the unsent one is answered unavailable.
	var all []proxyDeposit
	for i := range proxyArms {
		before := proxySubmit(t, s, proxyDepositCmd(1, 0, 3*i, account(0)))
		fired := proxy.Arm(servicetest.DropReply, "XADD")
		lost := proxySubmit(t, s, proxyDepositCmd(1, 0, 3*i+1, account(0)))
		awaitFault(t, fired, servicetest.DropReply)
		if !lost.answered || lost.seq != before.seq+1 {
			t.Fatalf("reply lost on the wire: answered %v with seq %d after %d; the batch is stored, so want a Result with seq %d",
				lost.answered, lost.seq, before.seq, before.seq+1)
		}
		fired = proxy.Arm(servicetest.DropRequest, "XADD")
		refused := proxySubmit(t, s, proxyDepositCmd(1, 0, 3*i+2, account(0)))
		awaitFault(t, fired, servicetest.DropRequest)
		if !refused.unavailable {
			t.Fatalf("request lost on the wire: answered %v, want %v", refused.answered, exchange.ErrUnavailable)
		}
		all = append(all, before, lost, refused)
	}
	// The last refused deposit's sequence number went to nobody: the next
	// command reuses it.
	next := proxySubmit(t, s, proxyDepositCmd(1, 0, 3*proxyArms, account(0)))
	if want := all[len(all)-2].seq + 1; !next.answered || next.seq != want {
		t.Fatalf("after an unavailable batch the next deposit got seq %d (answered %v), want %d reused", next.seq, next.answered, want)
	}
	all = append(all, next)

	// Phase 2: concurrent callers, with both faults armed in turn, each
	// only once the previous one has been done.
	stopLoad := make(chan struct{})
	results := make([][]proxyDeposit, proxyCallers)
	var wg sync.WaitGroup
	var endOnce sync.Once
	endLoad := func() { // also on a failure, before the sequencer stops
		endOnce.Do(func() { close(stopLoad) })
		wg.Wait()
	}
	defer endLoad()
	for c := range proxyCallers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				if i >= proxyMinDeposits {
					select {
					case <-stopLoad:
						return
					default:
					}
				}
				results[c] = append(results[c], proxySubmit(t, s, proxyDepositCmd(2, c, i, account(c))))
			}
		}()
	}
	for i := range 2 * proxyArms {
		f := servicetest.DropReply
		if i%2 == 1 {
			f = servicetest.DropRequest
		}
		time.Sleep(20 * time.Millisecond) // some appends go through between faults
		awaitFault(t, proxy.Arm(f, "XADD"), f)
	}
	endLoad()
	stop()
	liveHash, liveSeq := eng.StateHash(), eng.LastSeq()

	loadAnswered, loadUnavailable := 0, 0
	for _, rs := range results {
		for _, d := range rs {
			if d.answered {
				loadAnswered++
			} else if d.unavailable {
				loadUnavailable++
			}
		}
		all = append(all, rs...)
	}
	if got, want := proxy.Fired(servicetest.DropReply), 2*proxyArms; got != want {
		t.Fatalf("the proxy dropped %d replies, want %d", got, want)
	}
	if got, want := proxy.Fired(servicetest.DropRequest), 2*proxyArms; got != want {
		t.Fatalf("the proxy dropped %d requests, want %d", got, want)
	}
	if loadUnavailable == 0 {
		t.Fatal("no caller under load was told unavailable, though requests were dropped")
	}
	t.Logf("under load: %d deposits answered, %d unavailable; live state at seq %d", loadAnswered, loadUnavailable, liveSeq)

	// Every Submit (one per record: proxySubmit fails the test on any other
	// error or on no answer) ended in exactly one of the two outcomes, and
	// no two Results share a sequence number.
	bySeq := map[uint64]proxyDeposit{}
	balances := map[engine.AccountID]int64{}
	for _, d := range all {
		if d.answered == d.unavailable {
			t.Fatalf("deposit %s: answered %v, unavailable %v: want exactly one", proxyRefName(d.cmd.Ref), d.answered, d.unavailable)
		}
		if !d.answered {
			continue
		}
		if other, dup := bySeq[d.seq]; dup {
			t.Fatalf("seq %d answered to deposits %s and %s", d.seq, proxyRefName(other.cmd.Ref), proxyRefName(d.cmd.Ref))
		}
		bySeq[d.seq] = d
		balances[d.cmd.Account] += d.cmd.Amount
	}

	// The journal, read straight from Redis: every sequence number once, in
	// entries that are each one batch (Read fails on a duplicate or a gap),
	// every answered deposit at its seq, and no deposit twice or unanswered.
	j := redisstore.NewJournal(direct, key, 5*time.Second)
	var cmds []engine.Command
	batches := 0
	var seq uint64
	journaled := map[engine.Ref]uint64{}
	err = j.Read(ctx, 0, func(first, last uint64, data []byte) error {
		batches++
		var err error
		if cmds, err = engine.DecodeCommandBatch(data, cmds[:0]); err != nil {
			return err
		}
		if first != seq+1 || uint64(len(cmds)) != last-first+1 {
			return fmt.Errorf("batch %d-%d of %d commands after seq %d", first, last, len(cmds), seq)
		}
		for _, c := range cmds {
			seq++
			if c.Seq != seq {
				return fmt.Errorf("batch %d-%d: command with seq %d at %d", first, last, c.Seq, seq)
			}
			if c.Kind != engine.CmdDeposit {
				continue
			}
			if at, dup := journaled[c.Ref]; dup {
				return fmt.Errorf("deposit %s journaled at %d and %d", proxyRefName(c.Ref), at, seq)
			}
			journaled[c.Ref] = seq
			if d, ok := bySeq[seq]; !ok || d.cmd.Ref != c.Ref {
				return fmt.Errorf("deposit %s journaled at %d, which was answered to %s (answered %v)", proxyRefName(c.Ref), seq, proxyRefName(d.cmd.Ref), ok)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("journal: %v", err)
	}
	if seq != liveSeq {
		t.Fatalf("the journal ends at seq %d, the live state at %d", seq, liveSeq)
	}
	if n, err := direct.XLen(ctx, key).Result(); err != nil || n != int64(batches) {
		t.Fatalf("XLEN %d (err %v), but Read passed %d batches", n, err, batches)
	}
	if len(journaled) != len(bySeq) {
		t.Fatalf("%d deposits journaled, %d answered", len(journaled), len(bySeq))
	}

	// Recovery on a fresh client reaches the live state: the answered
	// deposits, each once, and nothing of the unavailable ones.
	fresh := redis.NewClient(redisstore.JournalOptions(opt))
	defer fresh.Close()
	recovered, err := exchange.Recover(ctx, exchange.Stores{Journal: redisstore.NewJournal(fresh, key, 5*time.Second)}, nil)
	if err != nil {
		t.Fatalf("recover: %v", err)
	}
	if err := recovered.CheckInvariants(); err != nil {
		t.Fatalf("recovered state: %v", err)
	}
	if recovered.StateHash() != liveHash || recovered.LastSeq() != liveSeq {
		t.Fatalf("recovered state at seq %d differs from the live state at %d", recovered.LastSeq(), liveSeq)
	}
	for c := range proxyCallers {
		if got, _ := recovered.Balance(account(c), proxyAsset); got != balances[account(c)] {
			t.Fatalf("account %d holds %d, its answered deposits sum to %d", account(c), got, balances[account(c)])
		}
	}
	// Ask the recovered engine itself which deposit refs it has credited:
	// a deposit again under an answered one's ref is a duplicate, under an
	// unavailable one's it is new. (This changes the recovered state, so it
	// comes last.)
	var out []engine.Event
	for _, d := range all {
		c := d.cmd
		c.Seq = recovered.LastSeq() + 1
		out = recovered.Apply(&c, out[:0])
		credited := out[0].Kind == engine.EvRejected && out[0].Code == engine.CodeDuplicateDeposit
		if credited != d.answered {
			t.Fatalf("deposit %s (answered %v): the recovered state has credited it: %v", proxyRefName(c.Ref), d.answered, credited)
		}
	}
}

// TestProxyWordAcrossReads: the proxy finds the armed command when its
// name is split across two writes (so two reads), in both modes, and
// passes other traffic untouched. Raw RESP, in upper case (go-redis sends
// lower case, which the other test covers).
func TestProxyWordAcrossReads(t *testing.T) {
	for _, tc := range []struct {
		fault  servicetest.Fault
		stored int64
	}{{servicetest.DropReply, 1}, {servicetest.DropRequest, 0}} {
		t.Run(tc.fault.String(), func(t *testing.T) {
			direct, prefix := servicetest.Redis(t, nil)
			proxy := servicetest.StartProxy(t, direct.Options().Addr)
			conn, err := net.Dial("tcp", proxy.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			// Unarmed, a command and its reply pass.
			if _, err := conn.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
				t.Fatal(err)
			}
			pong := make([]byte, 7)
			if _, err := io.ReadFull(conn, pong); err != nil || string(pong) != "+PONG\r\n" {
				t.Fatalf("PING through the proxy: %q, %v", pong, err)
			}

			key := prefix + "stream"
			cmd := fmt.Sprintf("*5\r\n$4\r\nXADD\r\n$%d\r\n%s\r\n$3\r\n1-0\r\n$1\r\nf\r\n$1\r\nv\r\n", len(key), key)
			split := len("*5\r\n$4\r\nXA")
			fired := proxy.Arm(tc.fault, "XADD")
			if _, err := conn.Write([]byte(cmd[:split])); err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond) // the proxy reads the first part alone
			select {
			case <-fired:
				t.Fatal("the proxy fired on half the command name")
			default:
			}
			conn.Write([]byte(cmd[split:])) // may fail: the proxy closes the connection
			awaitFault(t, fired, tc.fault)

			// The client gets no reply: the connection just ends.
			if got, err := io.ReadAll(conn); len(got) > 0 || err != nil && !errors.Is(err, syscall.ECONNRESET) {
				t.Fatalf("after the fault the client read %q, %v; want the connection closed", got, err)
			}
			if n, err := direct.XLen(context.Background(), key).Result(); err != nil || n != tc.stored {
				t.Fatalf("XLEN %d (err %v), want %d", n, err, tc.stored)
			}
		})
	}
}
