// Package static holds Rebote's stylesheet, script and icons, embedded in
// the binary.
package static

import "embed"

// Files are the static assets, served under /static/.
//
// It stays an exported variable, as the style guide's data packages do,
// though the rule is no exported mutable globals: an embed.FS is
// read-only, so no importer can change the files it holds.
//
//go:embed *.css *.js *.svg *.png
var Files embed.FS
