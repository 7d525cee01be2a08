//go:build !unix

package loadtest

// raiseFileLimit does nothing where there is no such limit to raise.
func raiseFileLimit(uint64) error { return nil }
