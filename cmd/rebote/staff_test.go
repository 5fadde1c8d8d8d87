package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/servinetwork/rebote/staff"
	"github.com/servinetwork/rebote/store"
)

const testPassword = "una contraseña larga"

// runStaff runs "rebote staff ARGS..." with stdin and returns what it
// printed.
func runStaff(tb testing.TB, stdin string, args ...string) (stdout, stderr string, err error) {
	tb.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), append([]string{"staff"}, args...), noEnv, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

// mustRunStaff is runStaff for commands that must succeed.
func mustRunStaff(tb testing.TB, stdin string, args ...string) (stdout, stderr string) {
	tb.Helper()
	stdout, stderr, err := runStaff(tb, stdin, args...)
	if err != nil {
		tb.Fatalf("rebote staff %s: %v\nstderr: %s", strings.Join(args, " "), err, stderr)
	}
	return stdout, stderr
}

// openAccounts opens the database the command wrote, as the server would.
func openAccounts(tb testing.TB, path string) *staff.Accounts {
	tb.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return staff.New(db)
}

func TestStaffAddCreatesAnAccountThatSignsIn(t *testing.T) {
	tests := []struct{ name, stdin string }{
		{"line", testPassword + "\n"},
		{"windows line", testPassword + "\r\n"},
		{"no newline", testPassword},
		{"only the first line", testPassword + "\nsegunda línea\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rebote.db")
			out, _ := mustRunStaff(t, tt.stdin, "add", "--db", path, "ana")
			if want := "Cuenta ana creada.\n"; out != want {
				t.Errorf("stdout = %q, want %q", out, want)
			}
			if _, err := openAccounts(t, path).SignIn(context.Background(), "ana", testPassword); err != nil {
				t.Errorf("signing in with the password given: %v", err)
			}
		})
	}
}

func TestStaffUsesDatabaseFromEnvironment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "env.db")
	env := func(k string) string {
		if k == "REBOTE_DB" {
			return path
		}
		return ""
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"staff", "add", "ana"}, env, strings.NewReader(testPassword+"\n"), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := openAccounts(t, path).SignIn(context.Background(), "ana", testPassword); err != nil {
		t.Errorf("account not in $REBOTE_DB: %v", err)
	}
}

func TestStaffAddRefuses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rebote.db")
	mustRunStaff(t, testPassword+"\n", "add", "--db", path, "ana")

	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string // in the error
	}{
		{"taken name", "otra contraseña larga\n", []string{"add", "--db", path, "ana"}, "already exists"},
		{"short password", "corta\n", []string{"add", "--db", path, "bruno"}, "at least 12 characters"},
		{"empty input", "", []string{"add", "--db", path, "bruno"}, "no password"},
		{"invalid name", testPassword + "\n", []string{"add", "--db", path, "Bruno García"}, "not a valid name"},
		{"no name", testPassword + "\n", []string{"add", "--db", path}, "usage"},
		{"two names", testPassword + "\n", []string{"add", "--db", path, "bruno", "carla"}, "usage"},
		{"unknown command", "", []string{"borrar", "--db", path, "ana"}, "unknown staff command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := runStaff(t, tt.stdin, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one saying %q", err, tt.want)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
		})
	}

	// Nothing was created, and ana's password is unchanged.
	a := openAccounts(t, path)
	if _, err := a.SignIn(context.Background(), "bruno", "corta"); !errors.Is(err, staff.ErrBadCredentials) {
		t.Errorf("bruno signs in after refused adds: %v", err)
	}
	if _, err := a.SignIn(context.Background(), "ana", testPassword); err != nil {
		t.Errorf("ana's password changed by a refused add: %v", err)
	}
}

