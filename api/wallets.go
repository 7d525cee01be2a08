package api

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/store/sqlstore"
	"github.com/lpx-exchange/lpx/tokens"
)

// LinkNonces spends each wallet-link challenge's nonce once: Use records
// nonce in scope for ttl and reports whether it was fresh.
// *redisstore.Nonces is one.
type LinkNonces interface {
	Use(ctx context.Context, scope, nonce string, ttl time.Duration) (fresh bool, err error)
}

// linkChallengeTTL is how long a wallet-link challenge may wait for its
// signature.
const linkChallengeTTL = 10 * time.Minute

// linkNonceScope is the LinkNonces scope of spent challenge nonces.
const linkNonceScope = "walletlink"

// A challenge's nonce is how the server knows it issued the challenge,
// without keeping it: 8 random bytes and the first 8 bytes of an HMAC,
// under a key derived from the key encryption key (every server of the
// exchange shares it), of those bytes and everything else the message
// says (account, address, chain, domain, times). A message whose nonce
// does not match its fields was not issued here, or was changed. The
// nonce is then spent once (LinkNonces) for tokens.NonceTTL, longer than
// any challenge verifies.
func (s *Server) challengeNonce(ch tokens.Challenge, salt []byte) string {
	key := hmac.New(sha256.New, s.cfg.KeyEncryptionKey)
	key.Write([]byte("lpx: wallet link challenge nonces, v1"))
	m := hmac.New(sha256.New, key.Sum(nil))
	m.Write(salt)
	var b [8]byte
	binary.BigEndian.PutUint32(b[:4], ch.Account)
	m.Write(b[:4])
	m.Write(ch.Address.Bytes())
	binary.BigEndian.PutUint64(b[:], ch.ChainID)
	m.Write(b[:])
	binary.BigEndian.PutUint64(b[:], uint64(ch.IssuedAt.Unix()))
	m.Write(b[:])
	binary.BigEndian.PutUint64(b[:], uint64(ch.ExpiresAt.Unix()))
	m.Write(b[:])
	m.Write([]byte(ch.Domain))
	return hex.EncodeToString(salt) + hex.EncodeToString(m.Sum(nil)[:8])
}

// issuedHere reports whether ch's nonce is one challengeNonce made for
// exactly its fields.
func (s *Server) issuedHere(ch tokens.Challenge) bool {
	if len(ch.Nonce) != 32 {
		return false
	}
	salt, err := hex.DecodeString(ch.Nonce[:16])
	if err != nil {
		return false
	}
	return hmac.Equal([]byte(s.challengeNonce(ch, salt)), []byte(ch.Nonce))
}

type walletChallengeRequest struct {
	Address string `json:"address"`
}

type walletChallengeView struct {
	Message   string `json:"message"`
	Nonce     string `json:"nonce"`
	Address   string `json:"address"`
	ChainID   string `json:"chain_id"`
	ExpiresAt string `json:"expires_at"`
}

// walletChallenge answers the message the caller's wallet signs
// (personal_sign, EIP-191) to link address to the caller's account: valid
// for 10 minutes, with a single-use nonce.
func (s *Server) walletChallenge(c *fiber.Ctx) error {
	var req walletChallengeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	addr, err := parseAddressField("address", req.Address)
	if err != nil {
		return err
	}
	ch, err := s.chain()
	if err != nil {
		return err
	}
	challenge, err := tokens.NewChallenge(who(c).Account, addr, ch.ChainID(), s.cfg.Domain, s.cfg.Now(), linkChallengeTTL)
	if err != nil {
		return err
	}
	var salt [8]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return err
	}
	challenge.Nonce = s.challengeNonce(challenge, salt[:])
	return c.JSON(walletChallengeView{
		Message: challenge.Message(), Nonce: challenge.Nonce, Address: addr.Hex(),
		ChainID: decID(ch.ChainID()), ExpiresAt: challenge.ExpiresAt.Format(time.RFC3339),
	})
}

type linkWalletRequest struct {
	Message   string `json:"message"`
	Signature string `json:"signature"`
}

type walletView struct {
	Address  string `json:"address"`
	ChainID  string `json:"chain_id"`
	LinkedAt string `json:"linked_at"`
}

