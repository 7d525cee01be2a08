package exchange_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/store/filejournal"
	"github.com/lpx-exchange/lpx/store/redisstore"
	"github.com/redis/go-redis/v9"
)

// The crash test runs the exchange in a child process (this test binary,
// run again as TestCrashChild), lets clients deposit one unit at a time,
// kills the child with SIGKILL at a random moment, and checks the recovered
// state: every deposit the child answered is in it, the state hash equals a
// replay from the oldest kept snapshot (or from scratch), and the invariants
// hold. It repeats at several kill points and then lets a last child finish,
// in both modes: the real Redis (journal, event log and snapshots) and the
// embedded mode's file journal.

const (
	crashClients  = 8
	crashAsset    = engine.AssetID(1)
	crashCommands = 120_000 // in all, over the runs of one mode
)

// crashStores opens the stores of a mode; close releases them.
func crashStores(t testing.TB, mode, where string) (st exchange.Stores, close func()) {
	switch mode {
	case "redis":
		opt, err := redis.ParseURL(servicetest.RedisURL())
		if err != nil {
			t.Fatal(err)
		}
		rdb := redis.NewClient(redisstore.JournalOptions(opt))
		return exchange.Stores{
			Journal:   redisstore.NewJournal(rdb, where+"journal", 2*time.Second),
			Events:    redisstore.NewJournal(rdb, where+"events", 2*time.Second),
			Snapshots: redisstore.NewSnapshots(rdb, where+"snap", 0, 0),
		}, func() { rdb.Close() }
	default:
		j, err := filejournal.Open(where)
		if err != nil {
			t.Fatal(err)
		}
		return exchange.Stores{Journal: j}, func() { j.Close() }
	}
}

// TestCrashChild is the child exchange; it does nothing unless run by
// TestCrashRecovery.
func TestCrashChild(t *testing.T) {
	mode, where := os.Getenv("LPX_CRASH_MODE"), os.Getenv("LPX_CRASH_WHERE")
	if mode == "" {
		t.Skip("run by TestCrashRecovery")
	}
	n, _ := strconv.Atoi(os.Getenv("LPX_CRASH_COMMANDS"))
	st, closeStores := crashStores(t, mode, where)
	defer closeStores()
	eng, err := exchange.Recover(context.Background(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	epoch := uint64(time.Now().UnixNano()) // deposit references unique across child runs
	s := exchange.NewSequencer(eng, st, exchange.Config{SnapshotEvery: 15_000, KeepSnapshots: 2})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	if eng.LastSeq() == 0 {
		usd, _ := engine.ParseSymbol("USD")
		submit(t, s, engine.Command{Kind: engine.CmdCreateAsset, Symbol: usd, Scale: 2})
		for range crashClients {
			submit(t, s, engine.Command{Kind: engine.CmdCreateAccount})
		}
	}
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for c := range crashClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n / crashClients {
				var ref engine.Ref
				binary.LittleEndian.PutUint64(ref[:], epoch)
				binary.LittleEndian.PutUint64(ref[8:], uint64(c))
				binary.LittleEndian.PutUint64(ref[16:], uint64(i))
				res, err := s.Submit(context.Background(), engine.Command{Kind: engine.CmdDeposit,
					Account: engine.AccountID(2 + c), Asset: crashAsset, Amount: 1, Ref: ref})
				if err != nil || res.Events[0].Kind != engine.EvDeposited {
					fmt.Fprintf(os.Stderr, "deposit: %v\n", err)
					os.Exit(3)
				}
				mu.Lock()
				fmt.Fprintf(out, "ok %d\n", c) // written only after the answer
				out.Flush()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	cancel()
	<-done
}

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test runs child processes")
	}
	for _, mode := range []string{"redis", "file"} {
		t.Run(mode, func(t *testing.T) {
			where := t.TempDir()
			if mode == "redis" {
				_, prefix := servicetest.Redis(t, nil) // reachable, and cleaned up after
				where = prefix
			}
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
			answered := make([]int64, crashClients) // deposits the children answered, per client
			left := crashCommands
			for run := 0; left > 0; run++ {
				n := min(left, crashCommands/3)
				killAt := -1 // the last run finishes
				if run < 3 {
					killAt = 2_000 + rng.IntN(n-4_000)
				}
				got := runCrashChild(t, mode, where, n, killAt)
				for c, k := range got {
					answered[c] += k
				}
				if killAt < 0 {
					left -= n
				} else {
					left -= sum(got)
				}
				checkRecovered(t, mode, where, answered, run)
			}
		})
	}
}

func sum(xs []int64) int {
	n := 0
	for _, x := range xs {
		n += int(x)
	}
	return n
}

// runCrashChild runs a child exchange for n deposits and kills it with
// SIGKILL after it has answered killAt of them (never, if killAt < 0). It
// returns the answered deposits per client.
func runCrashChild(t *testing.T, mode, where string, n, killAt int) []int64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "LPX_CRASH_MODE="+mode, "LPX_CRASH_WHERE="+where,
		"LPX_CRASH_COMMANDS="+strconv.Itoa(n))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	got := make([]int64, crashClients)
	total := 0
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		var c int
		if _, err := fmt.Sscanf(sc.Text(), "ok %d", &c); err != nil || c < 0 || c >= crashClients {
			continue // the test framework's own output
		}
		got[c]++
		total++
		if total == killAt {
			cmd.Process.Kill() // SIGKILL: no shutdown, no final snapshot
			break
		}
	}
	err = cmd.Wait()
	if killAt < 0 && err != nil {
		t.Fatalf("child: %v\n%s", err, stderr.String())
	}
	if killAt >= 0 && total < killAt {
		t.Fatalf("child ended after %d answers, before the kill at %d: %v\n%s", total, killAt, err, stderr.String())
	}
	return got
}

// checkRecovered recovers the state as a restart would and checks it.
func checkRecovered(t *testing.T, mode, where string, answered []int64, run int) {
	t.Helper()
	st, closeStores := crashStores(t, mode, where)
	defer closeStores()
	eng, err := exchange.Recover(context.Background(), st, nil)
	if err != nil {
		t.Fatalf("run %d: recover: %v", run, err)
	}
	if err := eng.CheckInvariants(); err != nil {
		t.Fatalf("run %d: recovered state: %v", run, err)
	}
	for c, want := range answered {
		got, _ := eng.Balance(engine.AccountID(2+c), crashAsset)
		if got < want {
			t.Fatalf("run %d: client %d had %d deposits answered, the recovered state holds %d", run, c, want, got)
		}
	}
	// A replay from the oldest kept snapshot (from scratch if there is
	// none) reaches the same state.
	from := engine.New()
	if st.Snapshots != nil {
		if seqs, err := st.Snapshots.List(context.Background()); err == nil && len(seqs) > 0 {
			data, err := st.Snapshots.Load(context.Background(), seqs[0])
			if err != nil {
				t.Fatal(err)
			}
			if from, err = engine.Restore(data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := exchange.Replay(context.Background(), from, st.Journal, nil); err != nil {
		t.Fatalf("run %d: replay from the oldest snapshot: %v", run, err)
	}
	if from.StateHash() != eng.StateHash() {
		t.Fatalf("run %d: recovered state differs from a replay from the oldest kept snapshot", run)
	}
	t.Logf("run %d: recovered at seq %d; answered deposits %d", run, eng.LastSeq(), sum(answered))
}
