package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// TestAdminAccountKeys: the operator makes a key for an existing account
// (the secret shown once) that then acts as that account; every bad
// request is refused with its code and makes no key.
func TestAdminAccountKeys(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	_, brandID := env.NewAccount(sqlstore.AccountBrand, "Acme", sqlstore.ScopeRead)
	_, userID := env.NewAccount(sqlstore.AccountConsumer, "Ann", sqlstore.ScopeRead)
	brand, user := strconv.FormatUint(uint64(brandID), 10), strconv.FormatUint(uint64(userID), 10)

	var key struct {
		ID, Account, Kind, Label, Secret string
		Scopes                           []string
	}
	env.Do(env.Admin, "POST", "/v1/admin/accounts/"+brand+"/keys", map[string]any{"scopes": []string{"read", "issue"}, "label": "lpx demo"}, &key)
	if key.ID == "" || key.Secret == "" || key.Account != brand || key.Kind != "hmac" || key.Label != "lpx demo" || len(key.Scopes) != 2 {
		t.Fatalf("key %+v", key)
	}
	// The key acts as the brand.
	asBrand := &client.Client{BaseURL: env.URL, KeyID: key.ID, HMACSecret: []byte(key.Secret), HTTP: env.HTTP}
	var liabilities struct{ Liabilities []any }
	env.Do(asBrand, "GET", "/v1/brand/liabilities", nil, &liabilities)
	var listed struct{ Keys []struct{ ID, Secret string } }
	env.Do(asBrand, "GET", "/v1/keys", nil, &listed)
	if len(listed.Keys) != 2 || listed.Keys[1].ID != key.ID || listed.Keys[1].Secret != "" {
		t.Fatalf("the brand's keys %+v", listed)
	}

	limited, _ := env.NewAccount(sqlstore.AccountOperator, "Op", sqlstore.ScopeRead, sqlstore.ScopeAdmin)
	path := "/v1/admin/accounts/" + user + "/keys"
	for _, c := range []struct {
		who    *client.Client
		path   string
		body   string
		status int
		code   string
	}{
		{env.Admin, "/v1/admin/accounts/999999/keys", `{"scopes":["read"]}`, 404, "unknown_account"},
		{env.Admin, "/v1/admin/accounts/abc/keys", `{"scopes":["read"]}`, 404, "unknown_account"},
		{env.Admin, "/v1/admin/accounts/99999999999/keys", `{"scopes":["read"]}`, 404, "unknown_account"},
		{env.Admin, path, `{}`, 400, "missing_field"},
		{env.Admin, path, `{"scopes":[]}`, 400, "missing_field"},
		{env.Admin, path, `{"scopes":["bogus"]}`, 400, "invalid_scope"},
		{env.Admin, path, `{"scopes":["read","read"]}`, 400, "invalid_scope"},
		{env.Admin, path, `{"scopes":["read","admin"]}`, 400, "invalid_scope"},
		{env.Admin, path, `{"scopes":["read"],"label":"a\u0001b"}`, 400, "invalid_label"},
		{env.Admin, path, `{"scopes":["read"],"kind":"ed25519"}`, 400, "unknown_field"},
		{env.Admin, path, `{"scopes":"read"}`, 400, "wrong_type"},
		{env.Admin, path, `{"scopes":["read"]`, 400, "malformed_json"},
		{limited, path, `{"scopes":["trade"]}`, 403, "forbidden"},
		{asBrand, path, `{"scopes":["read"]}`, 403, "forbidden"},
	} {
		status, _, answer, err := c.who.Raw(context.Background(), "POST", c.path, http.Header{}, []byte(c.body))
		if err != nil {
			t.Fatal(err)
		}
		if status != c.status || !containsCode(answer, c.code) {
			t.Errorf("POST %s %s: %d %s, want %d %s", c.path, c.body, status, answer, c.status, c.code)
		}
	}
	keys, err := env.Node.SQL.ListAPIKeys(context.Background(), userID)
	if err != nil || len(keys) != 1 {
		t.Fatalf("the consumer has %d keys (%v); the refused requests made some", len(keys), err)
	}
	// An operator's account may be given the admin scope.
	opID, _ := env.Node.API.CreateAccount(context.Background(), sqlstore.AccountOperator, "Op 2")
	env.Do(env.Admin, "POST", "/v1/admin/accounts/"+strconv.FormatUint(uint64(opID), 10)+"/keys", map[string]any{"scopes": []string{"read", "admin"}}, &key)
	if key.Secret == "" || len(key.Scopes) != 2 {
		t.Fatalf("operator key %+v", key)
	}
}

// containsCode reports whether an error answer carries code.
func containsCode(answer []byte, code string) bool {
	return strings.Contains(string(answer), `"code":"`+code+`"`)
}
