package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/servinetwork/rebote/staff"
	"github.com/servinetwork/rebote/store"
	"github.com/servinetwork/rebote/store/storetest"
)

// Two instances on one PostgreSQL database, on real listeners: traffic
// split across both is counted exactly, as either one's stats API shows;
// SIGTERM on one loses none of what it accepted; a session made on one
// is accepted by the other; a token revoked (as rebote staff revoke does,
// on a third connection) is refused by both at once.
func TestTwoInstancesShareOnePostgres(t *testing.T) {
	target := storetest.Postgres(t)
	ctx := context.Background()
	db, err := store.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	accounts := staff.New(db)
	if err := accounts.Add(ctx, "ana", "una clave bastante larga"); err != nil {
		t.Fatal(err)
	}
	tokenID, token, err := accounts.NewAPIToken(ctx, "ana")
	if err != nil {
		t.Fatal(err)
	}

	cfg := defaultConfig()
	cfg.DB = target
	cfg.RateLimit = 0
	a, stopA := startAppWith(t, cfg)
	b, stopB := startAppWith(t, cfg)

	// Traffic dealt between the two: article views and failed searches.
	const perInstance = 150
	var wg sync.WaitGroup
	for i, base := range []string{a, b} {
		wg.Go(func() {
			for j := range perInstance {
				path := "/errores/buzon-lleno?origen=ticket"
				if j%3 == 0 {
					path = fmt.Sprintf("/buscar?q=zzqx+qwvv+%d", i)
				}
				res, err := http.Get(base + path)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		})
	}
	wg.Wait()
	// SIGTERM on A: what it accepted is saved before it exits.
	if err := stopA(); err != nil {
		t.Fatal(err)
	}
	a, stopA = startAppWith(t, cfg)
	defer stopA()
	defer stopB()

	wantSearches := int64(perInstance / 3) // j%3 == 0 of 150, per instance
	if perInstance%3 != 0 {
		wantSearches++
	}
	wantViews := 2 * (perInstance - wantSearches)
	var views, searches int64
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		views, _ = db.CountEvents(ctx, "view")
		searches, _ = db.CountEvents(ctx, "search")
		if views == wantViews && searches == 2*wantSearches {
			break
		}
	}
	if views != wantViews || searches != 2*wantSearches {
		t.Fatalf("stored %d views and %d searches, want %d and %d", views, searches, wantViews, 2*wantSearches)
	}
	for _, base := range []string{a, b} {
		var body struct {
			Items []struct {
				Query string `json:"query"`
				Count int64  `json:"count"`
			} `json:"items"`
		}
		getJSON(t, base+"/api/v1/stats/failed-searches?days=7", token, &body)
		got := map[string]int64{}
		for _, it := range body.Items {
			got[it.Query] = it.Count
		}
		for i := range 2 {
			if q := fmt.Sprintf("zzqx qwvv %d", i); got[q] != wantSearches {
				t.Errorf("%s: failed search %q counted %d times, want %d (items %v)", base, q, got[q], wantSearches, body.Items)
			}
		}
	}

	// A session made on A is accepted by B.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.PostForm(a+"/staff/entrar", url.Values{"nombre": {"ana"}, "clave": {"una clave bastante larga"}, "siguiente": {"/staff?dias=7"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var session *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "rebote_staff" {
			session = c
		}
	}
	if session == nil {
		t.Fatalf("no session cookie from signing in on A (status %d)", res.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, b+"/staff?dias=7", nil)
	req.AddCookie(session)
	if res, err := noRedirect.Do(req); err != nil {
		t.Fatal(err)
	} else if res.Body.Close(); res.StatusCode != http.StatusOK {
		t.Errorf("B answered %d to the session made on A, want 200", res.StatusCode)
	}

	// A token revoked elsewhere is refused by both at once.
	if err := accounts.Revoke(ctx, tokenID); err != nil {
		t.Fatal(err)
	}
	for _, base := range []string{a, b} {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/stats/top-errors?days=7", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s answered %d to a revoked token, want 401", base, res.StatusCode)
		}
	}
}

func getJSON(t *testing.T, u, token string, dst any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s: %s", u, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(dst); err != nil {
		t.Fatal(err)
	}
}

// rebote db copy moves a SQLite file into PostgreSQL and says the counts
// match; a missing source file is refused rather than created.
func TestDBCopyCommand(t *testing.T) {
	target := storetest.Postgres(t)
	ctx := context.Background()
	from := newDatabase(t, 50)
	var out, errOut strings.Builder
	if err := run(ctx, []string{"db", "copy", "--from", from, "--to", target}, noEnv, nil, &out, &errOut); err != nil {
		t.Fatalf("db copy: %v\n%s%s", err, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "the counts match") {
		t.Errorf("db copy said:\n%s", out.String())
	}
	if err := run(ctx, []string{"db", "copy", "--from", from + ".missing", "--to", target}, noEnv, nil, &out, &errOut); err == nil {
		t.Error("db copy from a missing file succeeded")
	}
}
