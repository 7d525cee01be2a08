package main

import (
	"fmt"
	"os"
)

const usage = `lpx: an exchange for loyalty points

Usage:
  lpx example    run a small exchange in the matching engine and print its events
  lpx help       show this help
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	switch os.Args[1] {
	case "example":
		if err := runExample(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "lpx example:", err)
			os.Exit(1)
		}
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "lpx: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
}
