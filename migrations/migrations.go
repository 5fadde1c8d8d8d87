// Package migrations holds the schema as numbered SQL files, applied in
// order at start-up by package store (through pressly/goose): the SQLite
// files here, PostgreSQL's in postgres/. Both lists carry the same
// version numbers, so a database's version means the same schema on
// either engine; a change that is portable SQL is the same statement in
// both files. Applied files are never edited: a change is a new file.
package migrations

import "embed"

// Files are the SQLite migration files.
//
// It stays an exported variable, as the style guide's data packages do,
// though the rule is no exported mutable globals: an embed.FS is
// read-only, so no importer can change the files it holds.
//
//go:embed *.sql
var Files embed.FS

// Postgres are the PostgreSQL migration files, in the directory postgres.
//
//go:embed postgres/*.sql
var Postgres embed.FS
