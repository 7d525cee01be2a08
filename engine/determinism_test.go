package engine

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// TestSameCommandsSameState replays the standard mix on a second engine: the
// events and the StateHash must be identical, and the invariants must hold
// after every command.
func TestSameCommandsSameState(t *testing.T) {
	g := mixSetup(t, 50, 300, 42)
	start := g.e.AppendSnapshot(nil)
	cmds, _, _ := g.record(5_000)

	replay := mustRestore(t, start)
	first := mustRestore(t, start)
	var a, b []Event
	for i := range cmds {
		a = first.Apply(&cmds[i], a[:0])
		b = replay.Apply(&cmds[i], b[:0])
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("command %d: events differ", i)
		}
		if err := first.CheckInvariants(); err != nil {
			t.Fatalf("command %d (%s): %v", i, cmds[i].Kind, err)
		}
	}
	if first.StateHash() != replay.StateHash() || first.StateHash() != g.e.StateHash() {
		t.Fatal("same commands gave different state hashes")
	}
}

// TestSnapshotContinue stops an engine at several points, encodes, decodes
// and continues: the events and final StateHash must equal those of the
// engine that never stopped. It uses random streams of every command kind,
// and checks that some stops fall while dead-man switches are armed and
// that some of those then fire after the restore, and likewise that some
// fall while sessions with resting orders are open, which some closes
// after the restore then cancel.
func TestSnapshotContinue(t *testing.T) {
	armedCuts, firedAfter := 0, 0
	sessionCuts, disconnectsAfter := 0, 0
	defer func() {
		t.Logf("stops with dead-man switches armed: %d (fired after the restore: %d)", armedCuts, firedAfter)
		t.Logf("stops with session orders resting: %d (cancelled by a close after the restore: %d)", sessionCuts, disconnectsAfter)
		if !t.Failed() && (armedCuts == 0 || firedAfter == 0) {
			t.Errorf("stops with dead-man switches armed: %d, of which fired after the restore: %d; want some", armedCuts, firedAfter)
		}
		if !t.Failed() && (sessionCuts == 0 || disconnectsAfter == 0) {
			t.Errorf("stops with session orders resting: %d, with disconnect cancels after the restore: %d; want some", sessionCuts, disconnectsAfter)
		}
	}()
	for seed := uint64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			data := randomBytes(seed, 3_000)
			for _, cut := range []int{1, 100, 300, 700} { // commands before the stop
				whole, ws := fuzzWorld(t)
				var wantEvents []Event
				ws.b = data
				ws.run(t, whole, &wantEvents, 0)

				e, s := fuzzWorld(t)
				var got []Event
				s.b = data
				s.run(t, e, &got, cut)
				snap := e.AppendSnapshot(nil)
				r, err := Restore(snap)
				if err != nil {
					t.Fatalf("cut %d: restore: %v", cut, err)
				}
				if !bytes.Equal(r.AppendSnapshot(nil), snap) {
					t.Fatalf("cut %d: re-encoding differs", cut)
				}
				n := len(got)
				s.run(t, r, &got, 0)
				if armed := len(e.deadmen.items) > 0; armed {
					armedCuts++
					if utDeadmanFired(got[n:]) {
						firedAfter++
					}
				}
				inSessions := false
				for _, ss := range e.sessions {
					inSessions = inSessions || ss.orders != noSlot
				}
				if inSessions {
					sessionCuts++
					for _, ev := range got[n:] {
						if ev.Kind == EvOrderCanceled && ev.Reason == ReasonDisconnect {
							disconnectsAfter++
							break
						}
					}
				}
				if !reflect.DeepEqual(got, wantEvents) {
					t.Fatalf("cut %d: events after restore differ from the uninterrupted run", cut)
				}
				if r.StateHash() != whole.StateHash() {
					t.Fatalf("cut %d: state hash differs", cut)
				}
			}
		})
	}
}

// TestRestoreRejectsCorruption flips, truncates and extends a real snapshot:
// every variant must give ErrCorruptSnapshot or re-encode exactly (a flip
// that lands on a free value such as a balance amount may still be a valid
// state), never panic.
func TestRestoreRejectsCorruption(t *testing.T) {
	e, s := fuzzWorld(t)
	s.b = randomBytes(3, 2_000)
	s.run(t, e, nil, 0)
	snap := e.AppendSnapshot(nil)
	for n := 0; n < len(snap); n++ {
		if _, err := Restore(snap[:n]); !errors.Is(err, ErrCorruptSnapshot) {
			t.Fatalf("truncated to %d bytes: err %v", n, err)
		}
	}
	if _, err := Restore(append(bytes.Clone(snap), 0)); !errors.Is(err, ErrCorruptSnapshot) {
		t.Fatalf("trailing byte accepted: %v", err)
	}
	rejected := 0
	for i := range snap {
		bad := bytes.Clone(snap)
		bad[i] ^= 0x41
		r, err := Restore(bad)
		if err != nil {
			rejected++
			continue
		}
		if !bytes.Equal(r.AppendSnapshot(nil), bad) {
			t.Fatalf("flip at %d: accepted but re-encodes differently", i)
		}
	}
	if rejected < len(snap)/2 {
		t.Fatalf("only %d of %d byte flips were refused", rejected, len(snap))
	}
}
