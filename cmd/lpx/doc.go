// Command lpx is the one binary of the exchange. Today it has one
// subcommand, example, which runs a small exchange in the matching engine
// and prints what happens; serve, migrate and the others arrive with the
// parts they run (see ../../README.md).
package main
