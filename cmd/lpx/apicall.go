package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/lpx-exchange/lpx/api/client"
)

// verb is one subcommand of a group: lpx market create.
type verb struct {
	name string
	run  func(args []string, stdout, stderr io.Writer) int
}

// runGroup runs `lpx GROUP VERB [flags]`. No verb or an unknown one is a
// usage error (exit 2); -h, --help or help prints the group's usage
// (exit 0).
func runGroup(group, usage string, verbs []verb, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "lpx %s: which? (lpx %s -h for help)\n", group, group)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	for _, v := range verbs {
		if v.name == args[0] {
			return v.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "lpx %s: unknown subcommand %q (lpx %s -h for help)\n", group, args[0], group)
	return 2
}

// badInput says a subcommand's input is wrong, in one line, and returns
// the exit code for it (2).
func badInput(stderr io.Writer, name string, format string, args ...any) int {
	fmt.Fprintf(stderr, "%s: %s\n", name, fmt.Sprintf(format, args...))
	return 2
}

// apiCall sends one request of subcommand name and decodes the answer
// into out. On failure it says why in one line on stderr and returns
// false (the subcommand exits 1): an error answer by its code and
// message, a server out of reach with the setting to check.
func apiCall(ctx context.Context, name string, r *remote, c *client.Client, stderr io.Writer, method, path string, header http.Header, body, out any) bool {
	err := c.DoWith(ctx, method, path, header, body, out)
	if err == nil {
		return true
	}
	var ae *client.Error
	switch {
	case errors.As(err, &ae):
		msg := fmt.Sprintf("%s: %s: %s (HTTP %d)", name, ae.Code, ae.Message, ae.Status)
		if ae.Status == http.StatusUnauthorized {
			msg += "; check --key and --secret (LPX_KEY, LPX_SECRET)"
		}
		fmt.Fprintln(stderr, msg)
	case ctx.Err() != nil:
		fmt.Fprintf(stderr, "%s: %v\n", name, ctx.Err())
	default:
		fmt.Fprintf(stderr, "%s: cannot reach the server at %s (%s); is lpx serve running there? (--server, LPX_SERVER)\n",
			name, r.Server, strings.ReplaceAll(err.Error(), "\n", " "))
	}
	return false
}

// keyed returns the client for a subcommand that needs an API key, or
// false after saying (in one line) that the key is missing.
func keyed(name string, r *remote, stderr io.Writer) (*client.Client, bool) {
	if err := r.needKey(); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return nil, false
	}
	return r.client(), true
}

// splitList splits a comma-separated flag value, trimming spaces and
// dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
