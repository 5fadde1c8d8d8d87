package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/servinetwork/rebote/store"
)

const dbUsage = `usage:
  rebote db copy --from SQLITE_FILE --to postgres://...
      move a SQLite history (events, rollups, staff accounts, sessions, API
      tokens) into an empty PostgreSQL database, then compare the counts`

// dbCmd is "rebote db": operations on the database itself. Stop the
// servers that use either database while it runs.
func dbCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "copy" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(stdout, dbUsage)
			return nil
		}
		return errors.New(dbUsage)
	}
	fs := flag.NewFlagSet("rebote db copy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the SQLite file to copy from (it is not changed)")
	to := fs.String("to", "", "the database to copy into, empty: a postgres:// URL (or another SQLite file)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 || *from == "" || *to == "" {
		return errors.New(dbUsage)
	}
	if !store.IsPostgres(*from) {
		// Open would create a missing file: a typo must not copy nothing.
		if _, err := os.Stat(*from); err != nil {
			return fmt.Errorf("db copy: %w", err)
		}
	}
	if *from == *to {
		return errors.New("db copy: --from and --to are the same database")
	}
	src, err := store.Open(ctx, *from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := store.Open(ctx, *to)
	if err != nil {
		return err
	}
	defer dst.Close()
	counts, err := store.Copy(ctx, src, dst)
	for _, c := range counts {
		mark := "ok"
		if c.Source != c.Target {
			mark = "DIFFERS"
		}
		fmt.Fprintf(stdout, "%-24s %12d → %12d  %s\n", c.Table, c.Source, c.Target, mark)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "copied %s into %s; the counts match\n", store.Redact(*from), store.Redact(*to))
	return nil
}
