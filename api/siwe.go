package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/gofiber/fiber/v2"
	siwe "github.com/spruceid/siwe-go"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// SIWENonces issues the single-use nonces of sign-in with Ethereum (and of
// wallet-link challenges). *redisstore.SIWENonces is one.
type SIWENonces interface {
	Issue(ctx context.Context, ttl time.Duration) (string, error)
	Consume(ctx context.Context, nonce string) (bool, error)
}

// siweNonceTTL is how long a sign-in nonce may wait for its message.
const siweNonceTTL = 5 * time.Minute

// sessionTokenPrefix marks lpx session tokens (they are 32 random bytes,
// base64url, after it); only their SHA-256 is stored.
const sessionTokenPrefix = "lpxs_"

// getSIWENonce answers a fresh nonce and what the message must name.
func (s *Server) getSIWENonce(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	nonce, err := s.deps.SIWENonces.Issue(ctx, siweNonceTTL)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{
		"nonce":      nonce,
		"domain":     s.cfg.Domain,
		"chain_id":   strconv.FormatUint(s.cfg.ChainID, 10),
		"expires_at": s.cfg.Now().Add(siweNonceTTL).UTC().Format(time.RFC3339),
	})
}

type loginRequest struct {
	Message   string `json:"message"`
	Signature string `json:"signature"`
}

// login checks an EIP-4361 message signed by a wallet (personal_sign) and
// answers a session. The message must name this server's domain and chain
// id, carry a nonce this server issued and not yet used, and be within its
// validity; the first sign-in of a wallet creates a consumer account with
// that wallet linked.
func (s *Server) login(c *fiber.Ctx) error {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Message == "" || req.Signature == "" {
		return errMissing("message and signature")
	}
	if len(req.Message) > 4096 {
		return Errorf("siwe_invalid", "the message is longer than 4096 bytes")
	}
	msg, err := siwe.ParseMessage(req.Message)
	if err != nil {
		return Errorf("siwe_invalid", "not a sign-in with Ethereum message: %v", err)
	}
	if msg.GetDomain() != s.cfg.Domain {
		return Errorf("siwe_invalid", "the message is for %q; this server is %q", clip(msg.GetDomain()), s.cfg.Domain)
	}
	if uint64(msg.GetChainID()) != s.cfg.ChainID {
		return Errorf("siwe_invalid", "the message names chain %d; this server is on chain %d", msg.GetChainID(), s.cfg.ChainID)
	}
	sig, err := hexutil.Decode(req.Signature)
	if err != nil || len(sig) != 65 {
		return Errorf("siwe_invalid", "the signature must be 65 bytes in 0x hex")
	}
	now := s.cfg.Now().UTC()
	if issued, err := time.Parse(time.RFC3339, msg.GetIssuedAt()); err != nil || issued.After(now.Add(time.Minute)) || now.Sub(issued) > siweNonceTTL {
		return Errorf("siwe_invalid", "the message's Issued At must be within the last %v", siweNonceTTL)
	}
	if _, err := msg.Verify(req.Signature, nil, nil, &now); err != nil {
		var expired *siwe.ExpiredMessage
		if errors.As(err, &expired) {
			return Errorf("session_expired", "the message has expired")
		}
		return Errorf("siwe_invalid", "the signature does not verify: %v", err)
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	fresh, err := s.deps.SIWENonces.Consume(ctx, msg.GetNonce())
	if err != nil {
		return err
	}
	if !fresh {
		return Errorf("siwe_invalid", "the nonce is unknown, expired or used; ask for a new one")
	}
	address := strings.ToLower(msg.GetAddress().Hex())
	acct, err := s.accountOfWallet(c, address, req.Message, req.Signature)
	if err != nil {
		return err
	}
	token, hash, err := newSessionToken()
	if err != nil {
		return err
	}
	expires := now.Add(s.cfg.SessionTTL)
	if err := s.deps.Store.CreateWebSession(ctx, sqlstore.WebSession{
		TokenHash: hash, Account: acct.ID, ChainID: s.cfg.ChainID, Address: address,
		CreatedAt: now.UnixNano(), ExpiresAt: expires.UnixNano(),
	}); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name: SessionCookie, Value: token, Expires: expires, Path: "/",
		Secure: true, HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode,
	})
	return c.JSON(fiber.Map{
		"token":      token,
		"account":    strconv.FormatUint(uint64(acct.ID), 10),
		"kind":       acct.Kind,
		"address":    address,
		"expires_at": expires.Format(time.RFC3339),
	})
}

