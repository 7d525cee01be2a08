// Package client is a Go client of lpx's REST API: it signs requests with
// an API key (Ed25519 or HMAC-SHA256, as package api verifies them) or
// sends a web session's token, and turns error answers into *Error with
// the API's stable codes. Load tests, the demo and the end-to-end tests
// use it; so can a market maker's bot.
package client
