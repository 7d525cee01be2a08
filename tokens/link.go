package tokens

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// Errors of wallet linking. VerifyLink wraps them with detail; test with
// errors.Is.
var (
	// ErrMalformed: the message is not a link challenge exactly as Message
	// renders it, or the challenge's fields are out of range.
	ErrMalformed = errors.New("tokens: malformed link challenge")
	// ErrBadSignature: the signature is not 65 bytes [R || S || V] with V
	// in {0, 1, 27, 28} and a low S, or no public key recovers from it.
	ErrBadSignature = errors.New("tokens: bad signature")
	// ErrWrongSigner: the signature is valid but made by another address
	// than the one the challenge links.
	ErrWrongSigner = errors.New("tokens: signed by another address")
	// ErrExpired: the challenge's expiration time has passed.
	ErrExpired = errors.New("tokens: link challenge expired")
	// ErrNotYetValid: the challenge is issued more than ClockSkew after
	// the verifier's clock.
	ErrNotYetValid = errors.New("tokens: link challenge issued in the future")
)

const (
	// MaxChallengeTTL bounds a challenge's life (ExpiresAt - IssuedAt):
	// long enough for a user at a wallet prompt, short enough that the
	// nonces to remember stay few.
	MaxChallengeTTL = time.Hour
	// ClockSkew is how far in the verifier's future IssuedAt may be, for
	// servers whose clocks differ a little. Expiry has no such slack.
	ClockSkew = time.Minute
	// NonceTTL is how long a caller must remember a used nonce: a message
	// verifies only while IssuedAt-ClockSkew <= now < ExpiresAt <=
	// IssuedAt+MaxChallengeTTL, a window no longer than NonceTTL, so a
	// nonce remembered this long from its first use cannot be replayed
	// with the same message.
	NonceTTL = MaxChallengeTTL + ClockSkew
	// maxDomainLen is the longest domain accepted (a DNS name's limit).
	maxDomainLen = 253
	// nonceBytes is the nonce's entropy: 128 bits, 32 hex digits.
	nonceBytes = 16
)

// Challenge is what a user signs, with EIP-191 personal_sign, to link a
// wallet to an lpx account. Its text is Message; ParseChallenge reads it
// back and VerifyLink checks a signature over it.
//
// Nonce is single-use, but this package keeps no state: the caller must
// (1) check that it issued the challenge (for instance by keeping the
// issued Message under its Nonce and comparing it byte for byte), (2)
// check Account, Domain and ChainID against the session, its own host and
// its chain, and (3) spend the nonce once, for instance with the Redis
// Nonces store: fresh, err := nonces.Use(ctx, "link", c.Nonce, NonceTTL),
// refusing the link unless fresh.
type Challenge struct {
	Account   uint32         // the lpx account the wallet is linked to; not 0
	Address   common.Address // the wallet; not the zero address
	ChainID   uint64         // EIP-155 chain id; not 0
	Nonce     string         // 32 lowercase hex digits (128 random bits)
	IssuedAt  time.Time      // UTC, whole seconds
	ExpiresAt time.Time      // UTC, whole seconds, after IssuedAt by at most MaxChallengeTTL
	Domain    string         // the host asking, such as "lpx.example" or "localhost:8080"
}

// NewChallenge makes a challenge for linking address to account on chain
// chainID, issued by domain at now (truncated to the second) and valid for
// ttl (0 < ttl <= MaxChallengeTTL), with a fresh random nonce.
func NewChallenge(account uint32, address common.Address, chainID uint64, domain string, now time.Time, ttl time.Duration) (Challenge, error) {
	if ttl < time.Second || ttl > MaxChallengeTTL {
		return Challenge{}, fmt.Errorf("%w: ttl %v is not within [1s, %v]", ErrMalformed, ttl, MaxChallengeTTL)
	}
	var b [nonceBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Challenge{}, fmt.Errorf("tokens: nonce: %w", err)
	}
	issued := now.UTC().Truncate(time.Second)
	c := Challenge{
		Account:   account,
		Address:   address,
		ChainID:   chainID,
		Nonce:     hex.EncodeToString(b[:]),
		IssuedAt:  issued,
		ExpiresAt: issued.Add(ttl.Truncate(time.Second)),
		Domain:    domain,
	}
	if err := c.validate(); err != nil {
		return Challenge{}, err
	}
	return c, nil
}

