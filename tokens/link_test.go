package tokens

import (
	"crypto/ecdsa"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"pgregory.net/rapid"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 678, time.UTC)

// tb is what the helpers need of a *testing.T, *testing.B or *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
}

// walletSign signs msg as a wallet's personal_sign does: over the EIP-191
// hash, with V = 27 or 28.
func walletSign(t tb, key *ecdsa.PrivateKey, msg string) []byte {
	t.Helper()
	sig, err := crypto.Sign(accounts.TextHash([]byte(msg)), key)
	if err != nil {
		t.Fatal(err)
	}
	sig[crypto.RecoveryIDOffset] += 27
	return sig
}

func newKey(t tb) (*ecdsa.PrivateKey, common.Address) {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return key, crypto.PubkeyToAddress(key.PublicKey)
}

func mustChallenge(t tb, account uint32, addr common.Address) Challenge {
	t.Helper()
	c, err := NewChallenge(account, addr, 1337, "lpx.example", t0, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMessageExample(t *testing.T) {
	c := Challenge{
		Account:   42,
		Address:   common.HexToAddress("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
		ChainID:   1337,
		Nonce:     "00112233445566778899aabbccddeeff",
		IssuedAt:  time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		ExpiresAt: time.Date(2026, 1, 2, 3, 14, 5, 0, time.UTC),
		Domain:    "lpx.example",
	}
	want := "lpx.example wants you to link your Ethereum account:\n" +
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\n" +
		"\n" +
		"Link this wallet to lpx account 42. Deposits from it will be credited to that account, and withdrawals from that account may be sent to it.\n" +
		"\n" +
		"Chain ID: 1337\n" +
		"Nonce: 00112233445566778899aabbccddeeff\n" +
		"Issued At: 2026-01-02T03:04:05Z\n" +
		"Expiration Time: 2026-01-02T03:14:05Z"
	if got := c.Message(); got != want {
		t.Fatalf("Message:\n%s\nwant:\n%s", got, want)
	}
	back, err := ParseChallenge(want)
	if err != nil {
		t.Fatal(err)
	}
	if back != c {
		t.Fatalf("ParseChallenge = %+v, want %+v", back, c)
	}
}

func TestNewChallenge(t *testing.T) {
	_, addr := newKey(t)
	c := mustChallenge(t, 7, addr)
	if c.IssuedAt != t0.Truncate(time.Second) || c.ExpiresAt != c.IssuedAt.Add(10*time.Minute) {
		t.Fatalf("times %v %v", c.IssuedAt, c.ExpiresAt)
	}
	if !validNonce(c.Nonce) {
		t.Fatalf("nonce %q", c.Nonce)
	}
	if d := mustChallenge(t, 7, addr); d.Nonce == c.Nonce {
		t.Fatalf("two challenges share nonce %q", c.Nonce)
	}
	// A non-UTC clock gives the same UTC times.
	tz := time.FixedZone("X", 5*3600+1800)
	d, err := NewChallenge(7, addr, 1337, "lpx.example", t0.In(tz), 10*time.Minute)
	if err != nil || d.IssuedAt != c.IssuedAt || d.IssuedAt.Location() != time.UTC {
		t.Fatalf("in %v: %+v, %v", tz, d, err)
	}

	for _, bad := range []struct {
		name    string
		account uint32
		addr    common.Address
		chain   uint64
		domain  string
		ttl     time.Duration
	}{
		{"account 0", 0, addr, 1, "lpx.example", time.Minute},
		{"zero address", 1, common.Address{}, 1, "lpx.example", time.Minute},
		{"chain 0", 1, addr, 0, "lpx.example", time.Minute},
		{"empty domain", 1, addr, 1, "", time.Minute},
		{"domain with space", 1, addr, 1, "lpx example", time.Minute},
		{"domain with newline", 1, addr, 1, "lpx.example\nX", time.Minute},
		{"domain not ASCII", 1, addr, 1, "lpх.example", time.Minute}, // Cyrillic х
		{"domain too long", 1, addr, 1, strings.Repeat("a", 254), time.Minute},
		{"ttl 0", 1, addr, 1, "lpx.example", 0},
		{"ttl under a second", 1, addr, 1, "lpx.example", time.Second - 1},
		{"ttl too long", 1, addr, 1, "lpx.example", MaxChallengeTTL + time.Second},
	} {
		if _, err := NewChallenge(bad.account, bad.addr, bad.chain, bad.domain, t0, bad.ttl); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err %v, want ErrMalformed", bad.name, err)
		}
	}
}

func TestVerifyLink(t *testing.T) {
	key, addr := newKey(t)
	c := mustChallenge(t, 42, addr)
	msg := c.Message()
	sig := walletSign(t, key, msg)

	t.Run("valid", func(t *testing.T) {
		for _, now := range []time.Time{
			c.IssuedAt.Add(-ClockSkew), // a verifier whose clock is a little behind
			c.IssuedAt,
			c.ExpiresAt.Add(-time.Nanosecond),
		} {
			got, err := VerifyLink(msg, sig, now)
			if err != nil {
				t.Fatalf("at %v: %v", now, err)
			}
			if got != c {
				t.Fatalf("got %+v, want %+v", got, c)
			}
		}
	})

	t.Run("v 0 or 1", func(t *testing.T) {
		raw := append([]byte(nil), sig...)
		raw[64] -= 27
		if _, err := VerifyLink(msg, raw, t0); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("address letter case", func(t *testing.T) {
		// The challenge names the wallet by its checksum form whatever the
		// case a client sent it in, and the signer compares as bytes.
		lower, err := NewChallenge(42, common.HexToAddress(strings.ToLower(addr.Hex())), 1337, "lpx.example", t0, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		m := lower.Message()
		if !strings.Contains(m, "\n"+addr.Hex()+"\n") {
			t.Fatalf("address not in checksum form:\n%s", m)
		}
		if _, err := VerifyLink(m, walletSign(t, key, m), t0); err != nil {
			t.Fatal(err)
		}
		// A message with a lowercase address is not one Message makes.
		lm := strings.Replace(m, addr.Hex(), strings.ToLower(addr.Hex()), 1)
		if _, err := VerifyLink(lm, walletSign(t, key, lm), t0); !errors.Is(err, ErrMalformed) {
			t.Fatalf("lowercase address: %v, want ErrMalformed", err)
		}
	})

	t.Run("wrong key", func(t *testing.T) {
		other, _ := newKey(t)
		if _, err := VerifyLink(msg, walletSign(t, other, msg), t0); !errors.Is(err, ErrWrongSigner) {
			t.Fatalf("err %v, want ErrWrongSigner", err)
		}
	})

	t.Run("tampered message", func(t *testing.T) {
		for name, tampered := range map[string]string{
			"account":    strings.Replace(msg, "lpx account 42.", "lpx account 43.", 1),
			"chain":      strings.Replace(msg, "Chain ID: 1337", "Chain ID: 1", 1),
			"nonce":      strings.Replace(msg, c.Nonce, strings.Repeat("0", 32), 1),
			"expiration": strings.Replace(msg, c.ExpiresAt.Format(timeLayout), c.ExpiresAt.Add(time.Second).Format(timeLayout), 1),
			"domain":     strings.Replace(msg, "lpx.example", "lpx.exampl", 1),
		} {
			if tampered == msg {
				t.Fatalf("%s: not tampered", name)
			}
			_, err := VerifyLink(tampered, sig, t0)
			// Another message recovers another key (or none at all).
			if !errors.Is(err, ErrWrongSigner) && !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s: err %v, want ErrWrongSigner or ErrBadSignature", name, err)
			}
		}
		// A change that breaks the format is refused before any signature
		// check.
		if _, err := VerifyLink(msg+"\n", sig, t0); !errors.Is(err, ErrMalformed) {
			t.Errorf("trailing newline: %v", err)
		}
		if _, err := VerifyLink(strings.ReplaceAll(msg, "\n", "\r\n"), sig, t0); !errors.Is(err, ErrMalformed) {
			t.Errorf("CRLF: %v", err)
		}
	})

	t.Run("expired", func(t *testing.T) {
		for _, now := range []time.Time{c.ExpiresAt, c.ExpiresAt.Add(time.Hour)} {
			if _, err := VerifyLink(msg, sig, now); !errors.Is(err, ErrExpired) {
				t.Fatalf("at %v: %v, want ErrExpired", now, err)
			}
		}
	})

	t.Run("issued in the future", func(t *testing.T) {
		now := c.IssuedAt.Add(-ClockSkew - time.Second)
		if _, err := VerifyLink(msg, sig, now); !errors.Is(err, ErrNotYetValid) {
			t.Fatalf("err %v, want ErrNotYetValid", err)
		}
	})

	t.Run("bad signature", func(t *testing.T) {
		highS := append([]byte(nil), sig...)
		// s' = n - s is the same signature, malleated; V flips.
		n := crypto.S256().Params().N
		s := new(big.Int).SetBytes(sig[32:64])
		new(big.Int).Sub(n, s).FillBytes(highS[32:64])
		highS[64] = 27 + 28 - highS[64] // 27 <-> 28

		cases := map[string][]byte{
			"nil":      nil,
			"short":    sig[:64],
			"long":     append(append([]byte(nil), sig...), 0),
			"v 2":      withV(sig, 2),
			"v 29":     withV(sig, 29),
			"v 37":     withV(sig, 37), // EIP-155 style, not for messages
			"zeros":    make([]byte, 65),
			"r zero":   withBytes(sig, 0, make([]byte, 32)),
			"s zero":   withBytes(sig, 32, make([]byte, 32)),
			"r = n":    withBytes(sig, 0, n.FillBytes(make([]byte, 32))),
			"high s":   highS,
			"all 0xff": withBytes(make([]byte, 65), 0, []byte(strings.Repeat("\xff", 64))),
		}
		for name, bad := range cases {
			if _, err := VerifyLink(msg, bad, t0); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s: err %v, want ErrBadSignature", name, err)
			}
		}
		// The malleated signature does recover the same key: refusing it is
		// a choice, not an accident.
		raw := append([]byte(nil), highS...)
		raw[64] -= 27
		pub, err := crypto.SigToPub(accounts.TextHash([]byte(msg)), raw)
		if err != nil || crypto.PubkeyToAddress(*pub) != addr {
			t.Fatalf("high-s recovers %v, %v", pub, err)
		}
	})

	t.Run("does not change sig", func(t *testing.T) {
		cp := append([]byte(nil), sig...)
		VerifyLink(msg, cp, t0)
		if string(cp) != string(sig) {
			t.Fatal("VerifyLink changed its argument")
		}
	})
}

func withV(sig []byte, v byte) []byte {
	return withBytes(sig, 64, []byte{v})
}

func withBytes(sig []byte, at int, b []byte) []byte {
	out := append([]byte(nil), sig...)
	copy(out[at:], b)
	return out
}

func TestParseChallengeRefuses(t *testing.T) {
	_, addr := newKey(t)
	msg := mustChallenge(t, 42, addr).Message()
	c, _ := ParseChallenge(msg)
	edits := map[string][2]string{
		"leading zero account":  {"account 42.", "account 042."},
		"account 0":             {"account 42.", "account 0."},
		"account above uint32":  {"account 42.", "account 4294967296."},
		"signed account":        {"account 42.", "account +42."},
		"chain leading zero":    {"Chain ID: 1337", "Chain ID: 01337"},
		"chain 0":               {"Chain ID: 1337", "Chain ID: 0"},
		"chain hex":             {"Chain ID: 1337", "Chain ID: 0x539"},
		"uppercase nonce":       {c.Nonce, strings.ToUpper(c.Nonce)},
		"short nonce":           {c.Nonce, c.Nonce[1:]},
		"fractional seconds":    {c.IssuedAt.Format(timeLayout), c.IssuedAt.Format("2006-01-02T15:04:05.000Z")},
		"offset":                {c.IssuedAt.Format(timeLayout), c.IssuedAt.Format("2006-01-02T15:04:05+00:00")},
		"lowercase t":           {c.IssuedAt.Format(timeLayout), strings.Replace(c.IssuedAt.Format(timeLayout), "T", "t", 1)},
		"expires before issued": {"Expiration Time: " + c.ExpiresAt.Format(timeLayout), "Expiration Time: " + c.IssuedAt.Add(-time.Second).Format(timeLayout)},
		"expires at issue":      {"Expiration Time: " + c.ExpiresAt.Format(timeLayout), "Expiration Time: " + c.IssuedAt.Format(timeLayout)},
		"window too long":       {"Expiration Time: " + c.ExpiresAt.Format(timeLayout), "Expiration Time: " + c.IssuedAt.Add(MaxChallengeTTL+time.Second).Format(timeLayout)},
		"sign-in header":        {"wants you to link your", "wants you to sign in with your"},
		"extra space":           {"Nonce: ", "Nonce:  "},
		"address without 0x":    {"\n0x", "\n"},
		"statement changed":     {"may be sent to it.", "may be sent to it!"},
		"no blank line":         {"\n\nChain", "\nChain"},
		"domain with space":     {"lpx.example wants", "lpx .example wants"},
		"empty domain":          {"lpx.example wants", " wants"},
	}
	for name, e := range edits {
		bad := strings.Replace(msg, e[0], e[1], 1)
		if bad == msg {
			t.Fatalf("%s: edit did not apply", name)
		}
		if _, err := ParseChallenge(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err %v, want ErrMalformed\n%s", name, err, bad)
		}
	}
	for _, bad := range []string{"", "\n", strings.Repeat("\n", messageLines-1), msg + "\n", "\n" + msg} {
		if _, err := ParseChallenge(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: err %v, want ErrMalformed", bad, err)
		}
	}
}

// genChallenge draws a valid challenge, with random fields over their whole
// ranges.
func genChallenge() *rapid.Generator[Challenge] {
	domainChars := []rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
	return rapid.Custom(func(t *rapid.T) Challenge {
		var addr common.Address
		copy(addr[:], rapid.SliceOfN(rapid.Byte(), 20, 20).Draw(t, "address"))
		if addr == (common.Address{}) {
			addr[19] = 1
		}
		issued := time.Unix(rapid.Int64Range(
			time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix(),
			time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()-int64(MaxChallengeTTL/time.Second),
		).Draw(t, "issued"), 0).UTC()
		ttl := time.Duration(rapid.Int64Range(1, int64(MaxChallengeTTL/time.Second)).Draw(t, "ttl")) * time.Second
		nonce := rapid.SliceOfN(rapid.SampledFrom([]rune("0123456789abcdef")), 32, 32).Draw(t, "nonce")
		return Challenge{
			Account:   rapid.Uint32Min(1).Draw(t, "account"),
			Address:   addr,
			ChainID:   rapid.Uint64Min(1).Draw(t, "chain"),
			Nonce:     string(nonce),
			IssuedAt:  issued,
			ExpiresAt: issued.Add(ttl),
			Domain:    string(rapid.SliceOfN(rapid.SampledFrom(domainChars), 1, maxDomainLen).Draw(t, "domain")),
		}
	})
}

func TestMessageRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genChallenge().Draw(t, "challenge")
		if err := c.validate(); err != nil {
			t.Fatalf("generator made an invalid challenge: %v", err)
		}
		msg := c.Message()
		back, err := ParseChallenge(msg)
		if err != nil {
			t.Fatalf("ParseChallenge(%q): %v", msg, err)
		}
		if back != c {
			t.Fatalf("round trip: got %+v, want %+v", back, c)
		}
		if again := back.Message(); again != msg {
			t.Fatalf("re-rendered:\n%s\nwant:\n%s", again, msg)
		}
	})
}

func TestNewChallengeRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genChallenge().Draw(t, "fields")
		now := c.IssuedAt.Add(time.Duration(rapid.Int64Range(0, int64(time.Second-1)).Draw(t, "ns")))
		got, err := NewChallenge(c.Account, c.Address, c.ChainID, c.Domain, now, c.ExpiresAt.Sub(c.IssuedAt))
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseChallenge(got.Message())
		if err != nil || back != got {
			t.Fatalf("ParseChallenge = %+v, %v; want %+v", back, err, got)
		}
	})
}

func TestVerifyLinkRandom(t *testing.T) {
	key, addr := newKey(t)
	rapid.Check(t, func(t *rapid.T) {
		c := genChallenge().Draw(t, "challenge")
		c.Address = addr
		msg := c.Message()
		got, err := VerifyLink(msg, walletSign(t, key, msg), c.IssuedAt)
		if err != nil || got != c {
			t.Fatalf("VerifyLink = %+v, %v", got, err)
		}
	})
}

func FuzzParseChallenge(f *testing.F) {
	f.Add(Challenge{
		Account:   42,
		Address:   common.HexToAddress("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
		ChainID:   1337,
		Nonce:     "00112233445566778899aabbccddeeff",
		IssuedAt:  time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		ExpiresAt: time.Date(2026, 1, 2, 3, 14, 5, 0, time.UTC),
		Domain:    "lpx.example",
	}.Message())
	f.Add("localhost:8080 wants you to link your Ethereum account:\n0x0000000000000000000000000000000000000001\n\n" +
		"Link this wallet to lpx account 4294967295. Deposits from it will be credited to that account, and withdrawals from that account may be sent to it.\n\n" +
		"Chain ID: 18446744073709551615\nNonce: ffffffffffffffffffffffffffffffff\n" +
		"Issued At: 9999-12-31T22:59:59Z\nExpiration Time: 9999-12-31T23:59:59Z")
	f.Add("")
	f.Add("\n\n\n\n\n\n\n\n")
	f.Fuzz(func(t *testing.T, msg string) {
		c, err := ParseChallenge(msg)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("err %v is not ErrMalformed", err)
			}
			return
		}
		if got := c.Message(); got != msg {
			t.Fatalf("re-rendered:\n%q\nparsed from:\n%q", got, msg)
		}
	})
}

func BenchmarkVerifyLink(b *testing.B) {
	b.ReportAllocs()
	key, addr := newKey(b)
	c := mustChallenge(b, 42, addr)
	msg := c.Message()
	sig := walletSign(b, key, msg)
	for b.Loop() {
		if _, err := VerifyLink(msg, sig, t0); err != nil {
			b.Fatal(err)
		}
	}
}