func TestStaffPassword(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rebote.db")
	mustRunStaff(t, testPassword+"\n", "add", "--db", path, "ana")
	// Issue 13 item 9: a password change ends the sessions and tokens
	// opened with the old one.
	a := openAccounts(t, path)
	session, err := a.SignIn(ctx, "ana", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := a.NewAPIToken(ctx, "ana")
	if err != nil {
		t.Fatal(err)
	}

	const newPassword = "la nueva contraseña"
	out, _ := mustRunStaff(t, newPassword+"\n", "password", "--db", path, "ana")
	if want := "Contraseña de ana cambiada; 1 sesión cerrada y 1 token de API revocado.\n"; out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
	if _, err := a.SignIn(ctx, "ana", testPassword); !errors.Is(err, staff.ErrBadCredentials) {
		t.Errorf("old password after the change: %v, want ErrBadCredentials", err)
	}
	if _, err := a.Session(ctx, session); !errors.Is(err, staff.ErrNoSession) {
		t.Errorf("session opened with the old password: %v, want ErrNoSession", err)
	}
	if _, err := a.APIToken(ctx, token); !errors.Is(err, staff.ErrBadToken) {
		t.Errorf("API token made before the change: %v, want ErrBadToken", err)
	}
	if _, err := a.SignIn(ctx, "ana", newPassword); err != nil {
		t.Errorf("new password: %v", err)
	}

	if _, _, err := runStaff(t, newPassword+"\n", "password", "--db", path, "bruno"); err == nil || !strings.Contains(err.Error(), "no account") {
		t.Errorf("password for an unknown name: %v, want no account", err)
	}
	if _, _, err := runStaff(t, "corta\n", "password", "--db", path, "ana"); err == nil || !strings.Contains(err.Error(), "at least 12") {
		t.Errorf("short new password: %v, want at least 12", err)
	}
	if _, err := a.SignIn(ctx, "ana", newPassword); err != nil {
		t.Errorf("a refused change altered the password: %v", err)
	}
}

// Issue 13 item 9: rebote staff disable NAME ends the account's sessions
// and tokens and stops it signing in; enable lets it in again.
func TestStaffDisableAndEnable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rebote.db")
	mustRunStaff(t, testPassword+"\n", "add", "--db", path, "ana")
	a := openAccounts(t, path)
	var sessions []string
	for range 2 {
		s, err := a.SignIn(ctx, "ana", testPassword)
		if err != nil {
			t.Fatal(err)
		}
		sessions = append(sessions, s)
	}
	_, token, err := a.NewAPIToken(ctx, "ana")
	if err != nil {
		t.Fatal(err)
	}

	out, _ := mustRunStaff(t, "", "disable", "--db", path, "ana")
	if want := "Cuenta ana desactivada; 2 sesiones cerradas y 1 token de API revocado. Para reactivarla: rebote staff enable ana\n"; out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
	for _, s := range sessions {
		if _, err := a.Session(ctx, s); !errors.Is(err, staff.ErrNoSession) {
			t.Errorf("session of a disabled account: %v, want ErrNoSession", err)
		}
	}
	if _, err := a.APIToken(ctx, token); !errors.Is(err, staff.ErrBadToken) {
		t.Errorf("token of a disabled account: %v, want ErrBadToken", err)
	}
	if _, err := a.SignIn(ctx, "ana", testPassword); !errors.Is(err, staff.ErrBadCredentials) {
		t.Errorf("disabled account signs in: %v, want ErrBadCredentials", err)
	}
	if _, _, err := runStaff(t, "", "disable", "--db", path, "bruno"); err == nil || !strings.Contains(err.Error(), "no account") {
		t.Errorf("disable of an unknown name: %v, want no account", err)
	}

	out, _ = mustRunStaff(t, "", "enable", "--db", path, "ana")
	if !strings.HasPrefix(out, "Cuenta ana reactivada") {
		t.Errorf("enable: stdout %q", out)
	}
	if _, err := a.SignIn(ctx, "ana", testPassword); err != nil {
		t.Errorf("enabled account: %v", err)
	}
	if _, err := a.Session(ctx, sessions[0]); !errors.Is(err, staff.ErrNoSession) {
		t.Errorf("a session ended by disable came back with enable: %v", err)
	}
}

func TestStaffTokenListRevoke(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rebote.db")
	mustRunStaff(t, testPassword+"\n", "add", "--db", path, "ana")

	out, note := mustRunStaff(t, "", "token", "--db", path, "ana")
	// Standard output is the token and nothing else, for scripts.
	token := strings.TrimSuffix(out, "\n")
	if !strings.HasPrefix(token, "rbt_") || strings.ContainsAny(token, " \n") {
		t.Fatalf("stdout = %q, want one line with the token", out)
	}
	if !strings.Contains(note, "rebote staff revoke 1") {
		t.Errorf("stderr = %q, want how to revoke token 1", note)
	}
	a := openAccounts(t, path)
	if got, err := a.APIToken(ctx, token); err != nil || got != "ana" {
		t.Fatalf("APIToken(printed token) = %q, %v, want ana", got, err)
	}

	list, _ := mustRunStaff(t, "", "list", "--db", path)
	if strings.Contains(list, token) || strings.Contains(list, token[len("rbt_"):]) {
		t.Errorf("list shows the token:\n%s", list)
	}
	if !strings.Contains(list, "ana") || !strings.Contains(list, "no\n") {
		t.Errorf("list does not show ana's live token:\n%s", list)
	}

	out, _ = mustRunStaff(t, "", "revoke", "--db", path, "1")
	if want := "Token de API 1 revocado.\n"; out != want {
		t.Errorf("revoke stdout = %q, want %q", out, want)
	}
	if _, err := a.APIToken(ctx, token); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("APIToken after revoke: %v, want ErrNotFound", err)
	}
	list, _ = mustRunStaff(t, "", "list", "--db", path)
	if !strings.Contains(list, "sí\n") {
		t.Errorf("list does not show the token as revoked:\n%s", list)
	}

	for _, args := range [][]string{
		{"revoke", "--db", path, "1"},   // already revoked
		{"revoke", "--db", path, "7"},   // never existed
		{"revoke", "--db", path, "uno"}, // not a number
		{"token", "--db", path, "bruno"},
	} {
		if out, _, err := runStaff(t, "", args...); err == nil || out != "" {
			t.Errorf("rebote staff %s = %q, %v; want an error and no output", strings.Join(args, " "), out, err)
		}
	}
}

func TestStaffListEmpty(t *testing.T) {
	out, _ := mustRunStaff(t, "", "list", "--db", filepath.Join(t.TempDir(), "rebote.db"))
	if want := "No hay tokens de API.\n"; out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
}
