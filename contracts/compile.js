// Compiles the contracts with the solc npm package (solc-js, pinned in package.json) through
// its standard JSON interface and writes build/<Contract>.abi and build/<Contract>.bin.
// The settings make the output byte-identical run to run and machine to machine: fixed
// compiler, optimizer and EVM version, source names relative to this directory, and no
// metadata hash appended to the bytecode. Run it through build.sh.
"use strict";

const fs = require("fs");
const path = require("path");
const solc = require("solc");

const EXPECTED_SOLC = "0.8.37";
const SOURCES = ["LoyaltyToken.sol", "TokenFactory.sol"];
const CONTRACTS = [
  ["LoyaltyToken.sol", "LoyaltyToken"],
  ["TokenFactory.sol", "TokenFactory"],
];

const here = __dirname;
const outDir = path.join(here, "build");

const version = solc.version();
if (!version.startsWith(EXPECTED_SOLC + "+")) {
  console.error(`compile.js: solc ${version} is installed, want ${EXPECTED_SOLC}; run npm ci`);
  process.exit(1);
}

const input = {
  language: "Solidity",
  sources: Object.fromEntries(
    SOURCES.map((name) => [name, { content: fs.readFileSync(path.join(here, name), "utf8") }]),
  ),
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
    metadata: { bytecodeHash: "none" },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
};

// Imports resolve against node_modules only (e.g. "@openzeppelin/contracts/...").
function findImports(importPath) {
  const file = path.join(here, "node_modules", importPath);
  try {
    return { contents: fs.readFileSync(file, "utf8") };
  } catch (err) {
    return { error: `${importPath}: ${err.message}` };
  }
}

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));

let failed = false;
for (const diag of output.errors || []) {
  console.error(diag.formattedMessage || diag.message);
  if (diag.severity === "error") failed = true;
}
if (failed) process.exit(1);

fs.mkdirSync(outDir, { recursive: true });
for (const [source, name] of CONTRACTS) {
  const contract = output.contracts?.[source]?.[name];
  if (!contract || !contract.evm.bytecode.object) {
    console.error(`compile.js: no bytecode for ${source}:${name}`);
    process.exit(1);
  }
  fs.writeFileSync(path.join(outDir, `${name}.abi`), JSON.stringify(contract.abi, null, 2) + "\n");
  // No trailing newline: abigen embeds the file's bytes verbatim.
  fs.writeFileSync(path.join(outDir, `${name}.bin`), contract.evm.bytecode.object);
}
console.log(`compiled ${CONTRACTS.map(([, n]) => n).join(", ")} with solc ${version}`);
