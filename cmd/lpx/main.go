package main

import (
	"fmt"
	"os"
)

const usage = `lpx: an exchange for loyalty points

Usage:
  lpx serve      run the exchange and its REST API (lpx serve -h)
  lpx example    run a small exchange in the matching engine and print its events
  lpx migrate    apply, revert or inspect the SQL schema's migrations (lpx migrate -h)
  lpx projector  rebuild the SQL history from the event log (lpx projector -h)
  lpx marketmaker  quote markets of a running server over the WebSocket API (lpx marketmaker -h)
  lpx help       show this help
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	switch os.Args[1] {
	case "serve":
		os.Exit(runServe(os.Args[2:], os.Stdout, os.Stderr))
	case "example":
		if err := runExample(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "lpx example:", err)
			os.Exit(1)
		}
	case "migrate":
		os.Exit(runMigrate(os.Args[2:], os.Stdout, os.Stderr))
	case "projector":
		os.Exit(runProjector(os.Args[2:], os.Stdout, os.Stderr))
	case "marketmaker":
		os.Exit(runMarketMaker(os.Args[2:], os.Stdout, os.Stderr))
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "lpx: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
}
