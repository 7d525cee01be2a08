package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLoadtestCommand runs lpx loadtest for 2 seconds against a node it
// starts in-process (embedded, with the dev chain): it prints progress
// and the table, passes the loss check and writes the report and chart.
func TestLoadtestCommand(t *testing.T) {
	for _, v := range []string{"LPX_SERVER", "LPX_KEY", "LPX_SECRET", "LPX_REDIS_URL", "LPX_DATABASE_URL", "LPX_SCENARIO"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	dir := t.TempDir()
	report, chart := filepath.Join(dir, "report.json"), filepath.Join(dir, "latency.svg")
	var out, errs syncBuffer
	code := runLoadtest([]string{"--duration", "2s", "--consumers", "2", "--makers", "2", "--subscribers", "3",
		"--maker-rate", "100", "--report", report, "--chart", chart}, &out, &errs)
	t.Logf("stdout:\n%s\nstderr:\n%s", out.String(), errs.String())
	if code != 0 {
		t.Fatalf("lpx loadtest exits %d", code)
	}
	for _, want := range []string{"in-process node on http://", "orders", "p99", "rest.order.place", "ws.order.place", "md.book.delivery", "loss check: OK"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output lacks %q", want)
		}
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		LostOrders *int `json:"lost_orders"`
		OK         bool `json:"ok"`
		Orders     int  `json:"orders"`
	}
	if err := json.Unmarshal(b, &rep); err != nil || rep.LostOrders == nil || *rep.LostOrders != 0 || !rep.OK || rep.Orders == 0 {
		t.Fatalf("report %s: %+v (%v)", b[:min(len(b), 300)], rep, err)
	}
	svg, err := os.ReadFile(chart)
	if err != nil || !bytes.HasPrefix(svg, []byte("<?xml")) || !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("<polyline")) {
		t.Fatalf("chart: %v\n%.300s", err, svg)
	}
}

// TestLoadtestFlags: -h lists the flags with their LPX_ variables; the
// scenario sets the defaults, variables and flags override them, and bad
// settings exit 2.
func TestLoadtestFlags(t *testing.T) {
	t.Setenv("LPX_SECRET", "s3cret")
	var out, errs bytes.Buffer
	if _, _, code, ok := parseLoadtest([]string{"-h"}, &out, &errs); ok || code != 0 {
		t.Fatalf("-h: ok %v, code %d", ok, code)
	}
	for _, f := range []string{"-scenario", "-duration", "-orders", "-consumers", "-makers", "-subscribers", "-markets", "-window",
		"-maker-rate", "-consumer-rate", "-unconflated", "-report", "-chart", "-server", "-key", "-secret", "-redis-url",
		"-database-url", "-book-interval", "-keep-data", "LPX_SCENARIO", "LPX_SUBSCRIBERS", "LPX_SERVER"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("-h does not list %s", f)
		}
	}
	if strings.Contains(out.String(), "s3cret") {
		t.Fatal("-h prints the secret")
	}

	t.Setenv("LPX_SCENARIO", "md")
	t.Setenv("LPX_SUBSCRIBERS", "50")
	_, cfg, code, ok := parseLoadtest([]string{"--makers", "2", "--orders", "500"}, &out, &errs)
	if !ok {
		t.Fatalf("parse: %d %s", code, errs.String())
	}
	if cfg.Scenario != "md" || cfg.Subscribers != 50 || cfg.Makers != 2 || cfg.MakerRate != 50 || cfg.Orders != 500 || cfg.Duration != 0 || cfg.Admin != nil {
		t.Fatalf("config %+v", cfg)
	}
	_, cfg, _, ok = parseLoadtest([]string{"--server", "http://exchange.test:8080/", "--key", "lpxk_1", "--duration", "3s"}, &out, &errs)
	if !ok || cfg.Admin == nil || cfg.Admin.BaseURL != "http://exchange.test:8080" || string(cfg.Admin.HMACSecret) != "s3cret" || cfg.Duration != 3*time.Second {
		t.Fatalf("remote config %+v", cfg)
	}
	os.Unsetenv("LPX_SCENARIO") // t.Setenv restores it at the end
	if _, _, code, ok := parseLoadtest([]string{"--log-level", "info"}, &out, &errs); !ok {
		t.Fatalf("the defaults do not parse: %d %s", code, errs.String())
	}
	for name, args := range map[string][]string{
		"a bad scenario":        {"--scenario", "everything"},
		"a server without keys": {"--server", "http://x", "--secret", ""},
		"an argument":           {"extra"},
		"a bad level":           {"--log-level", "loud"},
		"a negative duration":   {"--duration", "-1s"},
	} {
		errs.Reset()
		if _, _, code, ok := parseLoadtest(args, &out, &errs); ok || code != 2 {
			t.Errorf("%s: ok %v, code %d (%s)", name, ok, code, errs.String())
		}
	}
}
