package staff_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/servinetwork/rebote/staff"
	"github.com/servinetwork/rebote/store"
	"github.com/servinetwork/rebote/store/storetest"
)

const password = "una contraseña larga"

// clock is a settable time for the database and the accounts.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// newAccounts opens a fresh database file and returns accounts on it, whose
// time is the returned clock's.
func newAccounts(tb testing.TB) (*staff.Accounts, *clock, string) {
	tb.Helper()
	dir := tb.TempDir()
	return accountsAt(tb, dir, filepath.Join(dir, "rebote.db"))
}

// eachBackend runs test once per backend (storetest.Backends), each with
// a newAccounts on a new, empty database of that kind.
func eachBackend(t *testing.T, test func(t *testing.T, newAccounts func(testing.TB) (*staff.Accounts, *clock, string))) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			test(t, func(tb testing.TB) (*staff.Accounts, *clock, string) { return accountsAt(tb, tb.TempDir(), b.New(tb)) })
		})
	}
}

func accountsAt(tb testing.TB, dir, target string) (*staff.Accounts, *clock, string) {
	tb.Helper()
	db, err := store.Open(context.Background(), target)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	db.Now = c.now
	return staff.New(db), c, dir
}

func mustAdd(tb testing.TB, a *staff.Accounts, name, password string) {
	tb.Helper()
	if err := a.Add(context.Background(), name, password); err != nil {
		tb.Fatalf("Add(%q): %v", name, err)
	}
}

func TestAddThenSignIn(t *testing.T) {
	eachBackend(t, func(t *testing.T, newAccounts func(testing.TB) (*staff.Accounts, *clock, string)) {
		ctx := context.Background()
		a, _, _ := newAccounts(t)
		mustAdd(t, a, "ana", password)

		token, err := a.SignIn(ctx, "ana", password)
		if err != nil {
			t.Fatalf("SignIn: %v", err)
		}
		// 32 random bytes in base64url without padding.
		if len(token) != 43 || strings.ContainsAny(token, "+/=") {
			t.Errorf("session token %q is not 32 bytes of unpadded base64url", token)
		}
		got, err := a.Session(ctx, token)
		if err != nil || got != "ana" {
			t.Errorf("Session(token) = %q, %v, want ana", got, err)
		}

		// Each sign-in is its own session.
		again, err := a.SignIn(ctx, "ana", password)
		if err != nil {
			t.Fatal(err)
		}
		if again == token {
			t.Error("two sign-ins got the same token")
		}
	})
}

func TestSignInRefusesBadCredentials(t *testing.T) {
	ctx := context.Background()
	a, _, _ := newAccounts(t)
	mustAdd(t, a, "ana", password)

	tests := []struct{ name, user, password string }{
		{"wrong password", "ana", "otra contraseña larga"},
		{"empty password", "ana", ""},
		{"unknown name", "bruno", password},
		{"name in another case", "Ana", password},
		{"empty name", "", password},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := a.SignIn(ctx, tt.user, tt.password)
			if !errors.Is(err, staff.ErrBadCredentials) {
				t.Errorf("SignIn(%q, %q) error = %v, want ErrBadCredentials", tt.user, tt.password, err)
			}
			if token != "" {
				t.Errorf("SignIn(%q, %q) returned token %q", tt.user, tt.password, token)
			}
		})
	}
}

