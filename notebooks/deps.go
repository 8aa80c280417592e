//go:build notebooks

// Package notebooks holds no code: it names, for `go mod tidy`, the module that the notebooks
// import and the library does not (github.com/janpfeifer/must), so that a tidy keeps it in
// go.mod and the notebooks keep building. The build tag keeps it out of every normal build.
package notebooks

import _ "github.com/janpfeifer/must"
