// Package devchain runs the embedded development chain: an in-process
// go-ethereum node built the way `geth --dev` builds one (node.New, eth.New
// with a developer genesis, and the simulated beacon sealing a block every
// period), with its JSON-RPC served over HTTP on loopback for wallets and
// tools. It is lpx's default chain when no LPX_ETH_RPC_URL is given; any
// other EVM JSON-RPC endpoint replaces it by URL.
//
// What it owns: one directory (Config.DataDir). In it are the developer key
// (file "devkey", hex, mode 0600, generated once) and the node's data
// ("geth/chaindata", the layout geth uses). A Chain holds the directory's
// lock while it runs; a second Start on the same directory fails.
//
// What it guarantees: Start on the same directory reopens the same chain,
// with its blocks, contracts and balances, at a block number not lower than
// before, with the same developer key, which the genesis funded; after
// Close, and also after a crash (kill -9): unlike geth --dev, every block
// and its state are on disk (fsynced) once the block is the head, at the
// cost of keeping every block's state (a few KiB a block). Blocks are sealed every Period (at least one second,
// so that block timestamps follow the wall clock: the beacon gives every
// block the current Unix second, or its parent's plus one, so blocks
// faster than a second would run the chain's clock ahead of real time and
// on-chain coupon expiry would fire before the engine's).
//
// What it must never do: log or return the developer key other than by
// DevKey; listen on anything but loopback; serve APIs beyond eth, net and
// web3 over HTTP (no account, admin, debug or personal namespaces, and no
// unlocked accounts: every transaction arrives signed). It is a
// development chain: one node, no peers, no finality beyond its own word.
// ethclient/simulated, which starts again from block 0 every time, is for
// tests only.
package devchain