// The lines of a message. The header deliberately differs from EIP-4361's
// "wants you to sign in with your Ethereum account:", so that a link
// message is never accepted as a sign-in, nor a sign-in as a link.
const (
	headerSuffix    = " wants you to link your Ethereum account:"
	statementPrefix = "Link this wallet to lpx account "
	statementSuffix = ". Deposits from it will be credited to that account, and withdrawals from that account may be sent to it."
	chainPrefix     = "Chain ID: "
	noncePrefix     = "Nonce: "
	issuedPrefix    = "Issued At: "
	expiresPrefix   = "Expiration Time: "
	timeLayout      = "2006-01-02T15:04:05Z" // RFC 3339, UTC, whole seconds
	messageLines    = 9
)

// Message is the text the wallet signs, in the manner of EIP-4361 (Sign-In
// with Ethereum): ASCII, lines separated by "\n", no trailing newline, the
// address in its EIP-55 checksum form, times in RFC 3339 UTC. For example:
//
//	lpx.example wants you to link your Ethereum account:
//	0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed
//
//	Link this wallet to lpx account 42. Deposits from it will be credited to that account, and withdrawals from that account may be sent to it.
//
//	Chain ID: 1337
//	Nonce: 00112233445566778899aabbccddeeff
//	Issued At: 2026-01-02T03:04:05Z
//	Expiration Time: 2026-01-02T03:14:05Z
//
// Only a challenge NewChallenge or ParseChallenge returned renders to a
// message that ParseChallenge accepts.
func (c Challenge) Message() string {
	var b strings.Builder
	b.Grow(len(c.Domain) + 330)
	b.WriteString(c.Domain)
	b.WriteString(headerSuffix + "\n")
	b.WriteString(c.Address.Hex())
	b.WriteString("\n\n" + statementPrefix)
	b.WriteString(strconv.FormatUint(uint64(c.Account), 10))
	b.WriteString(statementSuffix + "\n\n" + chainPrefix)
	b.WriteString(strconv.FormatUint(c.ChainID, 10))
	b.WriteString("\n" + noncePrefix)
	b.WriteString(c.Nonce)
	b.WriteString("\n" + issuedPrefix)
	b.WriteString(c.IssuedAt.UTC().Format(timeLayout))
	b.WriteString("\n" + expiresPrefix)
	b.WriteString(c.ExpiresAt.UTC().Format(timeLayout))
	return b.String()
}

