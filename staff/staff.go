// Package staff owns the credentials of the people who run Rebote: their
// passwords (argon2id), sign-in sessions and API tokens. It stores them
// through package store and knows nothing of HTTP; the secrets it hands
// out are never stored, only their SHA-256.
package staff

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/servinetwork/rebote/store"
)

// ErrBadCredentials reports a failed sign-in. It is the same for an
// unknown name and a wrong password, so the answer does not reveal which
// names exist.
var ErrBadCredentials = errors.New("staff: wrong name or password")

// ErrNoSession reports a session token that opens no session: unknown,
// expired or signed out. It also matches store.ErrNotFound. Any other
// error from Session is a failure to check, not a verdict on the token.
var ErrNoSession = errors.New("staff: no such session")

// ErrBadToken reports an API token that is unknown or revoked. It also
// matches store.ErrNotFound. Any other error from APIToken is a failure to
// check, not a verdict on the token.
var ErrBadToken = errors.New("staff: unknown or revoked API token")

// ErrBusy reports a sign-in refused because as many password checks as
// the server allows are already running: each holds 19 MiB for tens of
// milliseconds, so a burst of attempts must wait its turn, not pile up.
// Trying again a moment later works.
var ErrBusy = errors.New("staff: too many sign-ins at once")

// ErrWeakPassword reports a password of fewer than 12 characters.
var ErrWeakPassword = errors.New("staff: password must have at least 12 characters")

// SessionLifetime is how long a sign-in lasts: a working day, so a
// forgotten browser does not stay signed in overnight.
const SessionLifetime = 12 * time.Hour

// minPasswordLength is counted in characters, not bytes, so "ñ" counts
// once.
const minPasswordLength = 12

// apiTokenPrefix marks Rebote's API tokens, so one pasted in the wrong
// place (a log, a repository) is easy to recognise and search for.
const apiTokenPrefix = "rbt_"

// Argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1
// lane), which keeps a sign-in around a few tens of milliseconds on a small
// server. They are written into every hash, so raising them later still
// verifies old passwords.
const (
	argonMemory  = 19456 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// Accounts manages staff accounts, their sign-in sessions and API tokens.
type Accounts struct {
	db  *store.DB
	now func() time.Time

	// hashing holds a token per password check running: at most one per
	// core, as each costs argon2Memory and a core's time.
	hashing chan struct{}
	// hashWait is how long a sign-in waits for a free slot before
	// ErrBusy.
	hashWait time.Duration
}

// New returns the accounts kept in db. It reads the time from db.Now, so
// tests that move the database's clock move session expiry too. Password
// checks run at most one per core at a time; a sign-in waits up to a
// second for its turn.
func New(db *store.DB) *Accounts {
	a := &Accounts{db: db, now: func() time.Time { return db.Now() }}
	a.LimitHashing(runtime.GOMAXPROCS(0), time.Second)
	return a
}

// LimitHashing sets how many password checks may run at once (at least
// one) and how long a sign-in waits for a turn before ErrBusy (zero: not
// at all). Call it before the Accounts are used.
func (a *Accounts) LimitHashing(concurrent int, wait time.Duration) {
	a.hashing = make(chan struct{}, max(concurrent, 1))
	a.hashWait = wait
}

// verify checks a password against a hash when a slot is free, waiting
// at most hashWait for one.
func (a *Accounts) verify(ctx context.Context, password, phc string) (bool, error) {
	select {
	case a.hashing <- struct{}{}:
	default:
		if a.hashWait <= 0 {
			return false, ErrBusy
		}
		t := time.NewTimer(a.hashWait)
		defer t.Stop()
		select {
		case a.hashing <- struct{}{}:
		case <-t.C:
			return false, ErrBusy
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	defer func() { <-a.hashing }()
	return verifyPassword(password, phc)
}

// ValidName reports whether name can name a staff account: 1 to 64
// characters of a-z, 0-9, '.', '_' and '-'. Lower case only, so "Ana" and
// "ana" cannot be two people.
func ValidName(name string) bool {
	if len(name) == 0 || len(name) > 64 {
		return false
	}
	for _, r := range name {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// Add creates a staff account.
func (a *Accounts) Add(ctx context.Context, name, password string) error {
	if !ValidName(name) {
		return invalidName(name)
	}
	if err := checkPassword(password); err != nil {
		return err
	}
	if _, err := a.db.AddStaff(ctx, name, hashPassword(password), a.now()); err != nil {
		return err
	}
	return nil
}

// SetPassword changes a staff member's password and ends the account's
// sessions and API tokens: whoever knew the old password is out.
func (a *Accounts) SetPassword(ctx context.Context, name, password string) (store.AccessEnded, error) {
	if err := checkPassword(password); err != nil {
		return store.AccessEnded{}, err
	}
	return a.db.SetStaffPassword(ctx, name, hashPassword(password), a.now())
}

// Disable stops an account from signing in and ends its sessions and API
// tokens at once. The account stays, so its name is not taken again by
// someone else; Enable lets it in again.
func (a *Accounts) Disable(ctx context.Context, name string) (store.AccessEnded, error) {
	return a.db.DisableStaff(ctx, name, a.now())
}

// Enable lets a disabled account sign in again with its password.
func (a *Accounts) Enable(ctx context.Context, name string) error {
	return a.db.EnableStaff(ctx, name)
}

// SignIn checks a name and password and opens a session, returning the
// token that identifies it (for a cookie). A wrong name or password, or a
// disabled account, gives ErrBadCredentials; too many checks at once
// ErrBusy; any other error means the check itself failed.
func (a *Accounts) SignIn(ctx context.Context, name, password string) (token string, err error) {
	m, err := a.db.StaffByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		// Do the work of a real check so the response time does not tell
		// an unknown name from a wrong password.
		if _, err := a.verify(ctx, password, dummyHash()); errors.Is(err, ErrBusy) {
			return "", err
		}
		return "", ErrBadCredentials
	}
	if err != nil {
		return "", err
	}
	ok, err := a.verify(ctx, password, m.PasswordHash)
	if errors.Is(err, ErrBusy) {
		return "", err
	}
	if err != nil {
		return "", fmt.Errorf("staff: password of %q: %w", name, err)
	}
	if !ok || m.Disabled {
		return "", ErrBadCredentials
	}
	token = randomToken()
	now := a.now()
	if err := a.db.CreateSession(ctx, m.ID, hashToken(token), now, now.Add(SessionLifetime)); err != nil {
		return "", err
	}
	return token, nil
}

// Session returns the name of the staff member a session token belongs to.
// An unknown or expired token, or one of a disabled account, gives
// ErrNoSession.
func (a *Accounts) Session(ctx context.Context, token string) (name string, err error) {
	m, err := a.db.SessionStaff(ctx, hashToken(token), a.now())
	if errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("%w: %w", ErrNoSession, err)
	}
	if err != nil {
		return "", err
	}
	return m.Name, nil
}

// SignOut ends a session. Signing out of a session that has already ended
// is not an error.
func (a *Accounts) SignOut(ctx context.Context, token string) error {
	return a.db.DeleteSession(ctx, hashToken(token))
}

// NewAPIToken creates an API token for a staff member and returns its id
// (to revoke it) and the token itself, which cannot be shown again.
func (a *Accounts) NewAPIToken(ctx context.Context, name string) (id int64, token string, err error) {
	m, err := a.db.StaffByName(ctx, name)
	if err != nil {
		return 0, "", err
	}
	token = apiTokenPrefix + randomToken()
	id, err = a.db.CreateAPIToken(ctx, m.ID, hashToken(token), a.now())
	if err != nil {
		return 0, "", err
	}
	return id, token, nil
}

// APIToken returns the name of the staff member an API token belongs to.
// An unknown or revoked token gives ErrBadToken.
func (a *Accounts) APIToken(ctx context.Context, token string) (name string, err error) {
	m, err := a.db.APITokenStaff(ctx, hashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("%w: %w", ErrBadToken, err)
	}
	if err != nil {
		return "", err
	}
	return m.Name, nil
}

// Revoke stops the API token with the given id from working. It gives an
// error wrapping store.ErrNotFound when no such token is still live.
func (a *Accounts) Revoke(ctx context.Context, id int64) error {
	return a.db.RevokeAPIToken(ctx, id, a.now())
}

// Tokens lists every API token, revoked ones included, without secrets.
func (a *Accounts) Tokens(ctx context.Context) ([]store.APIToken, error) {
	return a.db.ListAPITokens(ctx)
}

func invalidName(name string) error {
	return fmt.Errorf("staff: name %q must be 1 to 64 characters of a-z, 0-9, '.', '_' or '-'", name)
}

func checkPassword(password string) error {
	if utf8.RuneCountInString(password) < minPasswordLength {
		return ErrWeakPassword
	}
	return nil
}

// randomToken returns 32 random bytes in base64url without padding: 256
// bits, safe in cookies, URLs and headers.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails: crypto/rand crashes the program instead
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is what the database keeps of a token. A fast hash is enough:
// tokens are random and long, unlike passwords.
func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// hashPassword returns the argon2id hash of password in the PHC string
// format, "$argon2id$v=19$m=...,t=...,p=...$salt$hash", which other tools
// read too.
func hashPassword(password string) string {
	salt := make([]byte, argonSaltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// dummyHash is checked against when the name does not exist. It is made
// with the current parameters, so the work matches a real account's.
var dummyHash = sync.OnceValue(func() string { return hashPassword(randomToken()) })

// verifyPassword reports whether password matches a hash made by
// hashPassword, using the parameters written in the hash.
func verifyPassword(password, phc string) (bool, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, errors.New("not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("unsupported argon2 version %q", parts[2])
	}
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil || passes == 0 || threads == 0 {
		return false, fmt.Errorf("bad argon2 parameters %q", parts[3])
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("bad argon2 salt: %w", err)
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errors.New("bad argon2 hash")
	}
	got := argon2.IDKey([]byte(password), salt, passes, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
