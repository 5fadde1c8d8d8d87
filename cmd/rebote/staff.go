package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/servinetwork/rebote/staff"
	"github.com/servinetwork/rebote/store"
)

const staffUsage = `usage:
  rebote staff add [--db PATH] NAME        create a staff account
  rebote staff password [--db PATH] NAME   change an account's password (ends its sessions and API tokens)
  rebote staff disable [--db PATH] NAME    stop an account signing in; ends its sessions and API tokens
  rebote staff enable [--db PATH] NAME     let a disabled account sign in again
  rebote staff token [--db PATH] NAME      create an API token and print it (only the token, on standard output)
  rebote staff revoke [--db PATH] ID       revoke an API token
  rebote staff list [--db PATH]            list API tokens (never the tokens themselves)

The password is asked for twice on a terminal; otherwise it is the first
line of standard input. NAME is 1 to 64 characters of a-z, 0-9, '.', '_' or '-'.
The database is --db or $REBOTE_DB.`

// staffCmd is "rebote staff SUBCOMMAND": it manages staff accounts and API
// tokens in the database, for the people who run the server.
func staffCmd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("which staff command?\n%s", staffUsage)
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stdout, staffUsage)
		return nil
	case "add", "password", "disable", "enable", "token", "revoke", "list":
	default:
		return fmt.Errorf("unknown staff command %q\n%s", sub, staffUsage)
	}
	cfg, args, err := parseConfig("staff "+sub, args, getenv, stderr)
	if err != nil {
		return err
	}
	wantArgs := 1
	if sub == "list" {
		wantArgs = 0
	}
	if len(args) != wantArgs {
		return fmt.Errorf("wrong number of arguments for %q\n%s", sub, staffUsage)
	}
	var arg string
	if wantArgs == 1 {
		arg = args[0]
	}
	// Check what can be checked before asking for a password.
	if sub != "revoke" && sub != "list" && !staff.ValidName(arg) {
		return fmt.Errorf("%q is not a valid name: use 1 to 64 characters of a-z, 0-9, '.', '_' or '-'", arg)
	}
	var tokenID int64
	if sub == "revoke" {
		if tokenID, err = strconv.ParseInt(arg, 10, 64); err != nil {
			return fmt.Errorf("%q is not a token id (rebote staff list shows them)", arg)
		}
	}

	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	accounts := staff.New(db)

	switch sub {
	case "add":
		return staffAdd(ctx, db, accounts, arg, stdin, stdout, stderr)
	case "password":
		return staffPassword(ctx, db, accounts, arg, stdin, stdout, stderr)
	case "disable":
		return staffDisable(ctx, accounts, arg, stdout)
	case "enable":
		return staffEnable(ctx, accounts, arg, stdout)
	case "token":
		return staffToken(ctx, accounts, arg, stdout, stderr)
	case "revoke":
		return staffRevoke(ctx, accounts, tokenID, stdout)
	default:
		return staffList(ctx, accounts, stdout)
	}
}

func staffAdd(ctx context.Context, db *store.DB, accounts *staff.Accounts, name string, stdin io.Reader, stdout, stderr io.Writer) error {
	// Refuse a taken name before asking for a password that would be
	// thrown away.
	if _, err := db.StaffByName(ctx, name); err == nil {
		return accountExists(name)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	password, err := readPassword(ctx, name, stdin, stderr)
	if err != nil {
		return err
	}
	err = accounts.Add(ctx, name, password)
	switch {
	case errors.Is(err, store.ErrExists):
		return accountExists(name)
	case errors.Is(err, staff.ErrWeakPassword):
		return errWeakPassword
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "Cuenta %s creada.\n", name)
	return nil
}

func staffPassword(ctx context.Context, db *store.DB, accounts *staff.Accounts, name string, stdin io.Reader, stdout, stderr io.Writer) error {
	if _, err := db.StaffByName(ctx, name); errors.Is(err, store.ErrNotFound) {
		return noAccount(name)
	} else if err != nil {
		return err
	}
	password, err := readPassword(ctx, name, stdin, stderr)
	if err != nil {
		return err
	}
	ended, err := accounts.SetPassword(ctx, name, password)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return noAccount(name)
	case errors.Is(err, staff.ErrWeakPassword):
		return errWeakPassword
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "Contraseña de %s cambiada; %s.\n", name, endedText(ended))
	return nil
}

