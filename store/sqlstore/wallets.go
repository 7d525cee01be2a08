package sqlstore

import (
	"context"
)

// Wallet is a chain address an account proved it controls (a signed
// sign-in-with-Ethereum challenge, kept as Proof). Deposits are credited
// from linked wallets and withdrawals go only to them.
type Wallet struct {
	ChainID    uint64
	Address    string // 0x + 40 lowercase hex digits
	Account    uint32
	Proof      string
	VerifiedAt int64
}

// LinkWallet links address on chainID to account. Linking an address the
// account holds already refreshes its proof and time. ErrDuplicate: the
// address is linked to another account on that chain. ErrInvalid: an
// address that is not lowercase 0x + 40 hex, chain 0, an empty proof, an
// account that does not exist.
func (db *DB) LinkWallet(ctx context.Context, account uint32, chainID uint64, address, proof string, verifiedAt int64) error {
	return db.linkWallet(ctx, db.DB, account, chainID, address, proof, verifiedAt)
}

// linkWallet is LinkWallet on ex: the database or a transaction.
func (db *DB) linkWallet(ctx context.Context, ex execer, account uint32, chainID uint64, address, proof string, verifiedAt int64) error {
	chain, err := checkWalletLink(chainID, address, proof)
	if err != nil {
		return err
	}
	// One statement: a concurrent link of the same address cannot slip
	// between a read and a write.
	res, err := ex.ExecContext(ctx, db.q(`INSERT INTO wallets (chain_id, address, account_id, proof, verified_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (chain_id, address) DO UPDATE SET proof = excluded.proof, verified_at = excluded.verified_at
		WHERE wallets.account_id = excluded.account_id`),
		chain, address, int64(account), proof, verifiedAt)
	if err != nil {
		return dbErr(err, "link wallet %d/%s", chainID, address)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return dbErr(err, "link wallet %d/%s", chainID, address)
	}
	if n == 0 {
		return dbErr(ErrDuplicate, "wallet %d/%s is linked to another account", chainID, address)
	}
	return nil
}

// Wallet returns the link of address on chainID, or ErrNotFound.
func (db *DB) Wallet(ctx context.Context, chainID uint64, address string) (Wallet, error) {
	chain, err := checkChainAddress(chainID, address)
	if err != nil {
		return Wallet{}, err
	}
	row := db.DB.QueryRowContext(ctx, db.q("SELECT "+walletSelect+" FROM wallets WHERE chain_id = ? AND address = ?"), chain, address)
	w, err := scanWallet(row)
	return w, dbErr(err, "wallet %d/%s", chainID, address)
}

// ListWallets returns account's wallets by chain and address.
func (db *DB) ListWallets(ctx context.Context, account uint32) ([]Wallet, error) {
	list, err := queryList(ctx, db, scanWallet,
		"SELECT "+walletSelect+" FROM wallets WHERE account_id = ? ORDER BY chain_id, address", int64(account))
	return list, dbErr(err, "list wallets of account %d", account)
}

// UnlinkWallet removes account's link of address on chainID. ErrNotFound:
// account has no such link (another account's is not found either).
// Withdrawals already in the outbox keep their address.
func (db *DB) UnlinkWallet(ctx context.Context, account uint32, chainID uint64, address string) error {
	chain, err := checkChainAddress(chainID, address)
	if err != nil {
		return err
	}
	res, err := db.DB.ExecContext(ctx, db.q("DELETE FROM wallets WHERE chain_id = ? AND address = ? AND account_id = ?"),
		chain, address, int64(account))
	if err != nil {
		return dbErr(err, "unlink wallet %d/%s", chainID, address)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = ErrNotFound
		}
		return dbErr(err, "wallet %d/%s of account %d", chainID, address, account)
	}
	return nil
}

const walletSelect = "chain_id, address, account_id, proof, verified_at"

func scanWallet(r rowScanner) (Wallet, error) {
	var w Wallet
	var chain, account int64
	err := r.Scan(&chain, &w.Address, &account, &w.Proof, &w.VerifiedAt)
	w.ChainID, w.Account = uint64(chain), uint32(account)
	return w, err
}

// checkWalletLink refuses what LinkWallet refuses before asking the
// database (see checkChainAddress; an empty proof) and returns the chain
// id as bound.
func checkWalletLink(chainID uint64, address, proof string) (int64, error) {
	chain, err := checkChainAddress(chainID, address)
	if err != nil {
		return 0, err
	}
	if proof == "" {
		return 0, invalidf("wallet %s: empty proof", address)
	}
	return chain, nil
}

// checkChainAddress checks a chain id (1..2^63-1) and an address, and
// returns the chain id as bound.
func checkChainAddress(chainID uint64, address string) (int64, error) {
	if chainID == 0 {
		return 0, invalidf("chain id 0")
	}
	chain, err := int63("chain id", chainID)
	if err != nil {
		return 0, err
	}
	return chain, checkHex("address", address, 20)
}

// checkHex checks that s is 0x followed by 2*n lowercase hex digits (an
// address for n = 20, a hash for n = 32), as the schema stores them.
func checkHex(what, s string, n int) error {
	ok := len(s) == 2+2*n && s[0] == '0' && s[1] == 'x'
	for i := 2; ok && i < len(s); i++ {
		c := s[i]
		ok = '0' <= c && c <= '9' || 'a' <= c && c <= 'f'
	}
	if !ok {
		return invalidf("%s %q: want 0x and %d lowercase hex digits", what, s, 2*n)
	}
	return nil
}