// accountOfWallet is the account the wallet is linked to, or a new
// consumer account with the wallet linked (two first sign-ins racing end
// with one account: the loser finds the winner's link).
func (s *Server) accountOfWallet(c *fiber.Ctx, address, message, signature string) (sqlstore.Account, error) {
	ctx, cancel := s.ctx(c)
	defer cancel()
	w, err := s.deps.Store.Wallet(ctx, s.cfg.ChainID, address)
	if err == nil {
		return s.deps.Store.Account(ctx, w.Account)
	}
	if !errors.Is(err, sqlstore.ErrNotFound) {
		return sqlstore.Account{}, err
	}
	evs, err := s.submit(c, engine.Command{Kind: engine.CmdCreateAccount})
	if err != nil {
		return sqlstore.Account{}, err
	}
	var id uint32
	for _, ev := range evs {
		if ev.Kind == engine.EvAccountCreated {
			id = uint32(ev.Account)
		}
	}
	now := s.cfg.Now().UnixNano()
	acct := sqlstore.Account{ID: id, Kind: sqlstore.AccountConsumer, CreatedAt: now}
	err = s.deps.Store.CreateAccountWithWallet(ctx, acct, sqlstore.Wallet{
		ChainID: s.cfg.ChainID, Address: address, Account: id,
		Proof: message + "\n" + signature, VerifiedAt: now,
	})
	if errors.Is(err, sqlstore.ErrDuplicate) {
		// Another sign-in of this wallet won: the engine's account id just
		// made stays empty and unused.
		if w, err := s.deps.Store.Wallet(ctx, s.cfg.ChainID, address); err == nil {
			return s.deps.Store.Account(ctx, w.Account)
		}
	}
	return acct, err
}

func newSessionToken() (token string, hash []byte, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	token = sessionTokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	h := sha256.Sum256([]byte(token))
	return token, h[:], nil
}

// authenticateSession finds the live session of token.
func (s *Server) authenticateSession(c *fiber.Ctx, token string) (*principal, error) {
	ctx, cancel := s.ctx(c)
	defer cancel()
	return s.sessionPrincipal(ctx, token)
}

// sessionPrincipal is the caller of a live web session: its account, and
// the scopes its kind gives a session (sessionScopes).
func (s *Server) sessionPrincipal(ctx context.Context, token string) (*principal, error) {
	if !strings.HasPrefix(token, sessionTokenPrefix) || len(token) > 128 {
		return nil, Errorf("unauthorized", "not a session token")
	}
	h := sha256.Sum256([]byte(token))
	ws, err := s.deps.Store.WebSession(ctx, h[:], s.cfg.Now().UnixNano())
	if errors.Is(err, sqlstore.ErrNotFound) {
		return nil, Errorf("session_expired", "the session is unknown, expired or signed out; sign in again")
	}
	if err != nil {
		return nil, err
	}
	acct, err := s.deps.Store.Account(ctx, ws.Account)
	if err != nil {
		return nil, err
	}
	return &principal{Account: ws.Account, Kind: acct.Kind, Scopes: sessionScopes(acct.Kind), SessionHash: h[:]}, nil
}

// logout ends the caller's web session.
func (s *Server) logout(c *fiber.Ctx) error {
	p := who(c)
	if p.SessionHash == nil {
		return Errorf("invalid_request", "an API key has no session to end; revoke the key instead")
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	if err := s.deps.Store.RevokeWebSession(ctx, p.Account, p.SessionHash, s.cfg.Now().UnixNano()); err != nil {
		return err
	}
	s.closeSessionConns(p.SessionHash)
	c.ClearCookie(SessionCookie)
	return c.SendStatus(fiber.StatusNoContent)
}
