package api_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// TestSignedRequestScript: scripts/lpx-curl, the README's example of a
// signed request, signs GETs and POSTs with a body the way the server
// checks them.
func TestSignedRequestScript(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed by scripts/lpx-curl: %v", tool, err)
		}
	}
	env := apitest.Start(t, apitest.Options{})
	user := env.NewClient(sqlstore.AccountConsumer, "ann", sqlstore.ScopeRead, sqlstore.ScopeTrade)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("../scripts/lpx-curl", args...)
		cmd.Env = append(cmd.Environ(), "LPX_KEY="+user.KeyID, "LPX_SECRET="+string(user.HMACSecret), "LPX_SERVER="+env.URL)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("lpx-curl %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out := run("GET", "/v1/keys"); !strings.Contains(out, user.KeyID) {
		t.Fatalf("GET /v1/keys through lpx-curl: %s", out)
	}
	var made struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	out := run("POST", "/v1/keys", `{"kind":"hmac","scopes":["read"],"label":"from the script"}`)
	if err := json.Unmarshal([]byte(out), &made); err != nil || made.Secret == "" {
		t.Fatalf("POST /v1/keys through lpx-curl: %s (%v)", out, err)
	}
}
