package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/lpx-exchange/lpx/api/client"
)

// parseFlags parses a subcommand's flags, then gives every flag not on
// the command line its LPX_ variable's value. ok false with the exit code
// when the subcommand should not run: -h printed usage and the flags with
// their variables (0), or the arguments were wrong (2, said on stderr).
func parseFlags(fs *flag.FlagSet, args []string, usage string, stdout, stderr io.Writer) (code int, ok bool) {
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			fs.SetOutput(stdout)
			fs.VisitAll(func(f *flag.Flag) { f.Usage += " (" + envName(f.Name) + ")" })
			fs.PrintDefaults()
			return 0, false
		}
		fmt.Fprintf(stderr, "usage: %s [flags]  (%s -h for help)\n", fs.Name(), fs.Name())
		return 2, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return 2, false
	}
	if err := setFromEnv(fs); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
		return 2, false
	}
	return 0, true
}

// remote is how a subcommand reaches a running server's API: its URL and
// an API key (HMAC-SHA256). Subcommands that change state go through the
// server, never around it: only lpx serve writes the journal.
type remote struct {
	Server, Key, Secret string
}

// declare adds --server, --key and --secret (LPX_SERVER, LPX_KEY,
// LPX_SECRET) to fs.
func (r *remote) declare(fs *flag.FlagSet) {
	fs.StringVar(&r.Server, "server", "http://127.0.0.1:8080", "the running server's base URL")
	fs.StringVar(&r.Key, "key", "", "the API key's id, lpxk_...")
	// From --secret or LPX_SECRET, never a default (which -h prints).
	fs.StringVar(&r.Secret, "secret", "", "the API key's HMAC secret (prefer LPX_SECRET: a command line is visible to other users)")
}

// needKey is the one-line error when the key or its secret is missing.
func (r *remote) needKey() error {
	if r.Key == "" || r.Secret == "" {
		return errors.New("an API key is required: --key and --secret (or LPX_KEY and LPX_SECRET)")
	}
	return nil
}

// client is the API client for the server and key.
func (r *remote) client() *client.Client {
	return &client.Client{
		BaseURL:    strings.TrimRight(r.Server, "/"),
		KeyID:      r.Key,
		HMACSecret: []byte(r.Secret),
		HTTP:       &http.Client{Timeout: 30 * time.Second},
	}
}
