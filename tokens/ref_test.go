package tokens

import (
	"encoding/hex"
	"fmt"
	"math"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/lpx-exchange/lpx/engine"
)

// seqHash is the hash 0x0102...20: bytes 1 to 32.
func seqHash() common.Hash {
	var h common.Hash
	for i := range h {
		h[i] = byte(i + 1)
	}
	return h
}

// TestRefKnownAnswers pins the encoding. The vectors are for chain 1337,
// tx hash 0x0102...1f20 and log index 7; the preimages are spelled out
// byte by byte:
//
//	"lpx-deposit-v1"   6c70782d6465706f7369742d7631   (14 bytes)
//	"lpx-issue-v1"     6c70782d69737375652d7631       (12 bytes)
//	uint64be(1337)     0000000000000539
//	tx hash            0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20
//	uint64be(7)        0000000000000007
//
// The digests were computed once with go-ethereum's crypto.Keccak256 and
// checked with an independent Keccak-256 written from the specification.
// If this test fails, the encoding changed, and every deposit already
// credited would be credited again under its new reference: add a new
// versioned domain instead of changing this one.
func TestRefKnownAnswers(t *testing.T) {
	const (
		depositPreimage = "6c70782d6465706f7369742d7631" + "0000000000000539" +
			"0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20" + "0000000000000007"
		issuePreimage = "6c70782d69737375652d7631" + "0000000000000539" +
			"0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20" + "0000000000000007"
		depositDigest = "e282a552a511eac86943f25b460cf04a3336285de73572e1a779024c4ddbc3de"
		issueDigest   = "2fd5b04dba75111f5c9da7784943db8091dcf68230ea1ff7e06a1863cf37d4eb"
	)
	for _, c := range []struct {
		name      string
		got       [32]byte
		preimage  string
		digest    string
		preLength int
	}{
		{"deposit", DepositRef(1337, seqHash(), 7), depositPreimage, depositDigest, 62},
		{"issue", IssueRef(1337, seqHash(), 7), issuePreimage, issueDigest, 60},
	} {
		pre, err := hex.DecodeString(c.preimage)
		if err != nil || len(pre) != c.preLength {
			t.Fatalf("%s: preimage %d bytes, %v", c.name, len(pre), err)
		}
		if h := hex.EncodeToString(crypto.Keccak256(pre)); h != c.digest {
			t.Fatalf("%s: keccak256(preimage) = %s, want %s", c.name, h, c.digest)
		}
		if h := hex.EncodeToString(c.got[:]); h != c.digest {
			t.Errorf("%s ref = %s, want %s", c.name, h, c.digest)
		}
	}
}

func TestRefsDistinct(t *testing.T) {
	h := seqHash()
	var swapped common.Hash // h with its first and last bytes swapped
	copy(swapped[:], h[:])
	swapped[0], swapped[31] = h[31], h[0]
	// A hash whose first bytes look like a chain id, to catch an encoding
	// that let fields slide into each other.
	var shifted common.Hash
	copy(shifted[8:], h[:24])

	type in struct {
		chain uint64
		hash  common.Hash
		log   uint
	}
	inputs := []in{
		{1337, h, 7},
		{7, h, 1337},       // chain id and log index swapped
		{1337, h, 8},       // next log
		{1337, h, 0},       //
		{1338, h, 7},       // other chain
		{1, h, 7},          //
		{0, h, 7},          //
		{1337, swapped, 7}, // other tx
		{1337, shifted, 7}, //
		{0, common.Hash{}, 0},
		{math.MaxUint64, h, 7},
		{1337, h, math.MaxUint32},
		{1337, common.Hash{0xff}, 7},
		{1337, common.BytesToHash([]byte{0xff}), 7},
	}
	seen := make(map[[32]byte]string)
	for _, x := range inputs {
		for kind, f := range map[string]func(uint64, common.Hash, uint) [32]byte{"deposit": DepositRef, "issue": IssueRef} {
			r := f(x.chain, x.hash, x.log)
			name := fmt.Sprintf("%s(%d, %x, %d)", kind, x.chain, x.hash, x.log)
			if prev, dup := seen[r]; dup {
				t.Errorf("%s and %s give the same ref %x", prev, name, r)
			}
			seen[r] = name
			if again := f(x.chain, x.hash, x.log); again != r {
				t.Errorf("%s not deterministic", name)
			}
		}
	}
	if len(seen) != 2*len(inputs) {
		t.Fatalf("%d refs for %d inputs", len(seen), 2*len(inputs))
	}

	// A ref is an engine.Ref without conversion.
	var _ engine.Ref = DepositRef(1, h, 0)
}

func BenchmarkDepositRef(b *testing.B) {
	b.ReportAllocs()
	h := seqHash()
	for b.Loop() {
		DepositRef(1337, h, 7)
	}
}
