package handlers_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/servinetwork/rebote/store"
)

// A visitor from the ticket form reads an article, searches, pastes a
// bounce, votes and still asks for help: each step is counted with its
// origin, and nothing personal reaches the database.
func TestVisitsAreRecorded(t *testing.T) {
	ts, d := newServerWithDB(t)

	res := get(t, ts, "/e/550-5.1.1?origen=ticket")
	if res.status != http.StatusFound {
		t.Fatalf("short link: status %d", res.status)
	}
	if res = get(t, ts, res.header.Get("Location")); res.status != http.StatusOK {
		t.Fatalf("article: status %d", res.status)
	}
	if links := find(res.doc, byTestID("support-link")); len(links) != 1 || attr(links[0], "href") != "/soporte?articulo=direccion-no-existe&origen=ticket" {
		t.Errorf("article's support link: %v", links)
	}

	get(t, ts, "/buscar?q=zzqx+qwvv")
	// What the live search fetches as the customer types is not a search.
	live, _ := http.NewRequest(http.MethodGet, ts.URL+"/buscar?q=zzq", nil)
	live.Header.Set("X-Rebote-Live", "1")
	do(t, live)
	get(t, ts, "/buscar?q="+url.QueryEscape("Buzón lleno ana.lopez@example.com 203.0.113.9"))

	bounce := "Final-Recipient: rfc822; pedro@example.org\nAction: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2 <pedro@example.org>: Mailbox full\n"
	res = postForm(t, ts, "/diagnostico", url.Values{"texto": {bounce}, "origen": {"ticket"}})
	if res.status != http.StatusOK || len(find(res.doc, byTestID("feedback"))) != 1 {
		t.Fatalf("diagnosis: status %d, or no feedback box", res.status)
	}
	// Something with a code the rules cannot read.
	postForm(t, ts, "/diagnostico", url.Values{"texto": {"me sale esto: 554 <luis@example.net> qwerty zork on mx9.example.net [198.51.100.4]"}})

	res = postForm(t, ts, "/valorar", url.Values{"articulo": {"buzon-lleno"}, "util": {"no"}, "origen": {"ticket"}, "comentario": {"no sé dónde se vacía"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("vote: status %d", res.status)
	}
	res = get(t, ts, res.header.Get("Location"))
	links := find(res.doc, byTestID("support-link"))
	if res.status != http.StatusOK || len(links) != 1 {
		t.Fatalf("thanks page: status %d, support links %d", res.status, len(links))
	}
	res = get(t, ts, attr(links[0], "href"))
	if res.status != http.StatusFound {
		t.Fatalf("support: status %d", res.status)
	}
	target, _ := url.Parse(res.header.Get("Location"))
	if target.Host != "www.servinetwork.com" || target.Query().Get("articulo") != "buzon-lleno" {
		t.Errorf("support redirect to %s, want the ticket form with articulo=buzon-lleno", target)
	}

	d.flush(t)
	ctx := context.Background()
	f := store.LastDays(time.Now(), 1, "all")
	top, _ := d.db.TopErrors(ctx, store.LastDays(time.Now(), 1, "ticket"), 10)
	if len(top) != 2 {
		t.Errorf("errors from the ticket form = %v, want the article read and the diagnosed mailbox", top)
	}
	failed, _ := d.db.FailedSearches(ctx, f, 10)
	if len(failed) != 1 || failed[0].Key != "zzqx qwvv" {
		t.Errorf("failed searches = %v, want the query that found nothing", failed)
	}
	searches, _ := d.db.Searches(ctx, f, 10)
	if len(searches) != 2 || searches[0].Key != "buzón lleno ***@*** ***" && searches[1].Key != "buzón lleno ***@*** ***" {
		t.Errorf("searches = %v, want the second normalised with its address and IP masked", searches)
	}
	lines, _ := d.db.Unclassified(ctx, f, 10)
	if len(lines) != 1 || strings.Contains(lines[0].Key, "luis") || !strings.Contains(lines[0].Key, "***@***") {
		t.Errorf("unclassified lines = %v, want one masked line", lines)
	}
	votes, _ := d.db.Feedback(ctx, f, 10)
	if len(votes) != 1 || votes[0].No != 1 {
		t.Errorf("votes = %v", votes)
	}
	clicks, _ := d.db.TicketClicks(ctx, f, 10)
	if len(clicks) != 1 || clicks[0].Key != "buzon-lleno" {
		t.Errorf("ticket clicks = %v", clicks)
	}

	// No address, IP or host of the pastes and searches is anywhere in
	// the database file's tables.
	raw, err := sql.Open("sqlite", "file:"+d.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, table := range []string{"event", "daily"} {
		rows, err := raw.Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			for _, v := range vals {
				s, _ := v.(string)
				for _, secret := range []string{"ana.lopez", "pedro@", "luis@", "203.0.113.9", "198.51.100.4", "mx9.example"} {
					if strings.Contains(s, secret) {
						t.Errorf("table %s stores %q", table, s)
					}
				}
			}
		}
		rows.Close()
	}
}

func TestVoteRefusesBadForms(t *testing.T) {
	ts := newServer(t)
	for _, form := range []url.Values{
		{"articulo": {"buzon-lleno"}, "util": {"quizas"}},
		{"articulo": {"../../etc/passwd"}, "util": {"si"}},
		{"motivo": {"<script>"}, "util": {"no"}},
		{"util": {"si"}},
	} {
		if res := postForm(t, ts, "/valorar", form); res.status != http.StatusBadRequest {
			t.Errorf("vote %v: status %d, want 400", form, res.status)
		}
	}
	if res := get(t, ts, "/valorar/gracias?articulo=no-existe&util=si"); res.status != http.StatusNotFound {
		t.Errorf("thanks for an unknown article: status %d", res.status)
	}
}

// Another site's page cannot post the forms on a visitor's behalf.
func TestCrossSiteFormPostsAreRefused(t *testing.T) {
	ts, d := newServerWithDB(t)
	for _, path := range []string{"/valorar", "/diagnostico"} {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+path, strings.NewReader("articulo=buzon-lleno&util=si&texto=550+5.1.1"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://evil.example")
		res := do(t, req)
		if res.status != http.StatusForbidden || !strings.Contains(res.body, "otra página web") {
			t.Errorf("cross-site POST %s: status %d, want 403 with a Spanish explanation", path, res.status)
		}
	}
	// The same post from Rebote's own page goes through.
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/valorar", strings.NewReader("articulo=buzon-lleno&util=si"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if res := do(t, req); res.status != http.StatusSeeOther {
		t.Errorf("same-origin vote: status %d", res.status)
	}
	d.flush(t)
	if n, _ := d.db.CountEvents(context.Background(), "vote"); n != 1 {
		t.Errorf("%d votes stored, want only the same-origin one", n)
	}
}

// A release build records events when they happen: the replay clock's
// header (read only by test builds, -tags replayclock) cannot move a
// visit into another day's figures.
func TestReleaseBuildIgnoresTheReplayClock(t *testing.T) {
	ts, d := newServerWithDB(t)
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/errores/buzon-lleno", nil)
	req.Header.Set("X-Rebote-Replay-Time", time.Now().AddDate(0, 0, -10).UTC().Format(time.RFC3339))
	if res := do(t, req); res.status != http.StatusOK {
		t.Fatalf("article: status %d", res.status)
	}
	if res := get(t, ts, "/healthz"); strings.Contains(res.body, "replay-clock") {
		t.Errorf("a release build's /healthz says %q", res.body)
	}
	d.flush(t)
	top, err := d.db.TopErrors(context.Background(), store.LastDays(time.Now(), 1, "all"), 10)
	if err != nil || len(top) != 1 || top[0].Article != "buzon-lleno" || top[0].Count != 1 {
		t.Errorf("today's errors = %v (%v), want the visit counted today", top, err)
	}
}
