package api

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/store/sqlstore"
)

type createAccountKeyRequest struct {
	Scopes []string `json:"scopes"`
	Label  string   `json:"label"`
}

// maxKeyLabel bounds a key's label, as POST /v1/keys does.
const maxKeyLabel = 100

// createAccountKey makes an HMAC key with the scopes given for an
// existing account, for the operator to hand over (lpx demo acts as the
// demo brands with such keys). The secret is answered this once. The
// operator can grant only scopes its own credential holds, and the admin
// scope only to an operator's account. An unknown account is a 404; a
// refused request stores nothing.
func (s *Server) createAccountKey(c *fiber.Ctx) error {
	id, err := pathID(c, "id", "account")
	if err != nil || id > uint64(^uint32(0)) {
		return Errorf("unknown_account", "no account %q", clip(c.Params("id")))
	}
	var req createAccountKeyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	scopes, err := s.grantable(who(c), req.Scopes)
	if err != nil {
		return err
	}
	if len(req.Label) > maxKeyLabel || strings.ContainsFunc(req.Label, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return Errorf("invalid_label", "field \"label\" must be at most %d bytes of printable text", maxKeyLabel)
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	acct, err := s.deps.Store.Account(ctx, uint32(id))
	switch {
	case errors.Is(err, sqlstore.ErrNotFound):
		return Errorf("unknown_account", "no account %d", id)
	case err != nil:
		return err
	}
	for _, sc := range scopes {
		if sc == scopeAdmin && acct.Kind != sqlstore.AccountOperator {
			return Errorf("invalid_scope", "the admin scope is for operator accounts only; account %d is a %s", id, acct.Kind)
		}
	}
	keyID, secret, err := s.IssueHMACKey(ctx, acct.ID, scopes, req.Label)
	if err != nil {
		return err
	}
	k, err := s.deps.Store.APIKey(ctx, keyID)
	if err != nil {
		return err
	}
	v := viewKey(k)
	v.Secret = secret
	return c.Status(fiber.StatusCreated).JSON(v)
}
