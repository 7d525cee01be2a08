package node

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/lpx-exchange/lpx/migrations"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// SettingError is a setting that keeps a node from opening, said in one
// line that names the setting to fix: its flag and LPX_ variable, what is
// wrong and how to fix it. Malformed: the value itself is wrong (lpx
// serve exits 2, a usage error); otherwise what it names failed (a
// service that does not answer or refuses; exit 1). It never holds a
// secret: URLs are shown by host, keys not at all.
type SettingError struct {
	Setting   string // the flag's name, as lpx serve spells it: "redis-url"
	Malformed bool
	Problem   string // "Redis at 127.0.0.1:1 does not answer (dial tcp ...)"
	Fix       string // "or leave it empty for the embedded Redis"; may be empty
	Err       error  // the cause, for errors.Is; its text is in Problem if useful
}

func (e *SettingError) Error() string {
	s := fmt.Sprintf("%s; fix --%s (%s)", e.Problem, e.Setting, EnvName(e.Setting))
	if e.Fix != "" {
		s += " " + e.Fix
	}
	return s
}

func (e *SettingError) Unwrap() error { return e.Err }

// EnvName is the LPX_ variable that sets a flag: --data-dir is
// LPX_DATA_DIR.
func EnvName(flagName string) string {
	return "LPX_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// urlHost is a URL as it may be shown: scheme and host only (a URL can
// carry a password or a provider's API key in its path or query).
func urlHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "the URL given"
	}
	return u.Scheme + "://" + u.Host
}

// redact replaces every occurrence of the secret-bearing URL raw in
// err's text with its host, and drops the URL a *url.Error repeats.
func redact(err error, raw string) string {
	var ue *url.Error
	if errors.As(err, &ue) && ue.URL == raw {
		err = ue.Err
	}
	s := err.Error()
	if raw != "" {
		s = strings.ReplaceAll(s, raw, urlHost(raw))
	}
	return s
}

// checkSettings refuses, before anything is opened, the settings that are
// wrong whatever the services say.
func checkSettings(cfg Config) error {
	kek := strings.TrimSpace(cfg.KeyEncryptionKey)
	switch k, err := hex.DecodeString(kek); {
	case kek == "" && cfg.RedisURL != "":
		return &SettingError{Setting: "key-encryption-key", Malformed: true,
			Problem: "a node on a real Redis needs a key encryption key, which every server of the exchange shares",
			Fix:     "with 64 hex digits (make them with: openssl rand -hex 32)"}
	case kek != "" && (err != nil || len(k) != 32):
		return &SettingError{Setting: "key-encryption-key", Malformed: true,
			Problem: "the key encryption key is not 64 hex digits (32 bytes)",
			Fix:     "with 64 hex digits (make them with: openssl rand -hex 32), or leave it empty to keep one in the data directory (embedded Redis only)"}
	}
	if cfg.EthRPCURL != "" && !cfg.NoChain && cfg.VaultKey == "" {
		return &SettingError{Setting: "vault-key", Malformed: true, Err: ErrNoVaultKey,
			Problem: "a chain named by --eth-rpc-url needs the vault's private key",
			Fix:     "with the key in hex, or leave --eth-rpc-url empty for the embedded dev chain"}
	}
	if cfg.VaultKey != "" && !cfg.NoChain {
		if _, err := parseKey(cfg.VaultKey); err != nil {
			return vaultKeyError(err)
		}
	}
	return nil
}

// vaultKeyError is a VaultKey that is not a private key.
func vaultKeyError(err error) error {
	return &SettingError{Setting: "vault-key", Malformed: true, Err: err,
		Problem: fmt.Sprintf("the vault key is not a private key (%v)", err),
		Fix:     "with 64 hex digits, 0x or not"}
}

// databaseError names the setting behind a SQL database that cannot be
// used; a schema to migrate (migrations.ErrSchema) says its own fix.
func (n *Node) databaseError(err error) error {
	if errors.Is(err, migrations.ErrSchema) || errors.Is(err, context.Canceled) {
		return err
	}
	raw := n.cfg.DatabaseURL
	text := redact(err, raw)
	for _, p := range []string{"node: database: ", "sqlstore: "} {
		text = strings.TrimPrefix(text, p)
	}
	if raw == "" {
		return &SettingError{Setting: "data-dir", Err: err,
			Problem: fmt.Sprintf("cannot use the SQLite database in the data directory %s (%s)", n.cfg.DataDir, text)}
	}
	fix := "or leave it empty for SQLite in the data directory"
	if _, perr := sqlstore.ParseURL(raw); perr != nil {
		return &SettingError{Setting: "database-url", Malformed: true, Err: err,
			Problem: fmt.Sprintf("the database URL is malformed (%s)", text),
			Fix:     "with postgres://user@host:5432/db or sqlite://PATH, " + fix}
	}
	return &SettingError{Setting: "database-url", Err: err,
		Problem: fmt.Sprintf("cannot use the database at %s (%s)", urlHost(raw), text),
		Fix:     "and check that the database runs there and lets lpx in, " + fix}
}