// ParseChallenge reads a message exactly as Message renders it and refuses
// anything else (other line breaks, spacing, letter case of the address,
// leading zeros, fractional seconds or time zones) with ErrMalformed. It
// checks no signature and no time: see VerifyLink.
func ParseChallenge(msg string) (Challenge, error) {
	lines := strings.Split(msg, "\n")
	if len(lines) != messageLines {
		return Challenge{}, fmt.Errorf("%w: %d lines, want %d", ErrMalformed, len(lines), messageLines)
	}
	var c Challenge
	var ok bool
	if c.Domain, ok = strings.CutSuffix(lines[0], headerSuffix); !ok {
		return Challenge{}, fmt.Errorf("%w: bad header line", ErrMalformed)
	}
	if c.Address, ok = parseChecksumAddress(lines[1]); !ok {
		return Challenge{}, fmt.Errorf("%w: address %q is not in EIP-55 checksum form", ErrMalformed, lines[1])
	}
	if lines[2] != "" || lines[4] != "" {
		return Challenge{}, fmt.Errorf("%w: missing blank line", ErrMalformed)
	}
	account, ok := cut(lines[3], statementPrefix, statementSuffix)
	if !ok {
		return Challenge{}, fmt.Errorf("%w: bad statement line", ErrMalformed)
	}
	n, ok := parseCanonicalUint(account, 32)
	if !ok {
		return Challenge{}, fmt.Errorf("%w: account %q", ErrMalformed, account)
	}
	c.Account = uint32(n)
	chain, ok := strings.CutPrefix(lines[5], chainPrefix)
	if !ok {
		return Challenge{}, fmt.Errorf("%w: bad chain id line", ErrMalformed)
	}
	if c.ChainID, ok = parseCanonicalUint(chain, 64); !ok {
		return Challenge{}, fmt.Errorf("%w: chain id %q", ErrMalformed, chain)
	}
	if c.Nonce, ok = strings.CutPrefix(lines[6], noncePrefix); !ok {
		return Challenge{}, fmt.Errorf("%w: bad nonce line", ErrMalformed)
	}
	issued, ok := strings.CutPrefix(lines[7], issuedPrefix)
	if !ok {
		return Challenge{}, fmt.Errorf("%w: bad issued-at line", ErrMalformed)
	}
	if c.IssuedAt, ok = parseTime(issued); !ok {
		return Challenge{}, fmt.Errorf("%w: issued-at %q", ErrMalformed, issued)
	}
	expires, ok := strings.CutPrefix(lines[8], expiresPrefix)
	if !ok {
		return Challenge{}, fmt.Errorf("%w: bad expiration line", ErrMalformed)
	}
	if c.ExpiresAt, ok = parseTime(expires); !ok {
		return Challenge{}, fmt.Errorf("%w: expiration %q", ErrMalformed, expires)
	}
	if err := c.validate(); err != nil {
		return Challenge{}, err
	}
	return c, nil
}

// VerifyLink checks that sig is the EIP-191 personal_sign signature, by the
// challenge's address, of msg, a message that ParseChallenge accepts and
// that is valid at now: IssuedAt <= now+ClockSkew and now < ExpiresAt. It
// returns the challenge, or the zero Challenge and an error wrapping
// ErrMalformed, ErrExpired, ErrNotYetValid, ErrBadSignature or
// ErrWrongSigner.
//
// sig is 65 bytes [R || S || V] as wallets return it, V being 27 or 28 (or
// 0 or 1); S must be in the lower half of the curve order, as every
// signer since EIP-2 makes it. VerifyLink does not spend the nonce nor
// compare the account, domain or chain with the caller's: see Challenge.
func VerifyLink(msg string, sig []byte, now time.Time) (Challenge, error) {
	c, err := ParseChallenge(msg)
	if err != nil {
		return Challenge{}, err
	}
	if !now.Before(c.ExpiresAt) {
		return Challenge{}, fmt.Errorf("%w: at %s, now %s", ErrExpired,
			c.ExpiresAt.Format(timeLayout), now.UTC().Format(time.RFC3339))
	}
	if c.IssuedAt.After(now.Add(ClockSkew)) {
		return Challenge{}, fmt.Errorf("%w: at %s, now %s", ErrNotYetValid,
			c.IssuedAt.Format(timeLayout), now.UTC().Format(time.RFC3339))
	}
	signer, err := recoverSigner(accounts.TextHash([]byte(msg)), sig)
	if err != nil {
		return Challenge{}, err
	}
	if signer != c.Address {
		return Challenge{}, fmt.Errorf("%w: %s, not %s", ErrWrongSigner, signer.Hex(), c.Address.Hex())
	}
	return c, nil
}

