// Package migrations holds the SQLite schema as numbered SQL files, applied
// in order at start-up by package store (through pressly/goose). Applied
// files are never edited: a change is a new file.
package migrations

import "embed"

// Files are the migration files.
//
// It stays an exported variable, as the style guide's data packages do,
// though the rule is no exported mutable globals: an embed.FS is
// read-only, so no importer can change the files it holds.
//
//go:embed *.sql
var Files embed.FS
