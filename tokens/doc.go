// Package tokens is the Go side of the chain, where brand points and
// coupons are ERC-20 tokens. Generated contract bindings live in
// tokens/bindings and the embedded development chain in tokens/devchain;
// this package holds what the exchange needs around them:
//
//   - Wallet links. A user proves they hold a wallet by signing a
//     Challenge with EIP-191 personal_sign (a message in the manner of
//     Sign-In with Ethereum, but deliberately not one); VerifyLink checks
//     the message, its time window and the signer. This package keeps no
//     state: the caller checks it issued the challenge and spends its
//     nonce once (the Redis Nonces store), remembering it for NonceTTL.
//
//   - Units. On chain an amount is a uint256 at the token's decimals; in
//     the engine it is int64 units at the asset's scale; at the API it is
//     a decimal string. ToUnits, FromUnits, ParseDecimal and FormatUnits
//     convert exactly and refuse, never round, anything that does not fit
//     (ToUnits reports the dust below one unit, which is never credited).
//
//   - References. DepositRef and IssueRef digest (chain id, tx hash, log
//     index) into the 32-byte engine.Ref by which the engine credits each
//     deposit once. Their encoding is fixed: changing it would credit old
//     deposits again.
//
//   - The withdrawal Sender: for each withdrawal the engine holds, it
//     signs an ERC-20 transfer from the vault with a nonce it tracks in
//     SQL, stores the signed transaction before broadcasting it,
//     broadcasts the same bytes again until a receipt arrives, and after
//     the confirmations completes the withdrawal in the engine (a reverted
//     transfer fails it: the engine refunds). It declares what it needs
//     (SenderChain, SenderStore, Settler); cmd/lpx/node adapts the real
//     chain, SQL and engine.
//
//   - The deposit Watcher: it reads Transfer logs of every registered
//     token to the vault from linked wallets, records those in the
//     unconfirmed range as pending (with their confirmation count) and
//     marks the ones a reorg dropped, credits confirmed ones in the engine
//     under DepositRef (so a log seen twice credits once), records dust
//     and never credits it, and keeps its cursor and the cursor block's
//     hash in SQL, rewinding when the hash no longer matches.
//
//   - The Issuer mints to the vault to back a brand's issue and credits
//     the customer only once the mint is confirmed; the SupplyReporter
//     tells the engine each token's on-chain supply for the liabilities.
//     Brand programs (programs.go): deploy through the factory, inspect an
//     existing token, mint, burn from the vault, total supply.
//
// Apart from the Watcher, the Sender, the Issuer and the SupplyReporter,
// which talk to the chain (the Sender and the Issuer holding the vault
// key), nothing here does I/O, reads the clock or holds a key: time arrives as
// an argument, and the only randomness is a challenge's nonce
// (crypto/rand).
package tokens