func TestSessionExpires(t *testing.T) {
	eachBackend(t, func(t *testing.T, newAccounts func(testing.TB) (*staff.Accounts, *clock, string)) {
		ctx := context.Background()
		a, clock, _ := newAccounts(t)
		mustAdd(t, a, "ana", password)
		start := clock.t
		token, err := a.SignIn(ctx, "ana", password)
		if err != nil {
			t.Fatal(err)
		}

		clock.t = start.Add(staff.SessionLifetime - time.Minute)
		if got, err := a.Session(ctx, token); err != nil || got != "ana" {
			t.Errorf("a minute before expiry: Session = %q, %v, want ana", got, err)
		}
		clock.t = start.Add(staff.SessionLifetime)
		if got, err := a.Session(ctx, token); !errors.Is(err, staff.ErrNoSession) {
			t.Errorf("at expiry: Session = %q, %v, want ErrNoSession", got, err)
		}

		// Going back in time does not revive it: signing in again cleared the
		// expired session from the database.
		if _, err := a.SignIn(ctx, "ana", password); err != nil {
			t.Fatal(err)
		}
		clock.t = start
		if _, err := a.Session(ctx, token); !errors.Is(err, staff.ErrNoSession) {
			t.Errorf("expired session still in the database after a new sign-in: %v", err)
		}
	})
}

func TestSignOut(t *testing.T) {
	eachBackend(t, func(t *testing.T, newAccounts func(testing.TB) (*staff.Accounts, *clock, string)) {
		ctx := context.Background()
		a, _, _ := newAccounts(t)
		mustAdd(t, a, "ana", password)
		laptop, err := a.SignIn(ctx, "ana", password)
		if err != nil {
			t.Fatal(err)
		}
		phone, err := a.SignIn(ctx, "ana", password)
		if err != nil {
			t.Fatal(err)
		}

		if err := a.SignOut(ctx, laptop); err != nil {
			t.Fatalf("SignOut: %v", err)
		}
		if _, err := a.Session(ctx, laptop); !errors.Is(err, staff.ErrNoSession) {
			t.Errorf("Session after sign-out: %v, want ErrNoSession", err)
		}
		if got, err := a.Session(ctx, phone); err != nil || got != "ana" {
			t.Errorf("other session after sign-out = %q, %v, want ana", got, err)
		}
		if err := a.SignOut(ctx, laptop); err != nil {
			t.Errorf("signing out twice: %v", err)
		}
		if _, err := a.Session(ctx, "not a token"); !errors.Is(err, staff.ErrNoSession) {
			t.Errorf("Session(made-up token): %v, want ErrNoSession", err)
		}
	})
}

func TestAPITokens(t *testing.T) {
	eachBackend(t, func(t *testing.T, newAccounts func(testing.TB) (*staff.Accounts, *clock, string)) {
		ctx := context.Background()
		a, _, _ := newAccounts(t)
		mustAdd(t, a, "ana", password)
		mustAdd(t, a, "bruno", password)

		id, token, err := a.NewAPIToken(ctx, "ana")
		if err != nil {
			t.Fatalf("NewAPIToken: %v", err)
		}
		if !strings.HasPrefix(token, "rbt_") || len(token) != len("rbt_")+43 {
			t.Errorf("API token %q is not rbt_ and 32 bytes of base64url", token)
		}
		if got, err := a.APIToken(ctx, token); err != nil || got != "ana" {
			t.Errorf("APIToken = %q, %v, want ana", got, err)
		}
		brunoID, brunoToken, err := a.NewAPIToken(ctx, "bruno")
		if err != nil {
			t.Fatal(err)
		}

		// An API token is not a session, nor the other way round.
		if _, err := a.Session(ctx, token); !errors.Is(err, staff.ErrNoSession) {
			t.Errorf("API token accepted as a session: %v", err)
		}
		session, err := a.SignIn(ctx, "ana", password)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.APIToken(ctx, session); !errors.Is(err, staff.ErrBadToken) {
			t.Errorf("session accepted as an API token: %v", err)
		}

		if err := a.Revoke(ctx, id); err != nil {
			t.Fatalf("Revoke: %v", err)
		}
		if _, err := a.APIToken(ctx, token); !errors.Is(err, staff.ErrBadToken) {
			t.Errorf("revoked token: %v, want ErrBadToken", err)
		}
		if got, err := a.APIToken(ctx, brunoToken); err != nil || got != "bruno" {
			t.Errorf("another token after revoking = %q, %v, want bruno", got, err)
		}
		if err := a.Revoke(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoking twice: %v, want ErrNotFound", err)
		}
		if err := a.Revoke(ctx, 999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoking an unknown id: %v, want ErrNotFound", err)
		}

		list, err := a.Tokens(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []store.APIToken{
			{ID: id, StaffName: "ana", Revoked: true},
			{ID: brunoID, StaffName: "bruno", Revoked: false},
		}
		if len(list) != len(want) {
			t.Fatalf("Tokens = %+v, want %+v", list, want)
		}
		for i, got := range list {
			if got.ID != want[i].ID || got.StaffName != want[i].StaffName || got.Revoked != want[i].Revoked {
				t.Errorf("Tokens[%d] = %+v, want %+v", i, got, want[i])
			}
			if got.CreatedAt.IsZero() {
				t.Errorf("Tokens[%d] has no creation time", i)
			}
		}

		if _, _, err := a.NewAPIToken(ctx, "carla"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("NewAPIToken for an unknown name: %v, want ErrNotFound", err)
		}
	})
}

// Neither passwords nor tokens are written to disk, only their hashes.
func TestSecretsAreNotStored(t *testing.T) {
	ctx := context.Background()
	a, _, dir := newAccounts(t)
	mustAdd(t, a, "ana", password)
	session, err := a.SignIn(ctx, "ana", password)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := a.NewAPIToken(ctx, "ana")
	if err != nil {
		t.Fatal(err)
	}
	files, err := os.ReadDir(dir) // the database and its WAL
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{password, session, token} {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s contains the secret %q", f.Name(), secret)
			}
		}
	}
}

