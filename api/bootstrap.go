package api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// CreateAccount makes an account of kind in the engine and records it in
// the database; it returns the engine's account id. The admin route and
// the operator's first start use it. If the database refuses after the
// engine made the account, the engine's account stays empty and unused.
func (s *Server) CreateAccount(ctx context.Context, kind sqlstore.AccountKind, name string) (uint32, error) {
	res, err := s.deps.Exchange.Submit(ctx, engine.Command{Kind: engine.CmdCreateAccount})
	if err != nil {
		return 0, err
	}
	var id uint32
	for _, ev := range res.Events {
		switch ev.Kind {
		case engine.EvAccountCreated:
			id = uint32(ev.Account)
		case engine.EvRejected:
			return 0, engineError(ev.Code, engine.CmdCreateAccount)
		}
	}
	if id == 0 {
		return 0, fmt.Errorf("api: create account: no account in the answer (seq %d)", res.Seq)
	}
	if err := s.deps.Store.CreateAccount(ctx, sqlstore.Account{ID: id, Kind: kind, Name: name, CreatedAt: s.cfg.Now().UnixNano()}); err != nil {
		return 0, err
	}
	return id, nil
}

// IssueHMACKey makes an HMAC key with scopes for account and returns its
// id and its secret (shown this once; stored encrypted).
func (s *Server) IssueHMACKey(ctx context.Context, account uint32, scopes []Scope, label string) (id, secret string, err error) {
	if id, err = newKeyID(); err != nil {
		return "", "", err
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	secret = base64.RawURLEncoding.EncodeToString(b[:])
	sealed, err := s.encryptSecret([]byte(secret), id)
	if err != nil {
		return "", "", err
	}
	err = s.deps.Store.CreateAPIKey(ctx, sqlstore.APIKey{
		ID: id, Account: account, Kind: sqlstore.APIKeyHMAC, SecretEncrypted: sealed,
		Scopes: scopes, Label: label, CreatedAt: s.cfg.Now().UnixNano(),
	})
	if err != nil {
		return "", "", err
	}
	return id, secret, nil
}
