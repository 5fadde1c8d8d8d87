// Package migrations holds the SQLite schema as numbered SQL files, applied
// in order at start-up by package store (through pressly/goose). Applied
// files are never edited: a change is a new file.
package migrations

import "embed"

// Files are the migration files.
//
//go:embed *.sql
var Files embed.FS
