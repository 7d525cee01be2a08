package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestMarketMakerFlags: -h lists the flags (and no secret); flags and
// LPX_ variables make the config; missing or malformed settings exit 2.
func TestMarketMakerFlags(t *testing.T) {
	t.Setenv("LPX_SECRET", "s3cret")
	var out, errs bytes.Buffer
	if _, code, ok := parseMarketMaker([]string{"-h"}, &out, &errs); ok || code != 0 {
		t.Fatalf("-h: ok %v, code %d", ok, code)
	}
	for _, f := range []string{"-server", "-key", "-secret", "-markets", "-mid", "-spread", "-step", "-size", "-levels", "-requote-every", "-deadman", "-log-level", "LPX_SERVER", "LPX_SECRET"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("-h does not list %s:\n%s", f, out.String())
		}
	}
	if strings.Contains(out.String(), "s3cret") {
		t.Fatalf("-h prints the secret:\n%s", out.String())
	}

	t.Setenv("LPX_SERVER", "http://exchange.test:8080/")
	t.Setenv("LPX_KEY", "lpxk_1")
	t.Setenv("LPX_MARKETS", "acme-eur, COFFEE-EUR")
	t.Setenv("LPX_MID", "ACME-EUR=1.25")
	t.Setenv("LPX_LEVELS", "3")
	t.Setenv("LPX_DEADMAN", "10s")
	cfg, code, ok := parseMarketMaker([]string{"--mid", "coffee-eur=0.50", "--spread", "50bps", "--size", "10", "--requote-every", "2s"}, &out, &errs)
	if !ok {
		t.Fatalf("parse: code %d: %s", code, errs.String())
	}
	if cfg.Client.BaseURL != "http://exchange.test:8080" || cfg.Client.KeyID != "lpxk_1" || string(cfg.Client.HMACSecret) != "s3cret" {
		t.Fatalf("client %+v", cfg.Client)
	}
	if !reflect.DeepEqual(cfg.Markets, []string{"ACME-EUR", "COFFEE-EUR"}) || !reflect.DeepEqual(cfg.Mids, map[string]string{"COFFEE-EUR": "0.50"}) { // --mid replaces LPX_MID
		t.Fatalf("markets %v, mids %v", cfg.Markets, cfg.Mids)
	}
	if cfg.Spread != "50bps" || cfg.Size != "10" || cfg.Levels != 3 || cfg.DeadMan != 10*time.Second || cfg.RequoteEvery != 2*time.Second || cfg.Log == nil {
		t.Fatalf("config %+v", cfg)
	}

	for name, args := range map[string][]string{
		"an argument":   {"extra"},
		"a bad flag":    {"--nope"},
		"a bad mid":     {"--mid", "ACME-EUR"},
		"a bad level":   {"--log-level", "loud"},
		"a bad levels":  {"--levels", "many"},
		"no key at all": {"--key", ""},
	} {
		errs.Reset()
		if _, code, ok := parseMarketMaker(args, &out, &errs); ok || code != 2 {
			t.Errorf("%s: ok %v, code %d", name, ok, code)
		}
	}
	t.Setenv("LPX_DEADMAN", "soon")
	if _, code, ok := parseMarketMaker(nil, &out, &errs); ok || code != 2 || !strings.Contains(errs.String(), "LPX_DEADMAN") {
		t.Fatalf("a bad LPX_DEADMAN: ok %v, code %d, %s", ok, code, errs.String())
	}
}