func TestWeakPasswordRefused(t *testing.T) {
	ctx := context.Background()
	a, _, _ := newAccounts(t)
	if err := a.Add(ctx, "ana", "corta123456"); !errors.Is(err, staff.ErrWeakPassword) {
		t.Errorf("Add with 11 characters: %v, want ErrWeakPassword", err)
	}
	if _, err := a.SignIn(ctx, "ana", "corta123456"); !errors.Is(err, staff.ErrBadCredentials) {
		t.Errorf("account created despite a weak password: %v", err)
	}
	// Characters, not bytes: "ñ" is two bytes but one character.
	if err := a.Add(ctx, "ana", "contraseñaaa"); err != nil {
		t.Errorf("Add with 12 characters: %v", err)
	}
	if _, err := a.SetPassword(ctx, "ana", "corta123456"); !errors.Is(err, staff.ErrWeakPassword) {
		t.Errorf("SetPassword with 11 characters: %v, want ErrWeakPassword", err)
	}
	if _, err := a.SignIn(ctx, "ana", "contraseñaaa"); err != nil {
		t.Errorf("refused weak password changed the old one: %v", err)
	}
}

func TestDuplicateNameRefused(t *testing.T) {
	eachBackend(t, func(t *testing.T, newAccounts func(testing.TB) (*staff.Accounts, *clock, string)) {
		ctx := context.Background()
		a, _, _ := newAccounts(t)
		mustAdd(t, a, "ana", password)
		if err := a.Add(ctx, "ana", "otra contraseña larga"); !errors.Is(err, store.ErrExists) {
			t.Errorf("Add of a taken name: %v, want ErrExists", err)
		}
		if _, err := a.SignIn(ctx, "ana", password); err != nil {
			t.Errorf("first account's password no longer works: %v", err)
		}
	})
}

func TestInvalidNameRefused(t *testing.T) {
	a, _, _ := newAccounts(t)
	if err := a.Add(context.Background(), "Ana García", password); err == nil {
		t.Error("Add accepted an invalid name")
	}
}