// recoverSigner returns the address whose key made sig over hash.
func recoverSigner(hash, sig []byte) (common.Address, error) {
	if len(sig) != crypto.SignatureLength {
		return common.Address{}, fmt.Errorf("%w: %d bytes, want %d", ErrBadSignature, len(sig), crypto.SignatureLength)
	}
	var rsv [crypto.SignatureLength]byte // a copy: the caller's sig is not changed
	copy(rsv[:], sig)
	v := &rsv[crypto.RecoveryIDOffset]
	switch *v {
	case 27, 28:
		*v -= 27
	case 0, 1:
	default:
		return common.Address{}, fmt.Errorf("%w: v = %d", ErrBadSignature, *v)
	}
	r := new(big.Int).SetBytes(rsv[:32])
	s := new(big.Int).SetBytes(rsv[32:64])
	if !crypto.ValidateSignatureValues(*v, r, s, true) {
		return common.Address{}, fmt.Errorf("%w: r or s out of range, or s not low", ErrBadSignature)
	}
	pub, err := crypto.SigToPub(hash, rsv[:])
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return crypto.PubkeyToAddress(*pub), nil
}

// validate checks the fields of a challenge, so that what NewChallenge
// makes and what ParseChallenge accepts are the same set.
func (c Challenge) validate() error {
	switch {
	case !validDomain(c.Domain):
		return fmt.Errorf("%w: domain %q is not 1 to %d letters, digits and '.-:[]'", ErrMalformed, c.Domain, maxDomainLen)
	case c.Account == 0:
		return fmt.Errorf("%w: account 0", ErrMalformed)
	case c.Address == (common.Address{}):
		return fmt.Errorf("%w: the zero address", ErrMalformed)
	case c.ChainID == 0:
		return fmt.Errorf("%w: chain id 0", ErrMalformed)
	case !validNonce(c.Nonce):
		return fmt.Errorf("%w: nonce %q is not %d lowercase hex digits", ErrMalformed, c.Nonce, 2*nonceBytes)
	case !validTime(c.IssuedAt) || !validTime(c.ExpiresAt):
		return fmt.Errorf("%w: times must be whole seconds in years 1 to 9999", ErrMalformed)
	}
	if ttl := c.ExpiresAt.Sub(c.IssuedAt); ttl <= 0 || ttl > MaxChallengeTTL {
		return fmt.Errorf("%w: expiration %v after issue, not within (0, %v]", ErrMalformed, ttl, MaxChallengeTTL)
	}
	return nil
}

// validDomain accepts an RFC 3986 authority without user info: a host name
// or IP literal and an optional port. Only ASCII, so that the message's
// bytes are what the user reads.
func validDomain(d string) bool {
	if len(d) == 0 || len(d) > maxDomainLen {
		return false
	}
	for i := 0; i < len(d); i++ {
		switch b := d[i]; {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		case b == '.', b == '-', b == ':', b == '[', b == ']':
		default:
			return false
		}
	}
	return true
}

func validNonce(n string) bool {
	if len(n) != 2*nonceBytes {
		return false
	}
	for i := 0; i < len(n); i++ {
		if b := n[i]; !('0' <= b && b <= '9' || 'a' <= b && b <= 'f') {
			return false
		}
	}
	return true
}

func validTime(t time.Time) bool {
	return t.Nanosecond() == 0 && t.Year() >= 1 && t.Year() <= 9999
}

// parseTime reads a time exactly as timeLayout writes it.
func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(timeLayout, s)
	if err != nil || t.Format(timeLayout) != s {
		return time.Time{}, false
	}
	return t, true
}

// parseChecksumAddress reads "0x" and 40 hex digits in EIP-55 mixed case.
func parseChecksumAddress(s string) (common.Address, bool) {
	if !common.IsHexAddress(s) || !strings.HasPrefix(s, "0x") {
		return common.Address{}, false
	}
	a := common.HexToAddress(s)
	return a, a.Hex() == s
}

// parseCanonicalUint reads a decimal number of at most bits bits, without
// sign or leading zeros.
func parseCanonicalUint(s string, bits int) (uint64, bool) {
	n, err := strconv.ParseUint(s, 10, bits)
	if err != nil || strconv.FormatUint(n, 10) != s {
		return 0, false
	}
	return n, true
}

// cut returns what lies between prefix and suffix in s.
func cut(s, prefix, suffix string) (string, bool) {
	s, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return "", false
	}
	return strings.CutSuffix(s, suffix)
}