// maxLinkMessage bounds a link message: a challenge is about 400 bytes
// with the longest domain.
const maxLinkMessage = 1024

// linkWallet links the wallet that signed a challenge from
// walletChallenge to the caller's account: the message must be one this
// server issued to the caller, for this chain and domain, unexpired and
// never used; the signature (65 bytes, 0x hex) must be the wallet's. A
// wallet linked to another account is a 409.
func (s *Server) linkWallet(c *fiber.Ctx) error {
	var req linkWalletRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	switch {
	case req.Message == "":
		return errMissing("message")
	case req.Signature == "":
		return errMissing("signature")
	case len(req.Message) > maxLinkMessage:
		return Errorf("invalid_challenge", "the message is longer than %d bytes", maxLinkMessage)
	}
	sig, err := hexutil.Decode(req.Signature)
	if err != nil || len(sig) != 65 {
		return Errorf("invalid_signature", "the signature must be 65 bytes in 0x hex")
	}
	ch, err := s.chain()
	if err != nil {
		return err
	}
	p := who(c)
	now := s.cfg.Now()
	challenge, err := tokens.VerifyLink(req.Message, sig, now)
	switch {
	case errors.Is(err, tokens.ErrExpired), errors.Is(err, tokens.ErrNotYetValid):
		return Errorf("challenge_expired", "the challenge has expired (or is not valid yet); ask for a new one")
	case errors.Is(err, tokens.ErrBadSignature), errors.Is(err, tokens.ErrWrongSigner):
		return Errorf("invalid_signature", "the signature is not the wallet's over this message")
	case err != nil:
		return Errorf("invalid_challenge", "the message is not a wallet link challenge of this server")
	case challenge.Account != p.Account || challenge.ChainID != ch.ChainID() || challenge.Domain != s.cfg.Domain || !s.issuedHere(challenge):
		return Errorf("invalid_challenge", "the message is not a challenge this server issued to this account")
	}
	if s.deps.LinkNonces == nil {
		return errors.New("api: no LinkNonces in the server's Deps")
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	fresh, err := s.deps.LinkNonces.Use(ctx, linkNonceScope, challenge.Nonce, tokens.NonceTTL)
	if err != nil {
		return err
	}
	if !fresh {
		return Errorf("challenge_used", "this challenge was used already; ask for a new one")
	}
	address := storedAddress(challenge.Address)
	err = s.deps.Store.LinkWallet(ctx, p.Account, ch.ChainID(), address, req.Message+"\n"+req.Signature, now.UnixNano())
	if errors.Is(err, sqlstore.ErrDuplicate) {
		return Errorf("wallet_in_use", "wallet %s is linked to another account", challenge.Address.Hex())
	}
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(walletView{Address: challenge.Address.Hex(), ChainID: decID(ch.ChainID()), LinkedAt: rfc3339(now.UnixNano())})
}

// listWallets answers the caller's linked wallets.
func (s *Server) listWallets(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	ws, err := s.deps.Store.ListWallets(ctx, who(c).Account)
	if err != nil {
		return err
	}
	out := make([]walletView, 0, len(ws))
	for _, w := range ws {
		out = append(out, walletView{Address: eip55(w.Address), ChainID: decID(w.ChainID), LinkedAt: rfc3339(w.VerifiedAt)})
	}
	return c.JSON(fiber.Map{"wallets": out})
}

// unlinkWallet removes one of the caller's wallets on the exchange's
// chain; withdrawals already requested to it still go there. Another
// account's wallet is a 404.
func (s *Server) unlinkWallet(c *fiber.Ctx) error {
	addr, err := parseAddressField("address", c.Params("address"))
	if err != nil {
		return Errorf("not_found", "no wallet %q", clip(c.Params("address")))
	}
	chainID := s.cfg.ChainID
	if s.deps.Chain != nil {
		chainID = s.deps.Chain.ChainID()
	}
	if chainID == 0 {
		return Errorf("not_found", "no wallet %s", addr.Hex())
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	if err := s.deps.Store.UnlinkWallet(ctx, who(c).Account, chainID, storedAddress(addr)); err != nil {
		if errors.Is(err, sqlstore.ErrNotFound) {
			return Errorf("not_found", "no wallet %s", addr.Hex())
		}
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
