package loadtest

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lpx-exchange/lpx/api/client"
)

// The scenarios: each sets the number of workers of each kind and their
// pace (ScenarioDefaults); flags override any of it.
const (
	ScenarioWS    = "ws"    // market makers placing, amending, cancelling over WebSocket as fast as answers come
	ScenarioREST  = "rest"  // consumers placing, cancelling, swapping over REST; a few makers keep the books
	ScenarioMD    = "md"    // 1,000 book subscribers while 4 makers change the book 200 times a second
	ScenarioMixed = "mixed" // all three at once
)

// Scenarios lists the scenario names.
var Scenarios = []string{ScenarioWS, ScenarioREST, ScenarioMD, ScenarioMixed}

// Config is one load test. ScenarioDefaults gives a complete one but for
// Admin.
type Config struct {
	// Admin is an operator's client holding the admin scope (its BaseURL
	// is the server's); the setup creates everything else with it.
	Admin *client.Client
	// Scenario names what the defaults came from (reported).
	Scenario string

	Consumers   int // REST clients: orders, cancels, swaps
	Makers      int // WebSocket connections quoting both sides
	Subscribers int // WebSocket connections following a book each
	Markets     int // markets created, each BASE-QUOTE with a shared quote

	// Duration of the load; Orders, if positive, stops it earlier once
	// that many orders were placed (REST and WebSocket). Without Duration
	// the load runs until Orders.
	Duration time.Duration
	Orders   int64

	// Window is how many calls each maker keeps in flight on its
	// connection (each a goroutine with a quote of its own).
	Window int
	// MakerRate and ConsumerRate pace each maker connection and each
	// consumer, in requests per second (0: as fast as the answers come).
	// A server's default limits are 500 messages a second per WebSocket
	// connection and 200 requests a second per key.
	MakerRate, ConsumerRate float64
	// Levels is how many ticks either side of the mid the makers quote;
	// consumers rest their orders beyond them.
	Levels int
	// Unconflated asks the book channels for every update, not one per
	// interval.
	Unconflated bool
	// Timeout bounds each request; one without an answer by then counts
	// as unanswered.
	Timeout time.Duration
	// SetupTimeout bounds the setup (programs, accounts, issues, the
	// subscribers' connections); SettleTimeout the wait for the server to
	// settle after the load.
	SetupTimeout, SettleTimeout time.Duration
	// IssueAmount is what each account is issued of each asset, a
	// decimal.
	IssueAmount string
	// Seed makes the workers' choices reproducible.
	Seed uint64

	// Logf, if set, receives notes on the setup and the settling.
	Logf func(format string, args ...any)
	// OnProgress, if set, is called once a second during the load.
	OnProgress func(Progress)
}

// ScenarioDefaults returns the settings of a scenario.
func ScenarioDefaults(name string) (Config, error) {
	c := Config{
		Scenario: name, Markets: 1, Duration: 10 * time.Second, Window: 1, Levels: 10,
		Timeout: 10 * time.Second, SetupTimeout: 3 * time.Minute, SettleTimeout: time.Minute,
		IssueAmount: "1000000", Seed: 1,
	}
	switch name {
	case ScenarioWS:
		c.Makers, c.Window = 32, 2
	case ScenarioREST:
		c.Consumers, c.Makers, c.Window, c.MakerRate = 32, 4, 8, 200
	case ScenarioMD:
		c.Makers, c.MakerRate, c.Subscribers = 4, 50, 1000
	case ScenarioMixed:
		c.Consumers, c.Makers, c.Window, c.MakerRate, c.Subscribers = 16, 8, 2, 100, 1000
	default:
		return Config{}, fmt.Errorf("loadtest: unknown scenario %q (%s)", name, strings.Join(Scenarios, ", "))
	}
	return c, nil
}

// Limits of a config.
const (
	maxMarkets = 8
	maxLevels  = 100
	// maxWorkers bounds consumers, makers and subscribers each.
	maxWorkers = 100_000
)

// check refuses a config that cannot run.
func (c *Config) check() error {
	var errs []error
	if c.Admin == nil || c.Admin.BaseURL == "" {
		errs = append(errs, errors.New("an operator's admin client (Admin) is required"))
	}
	for _, n := range []struct {
		name string
		v    int
	}{{"consumers", c.Consumers}, {"makers", c.Makers}, {"subscribers", c.Subscribers}} {
		if n.v < 0 || n.v > maxWorkers {
			errs = append(errs, fmt.Errorf("%s must be 0 to %d, not %d", n.name, maxWorkers, n.v))
		}
	}
	if c.Consumers+c.Makers == 0 {
		errs = append(errs, errors.New("at least one consumer or maker is needed"))
	}
	if c.Markets < 1 || c.Markets > maxMarkets {
		errs = append(errs, fmt.Errorf("markets must be 1 to %d, not %d", maxMarkets, c.Markets))
	}
	if c.Duration < 0 || c.Orders < 0 || c.Duration == 0 && c.Orders == 0 {
		errs = append(errs, errors.New("a positive duration or number of orders is required"))
	}
	if c.Window < 1 || c.Window > 64 {
		errs = append(errs, fmt.Errorf("window must be 1 to 64, not %d", c.Window))
	}
	if c.MakerRate < 0 || c.ConsumerRate < 0 {
		errs = append(errs, errors.New("rates must not be negative"))
	}
	if c.Levels < 1 || c.Levels > maxLevels {
		errs = append(errs, fmt.Errorf("levels must be 1 to %d, not %d", maxLevels, c.Levels))
	}
	if c.Timeout <= 0 || c.SetupTimeout <= 0 || c.SettleTimeout <= 0 {
		errs = append(errs, errors.New("timeouts must be positive"))
	}
	if _, err := client.ParseUnits(c.IssueAmount, assetScale); err != nil || c.IssueAmount == "" {
		errs = append(errs, fmt.Errorf("issue amount %q must be a positive decimal with at most %d decimals", c.IssueAmount, assetScale))
	} else if u, _ := client.ParseUnits(c.IssueAmount, assetScale); u <= 0 {
		errs = append(errs, fmt.Errorf("issue amount %q must be positive", c.IssueAmount))
	}
	if len(errs) > 0 {
		return fmt.Errorf("loadtest: %w", errors.Join(errs...))
	}
	return nil
}

func (c *Config) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}
