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
  lpx demo       tell a scripted story against a server in the demo mode, or one started in-process (lpx demo -h)
  lpx account    make an account and its API key on a running server (lpx account -h)
  lpx market     create, halt, resume, set fees of and list markets (lpx market -h)
  lpx token      a brand's token programs and issuance: deploy, register, issue, list (lpx token -h)
  lpx snapshot   have a running server write a snapshot now (lpx snapshot -h)
  lpx verify-journal  replay a stopped server's journal and check it (lpx verify-journal -h)
  lpx loadtest   drive a server with consumers, makers and subscribers; measure it and check nothing is lost (lpx loadtest -h)
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
	case "demo":
		os.Exit(runDemo(os.Args[2:], os.Stdout, os.Stderr))
	case "account":
		os.Exit(runAccount(os.Args[2:], os.Stdout, os.Stderr))
	case "market":
		os.Exit(runMarket(os.Args[2:], os.Stdout, os.Stderr))
	case "token":
		os.Exit(runToken(os.Args[2:], os.Stdout, os.Stderr))
	case "snapshot":
		os.Exit(runSnapshot(os.Args[2:], os.Stdout, os.Stderr))
	case "verify-journal":
		os.Exit(runVerifyJournal(os.Args[2:], os.Stdout, os.Stderr))
	case "loadtest":
		os.Exit(runLoadtest(os.Args[2:], os.Stdout, os.Stderr))
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "lpx: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
}
