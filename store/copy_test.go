package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/store"
)

// A SQLite history copied into an empty database of either kind answers
// the same statistics, keeps its accounts and tokens, and the target's
// ids go on after the copied ones.
func TestCopy(t *testing.T) {
	eachBackend(t, func(t *testing.T, openTemp func(*testing.T) *store.DB) {
		ctx := context.Background()
		src := openAt(t, filepath.Join(t.TempDir(), "src.db"))
		now := time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
		var events []analytics.Event
		for i := range 500 {
			at := now.Add(-time.Duration(i) * 3 * time.Hour)
			events = append(events,
				analytics.Event{At: at, Kind: analytics.KindView, Source: analytics.SourceDirect, Article: "buzon-lleno",
					Findings: []analytics.Finding{{Reason: "mailboxfull", Article: "buzon-lleno"}}},
				analytics.Event{At: at, Kind: analytics.KindSearch, Source: analytics.SourceTicket, Query: "buzon lleno", Results: i % 2},
				analytics.Event{At: at, Kind: analytics.KindVote, Source: analytics.SourceDirect, Article: "buzon-lleno", Helpful: i%3 == 0, Comment: "vale"})
		}
		if err := src.SaveEvents(ctx, events); err != nil {
			t.Fatal(err)
		}
		m, err := src.AddStaff(ctx, "ana", "hash", now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := src.CreateAPIToken(ctx, m.ID, []byte("token-1"), now); err != nil {
			t.Fatal(err)
		}
		if err := src.CreateSession(ctx, m.ID, []byte("session-1"), now, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}

		dst := openTemp(t)
		counts, err := store.Copy(ctx, src, dst)
		if err != nil {
			t.Fatalf("copy: %v (counts %v)", err, counts)
		}
		for _, c := range counts {
			if c.Source != c.Target {
				t.Errorf("%s: %d → %d", c.Table, c.Source, c.Target)
			}
		}
		f := store.LastDays(now, 60, "all")
		a, err := src.Dashboard(ctx, f, 20)
		if err != nil {
			t.Fatal(err)
		}
		b, err := dst.Dashboard(ctx, f, 20)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("dashboards differ after the copy:\nsource %+v\ntarget %+v", a, b)
		}
		if got, err := dst.APITokenStaff(ctx, []byte("token-1")); err != nil || got.Name != "ana" {
			t.Errorf("copied token: %v, %v", got, err)
		}
		if got, err := dst.SessionStaff(ctx, []byte("session-1"), now); err != nil || got.Name != "ana" {
			t.Errorf("copied session: %v, %v", got, err)
		}
		m2, err := dst.AddStaff(ctx, "bea", "hash", now)
		if err != nil || m2.ID == m.ID {
			t.Errorf("new account after the copy: %v, %v", m2, err)
		}
		if _, err := dst.CreateAPIToken(ctx, m2.ID, []byte("token-2"), now); err != nil {
			t.Errorf("new token after the copy: %v", err)
		}
		if err := dst.SaveEvents(ctx, events[:3]); err != nil {
			t.Errorf("new events after the copy: %v", err)
		}
		if _, err := store.Copy(ctx, src, dst); !errors.Is(err, store.ErrTargetNotEmpty) {
			t.Errorf("second copy into the same target: %v, want ErrTargetNotEmpty", err)
		}
	})
}