func TestSetPassword(t *testing.T) {
	ctx := context.Background()
	a, _, _ := newAccounts(t)
	mustAdd(t, a, "ana", password)
	const newPassword = "la nueva contraseña"
	if _, err := a.SetPassword(ctx, "ana", newPassword); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	if _, err := a.SignIn(ctx, "ana", password); !errors.Is(err, staff.ErrBadCredentials) {
		t.Errorf("old password after change: %v, want ErrBadCredentials", err)
	}
	if _, err := a.SignIn(ctx, "ana", newPassword); err != nil {
		t.Errorf("new password: %v", err)
	}
	if _, err := a.SetPassword(ctx, "bruno", newPassword); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetPassword for an unknown name: %v, want ErrNotFound", err)
	}
}

// signedIn opens two sessions and an API token for name, and returns a
// function reporting which of them still work.
func signedIn(t *testing.T, a *staff.Accounts, name, password string) func() []string {
	t.Helper()
	ctx := context.Background()
	var sessions []string
	for range 2 {
		s, err := a.SignIn(ctx, name, password)
		if err != nil {
			t.Fatal(err)
		}
		sessions = append(sessions, s)
	}
	_, token, err := a.NewAPIToken(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return func() []string {
		var live []string
		for i, s := range sessions {
			if _, err := a.Session(ctx, s); err == nil {
				live = append(live, fmt.Sprintf("session %d", i+1))
			} else if !errors.Is(err, staff.ErrNoSession) {
				t.Fatal(err)
			}
		}
		if _, err := a.APIToken(ctx, token); err == nil {
			live = append(live, "API token")
		} else if !errors.Is(err, staff.ErrBadToken) {
			t.Fatal(err)
		}
		return live
	}
}

// Issue 13 item 9: a new password ends the account's sessions and API
// tokens (whoever knew the old one is out), and only that account's.
func TestSetPasswordEndsSessionsAndTokens(t *testing.T) {
	eachBackend(t, func(t *testing.T, newAccounts func(testing.TB) (*staff.Accounts, *clock, string)) {
		ctx := context.Background()
		a, _, _ := newAccounts(t)
		mustAdd(t, a, "ana", password)
		mustAdd(t, a, "bruno", password)
		ana := signedIn(t, a, "ana", password)
		bruno := signedIn(t, a, "bruno", password)
		ended, err := a.SetPassword(ctx, "ana", "la nueva contraseña")
		if err != nil {
			t.Fatal(err)
		}
		if live := ana(); len(live) > 0 {
			t.Errorf("after a password change, ana's %v still work", live)
		}
		if ended.Sessions != 2 || ended.Tokens != 1 {
			t.Errorf("SetPassword reports %+v ended, want 2 sessions and 1 token", ended)
		}
		if live := bruno(); len(live) != 3 {
			t.Errorf("ana's password change ended bruno's access: only %v work", live)
		}
	})
}

// Issue 13 item 9: a disabled account cannot sign in, its sessions and
// tokens stop at once, and enabling it lets it sign in again (the old
// sessions stay ended).
func TestDisable(t *testing.T) {
	eachBackend(t, func(t *testing.T, newAccounts func(testing.TB) (*staff.Accounts, *clock, string)) {
		ctx := context.Background()
		a, _, _ := newAccounts(t)
		mustAdd(t, a, "ana", password)
		mustAdd(t, a, "bruno", password)
		ana := signedIn(t, a, "ana", password)
		bruno := signedIn(t, a, "bruno", password)
		ended, err := a.Disable(ctx, "ana")
		if err != nil {
			t.Fatal(err)
		}
		if ended.Sessions != 2 || ended.Tokens != 1 {
			t.Errorf("Disable reports %+v ended, want 2 sessions and 1 token", ended)
		}
		if live := ana(); len(live) > 0 {
			t.Errorf("after disabling, ana's %v still work", live)
		}
		if _, err := a.SignIn(ctx, "ana", password); !errors.Is(err, staff.ErrBadCredentials) {
			t.Errorf("disabled account signs in: %v, want ErrBadCredentials", err)
		}
		if _, _, err := a.NewAPIToken(ctx, "ana"); err == nil {
			// A token made for a disabled account must not work either.
			if live := ana(); len(live) > 0 {
				t.Errorf("a token made after disabling works: %v", live)
			}
		}
		if live := bruno(); len(live) != 3 {
			t.Errorf("disabling ana ended bruno's access: only %v work", live)
		}
		if _, err := a.Disable(ctx, "nadie"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Disable of an unknown name: %v, want ErrNotFound", err)
		}
		if err := a.Enable(ctx, "ana"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.SignIn(ctx, "ana", password); err != nil {
			t.Errorf("enabled account cannot sign in: %v", err)
		}
	})
}

// Issue 13 item 1: password checks (19 MiB of argon2 each) never run more
// than the limit at once, whatever the number of sign-ins; those that find
// no slot in time get ErrBusy, the others their verdict.
func TestSignInHashingIsBounded(t *testing.T) {
	ctx := context.Background()
	a, _, _ := newAccounts(t)
	mustAdd(t, a, "ana", password)
	a.LimitHashing(1, 0)
	const attempts = 12
	results := make(chan error, attempts)
	var wg sync.WaitGroup
	for i := range attempts {
		wg.Go(func() {
			name := "ana"
			if i%2 == 0 {
				name = "nadie" // unknown names cost a check too
			}
			_, err := a.SignIn(ctx, name, "contraseña equivocada")
			results <- err
		})
	}
	wg.Wait()
	close(results)
	busy := 0
	for err := range results {
		switch {
		case errors.Is(err, staff.ErrBusy):
			busy++
		case !errors.Is(err, staff.ErrBadCredentials):
			t.Errorf("SignIn: %v", err)
		}
	}
	if busy == 0 {
		t.Errorf("%d simultaneous sign-ins with one slot and no wait: none was refused as busy", attempts)
	}
	// With a wait, a burst is served in turn.
	a.LimitHashing(1, time.Minute)
	var wg2 sync.WaitGroup
	for range 4 {
		wg2.Go(func() {
			if _, err := a.SignIn(ctx, "ana", password); err != nil {
				t.Errorf("SignIn waiting its turn: %v", err)
			}
		})
	}
	wg2.Wait()
}

// A database that fails is an error of its own, never taken for a wrong
// password or a missing session: the caller must answer 500, not 401.
func TestBrokenDatabaseIsNotAVerdict(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(dir, "rebote.db"))
	if err != nil {
		t.Fatal(err)
	}
	a := staff.New(db)
	mustAdd(t, a, "ana", password)
	session, err := a.SignIn(ctx, "ana", password)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := a.NewAPIToken(ctx, "ana")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	verdicts := []error{staff.ErrBadCredentials, staff.ErrNoSession, staff.ErrBadToken, store.ErrNotFound}
	for _, tt := range []struct {
		name string
		call func() error
	}{
		{"SignIn", func() error { _, err := a.SignIn(ctx, "ana", password); return err }},
		{"Session", func() error { _, err := a.Session(ctx, session); return err }},
		{"APIToken", func() error { _, err := a.APIToken(ctx, token); return err }},
	} {
		err := tt.call()
		if err == nil {
			t.Errorf("%s on a closed database: no error", tt.name)
			continue
		}
		for _, v := range verdicts {
			if errors.Is(err, v) {
				t.Errorf("%s on a closed database = %v, which reads as %v", tt.name, err, v)
			}
		}
	}
}

func TestValidName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"ana", true},
		{"ana.garcia", true},
		{"soporte_2-b", true},
		{strings.Repeat("a", 64), true},
		{"", false},
		{strings.Repeat("a", 65), false},
		{"Ana", false},
		{"ana garcia", false},
		{"ana@example.com", false},
		{"begoña", false},
	}
	for _, tt := range tests {
		if got := staff.ValidName(tt.name); got != tt.want {
			t.Errorf("ValidName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
