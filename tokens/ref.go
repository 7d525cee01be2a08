package tokens

import (
	"encoding/binary"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// Domain prefixes of the references: each kind of reference hashes its own
// prefix, so a deposit's reference never equals an issue's for the same
// log. Changing a prefix or the encoding changes every reference, and the
// engine would credit old deposits again: never do so for a chain that has
// been watched; add a v2 beside it instead.
const (
	depositRefDomain = "lpx-deposit-v1"
	issueRefDomain   = "lpx-issue-v1"
)

// DepositRef is the engine's key (an engine.Ref) for the deposit made by the
// log at logIndex (its index in the block, as eth_getLogs reports it) of
// transaction txHash on chain chainID; the engine credits each key once.
// It is
//
//	keccak256("lpx-deposit-v1" || uint64be(chainID) || txHash || uint64be(logIndex))
//
// where "lpx-deposit-v1" is the 14 ASCII bytes, uint64be an 8-byte
// big-endian integer and txHash its 32 bytes: 62 bytes hashed.
func DepositRef(chainID uint64, txHash common.Hash, logIndex uint) [32]byte {
	return ref(depositRefDomain, chainID, txHash, logIndex)
}

// IssueRef is the key of the mint, made by the log at logIndex of
// transaction txHash on chain chainID, that backs a brand's issue of
// points or coupons. It is DepositRef's encoding with the 12-byte prefix
// "lpx-issue-v1": 60 bytes hashed.
func IssueRef(chainID uint64, txHash common.Hash, logIndex uint) [32]byte {
	return ref(issueRefDomain, chainID, txHash, logIndex)
}

func ref(domain string, chainID uint64, txHash common.Hash, logIndex uint) [32]byte {
	var buf [len(depositRefDomain) + 8 + common.HashLength + 8]byte
	b := append(buf[:0], domain...)
	b = binary.BigEndian.AppendUint64(b, chainID)
	b = append(b, txHash[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(logIndex))
	return crypto.Keccak256Hash(b)
}
