// Command lpx is the one binary of the exchange. Its subcommands: example
// runs a small exchange in the matching engine and prints what happens;
// migrate applies, reverts, shows and forces the SQL schema's version;
// projector rebuild recreates the SQL history from the event log. serve
// and the others arrive with the parts they run (see ../../README.md).
package main
