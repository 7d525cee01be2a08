package sqlstore

import (
	"context"
)

// CreateAccountWithWallet stores a new account and links wallet w to it in
// one transaction, as a first sign-in with Ethereum does: either both are
// stored or neither, so no account is left without the wallet it was made
// for. w.Account is the new account (0 is taken to mean a.ID); w.Proof and
// w.VerifiedAt are as in LinkWallet.
//
// ErrDuplicate: the wallet is linked already (to any account) or a.ID is
// taken, and nothing was stored; the message says which, and Wallet tells
// a caller racing another sign-in of the same wallet which account won.
// ErrInvalid: what CreateAccount or LinkWallet refuse, or a w.Account that
// is neither 0 nor a.ID.
func (db *DB) CreateAccountWithWallet(ctx context.Context, a Account, w Wallet) error {
	if err := checkAccount(a); err != nil {
		return err
	}
	if w.Account != 0 && w.Account != a.ID {
		return invalidf("wallet %d/%s names account %d, not the new account %d", w.ChainID, w.Address, w.Account, a.ID)
	}
	if _, err := checkWalletLink(w.ChainID, w.Address, w.Proof); err != nil {
		return err
	}
	tx, err := db.DB.BeginTx(ctx, nil)
	if err != nil {
		return dbErr(err, "create account %d with wallet %d/%s", a.ID, w.ChainID, w.Address)
	}
	defer tx.Rollback()
	if err := db.createAccount(ctx, tx, a); err != nil {
		return err
	}
	// The account is new, so LinkWallet's refresh of a link the account
	// holds already cannot happen: any existing link is another account's
	// and comes back as ErrDuplicate, rolling the account back.
	if err := db.linkWallet(ctx, tx, a.ID, w.ChainID, w.Address, w.Proof, w.VerifiedAt); err != nil {
		return err
	}
	return dbErr(tx.Commit(), "create account %d with wallet %d/%s", a.ID, w.ChainID, w.Address)
}
