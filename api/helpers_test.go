package api_test

import "github.com/lpx-exchange/lpx/cmd/lpx/node"

type nodeConfig = node.Config