// staffDisable stops an account signing in and ends its access at once,
// for someone who left or a password that leaked.
func staffDisable(ctx context.Context, accounts *staff.Accounts, name string, stdout io.Writer) error {
	ended, err := accounts.Disable(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return noAccount(name)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Cuenta %s desactivada; %s. Para reactivarla: rebote staff enable %s\n", name, endedText(ended), name)
	return nil
}

func staffEnable(ctx context.Context, accounts *staff.Accounts, name string, stdout io.Writer) error {
	err := accounts.Enable(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return noAccount(name)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Cuenta %s reactivada: puede entrar con su contraseña.\n", name)
	return nil
}

// endedText says in Spanish what ending an account's access closed.
func endedText(e store.AccessEnded) string {
	plural := func(n int64, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.FormatInt(n, 10) + " " + many
	}
	return plural(e.Sessions, "sesión cerrada", "sesiones cerradas") + " y " + plural(e.Tokens, "token de API revocado", "tokens de API revocados")
}

// staffToken prints only the token on standard output, so a script can
// capture it; the advice goes to standard error.
func staffToken(ctx context.Context, accounts *staff.Accounts, name string, stdout, stderr io.Writer) error {
	id, token, err := accounts.NewAPIToken(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return noAccount(name)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, token)
	fmt.Fprintf(stderr, "Token de API %d para %s. Guárdalo ahora: no se puede volver a mostrar.\nPara revocarlo: rebote staff revoke %d\n", id, name, id)
	return nil
}

func staffRevoke(ctx context.Context, accounts *staff.Accounts, id int64, stdout io.Writer) error {
	err := accounts.Revoke(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("there is no live API token with id %d (rebote staff list shows them)", id)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Token de API %d revocado.\n", id)
	return nil
}

func staffList(ctx context.Context, accounts *staff.Accounts, stdout io.Writer) error {
	tokens, err := accounts.Tokens(ctx)
	if err != nil {
		return err
	}
	if len(tokens) == 0 {
		fmt.Fprintln(stdout, "No hay tokens de API.")
		return nil
	}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tCUENTA\tCREADO (UTC)\tREVOCADO")
	for _, t := range tokens {
		revoked := "no"
		if t.Revoked {
			revoked = "sí"
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", t.ID, t.StaffName, t.CreatedAt.UTC().Format("2006-01-02 15:04"), revoked)
	}
	return w.Flush()
}

var errWeakPassword = errors.New("the password is too short: it must have at least 12 characters")

func accountExists(name string) error {
	return fmt.Errorf("an account named %q already exists (rebote staff password %s changes its password)", name, name)
}

func noAccount(name string) error {
	return fmt.Errorf("there is no account named %q (rebote staff add %s creates it)", name, name)
}

// readPassword asks for the password of account name twice, without echo,
// when stdin is a terminal; otherwise it reads the first line, so scripts
// can pipe it in.
func readPassword(ctx context.Context, name string, stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fd := int(f.Fd())
		first, err := promptPassword(ctx, fd, stderr, "Contraseña para "+name+": ")
		if err != nil {
			return "", err
		}
		second, err := promptPassword(ctx, fd, stderr, "Repite la contraseña para "+name+": ")
		if err != nil {
			return "", err
		}
		if first != second {
			return "", errors.New("the two passwords are different; nothing was changed")
		}
		return first, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the password from standard input: %w", err)
	}
	if line == "" {
		return "", errors.New("no password: standard input is empty (type it on a terminal, or send it as the first line)")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// promptPassword reads one password from the terminal fd without echo. It
// gives up when ctx ends: main catches Ctrl-C to cancel ctx, so a read
// that ignored it could never be interrupted. The terminal is put back
// as it was either way.
func promptPassword(ctx context.Context, fd int, stderr io.Writer, prompt string) (string, error) {
	state, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	fmt.Fprint(stderr, prompt)
	type result struct {
		password []byte
		err      error
	}
	done := make(chan result, 1)
	go func() {
		p, err := term.ReadPassword(fd)
		done <- result{p, err}
	}()
	select {
	case r := <-done:
		fmt.Fprintln(stderr) // the Enter the user typed was not echoed
		if r.err != nil {
			return "", fmt.Errorf("reading the password: %w", r.err)
		}
		return string(r.password), nil
	case <-ctx.Done():
		term.Restore(fd, state)
		fmt.Fprintln(stderr)
		return "", errors.New("interrupted; nothing was changed")
	}
}
