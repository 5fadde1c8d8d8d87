package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/search"
	"github.com/servinetwork/rebote/store"
)

func loadKB(tb testing.TB) (*knowledge.KB, *search.Index) {
	tb.Helper()
	kb, err := knowledge.Load(knowledge.DefaultPolicy())
	if err != nil {
		tb.Fatal(err)
	}
	index, err := search.New(kb)
	if err != nil {
		tb.Fatal(err)
	}
	return kb, index
}

// The same seed gives the same events, so a database can be rebuilt.
func TestSyntheticEventsDeterministic(t *testing.T) {
	kb, index := loadKB(t)
	a := syntheticEvents(rand.New(rand.NewPCG(7, 0)), kb, index)
	b := syntheticEvents(rand.New(rand.NewPCG(7, 0)), kb, index)
	for i := range 2000 {
		if got, want := a(), b(); !reflect.DeepEqual(got, want) {
			t.Fatalf("event %d differs for the same seed:\n%+v\n%+v", i, got, want)
		}
	}
}

// The mix has every kind, and failed searches and unread diagnoses in
// roughly the proportions the dashboard is built for.
func TestSyntheticEventsMix(t *testing.T) {
	kb, index := loadKB(t)
	next := syntheticEvents(rand.New(rand.NewPCG(1, 0)), kb, index)
	kinds := make(map[analytics.Kind]int)
	var failed, unread, comments int
	for range 20000 {
		e := next()
		kinds[e.Kind]++
		switch {
		case e.Kind == analytics.KindSearch && e.Results == 0:
			failed++
		case e.Kind == analytics.KindDiagnosis && e.Line != "":
			unread++
			if strings.Contains(e.Line, "@example") {
				t.Errorf("line %q is not masked", e.Line)
			}
		case e.Kind == analytics.KindVote && e.Comment != "":
			comments++
		}
		if e.Kind == analytics.KindDiagnosis && (len(e.Findings) < 1 || len(e.Findings) > 3) {
			t.Errorf("diagnosis with %d findings, want 1-3", len(e.Findings))
		}
	}
	for _, k := range []analytics.Kind{analytics.KindView, analytics.KindSearch, analytics.KindDiagnosis, analytics.KindVote, analytics.KindTicket} {
		if kinds[k] == 0 {
			t.Errorf("no %s events in 20000", k)
		}
	}
	if share := float64(failed) / float64(kinds[analytics.KindSearch]); share < 0.10 || share > 0.25 {
		t.Errorf("failed searches are %.0f%% of searches, want about 15%%", 100*share)
	}
	if share := float64(unread) / float64(kinds[analytics.KindDiagnosis]); share < 0.07 || share > 0.13 {
		t.Errorf("unread diagnoses are %.0f%% of diagnoses, want about 10%%", 100*share)
	}
	if comments == 0 {
		t.Error("no vote has a comment")
	}
}

// gen-events writes every event, and the dashboard's queries find
// something in each report.
func TestGenEvents(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gen.db")
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"gen-events", "--db", path, "--events", "20000", "--days", "30"}, noEnv, nil, &out, &errOut); err != nil {
		t.Fatalf("gen-events: %v\n%s", err, errOut.String())
	}
	if !strings.HasPrefix(out.String(), "20000 events in ") {
		t.Errorf("gen-events printed %q, want a summary starting with %q", out.String(), "20000 events in ")
	}

	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if got, err := db.CountEvents(ctx, ""); err != nil || got != 20000 {
		t.Errorf("CountEvents = %d, %v; want 20000", got, err)
	}

	f := store.LastDays(time.Now(), 30, "")
	nonEmpty := func(name string, n int, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else if n == 0 {
			t.Errorf("%s is empty", name)
		}
	}
	top, err := db.TopErrors(ctx, f, 20)
	nonEmpty("TopErrors", len(top), err)
	failed, err := db.FailedSearches(ctx, f, 20)
	nonEmpty("FailedSearches", len(failed), err)
	unclassified, err := db.Unclassified(ctx, f, 20)
	nonEmpty("Unclassified", len(unclassified), err)
	feedback, err := db.Feedback(ctx, f, 20)
	nonEmpty("Feedback", len(feedback), err)
	comments, err := db.Comments(ctx, f, 20)
	nonEmpty("Comments", len(comments), err)
	if len(unclassified) > 0 && !strings.Contains(unclassified[0].Key, "***") {
		t.Errorf("most frequent unclassified line %q is not masked", unclassified[0].Key)
	}
	totals, err := db.Totals(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if totals.Views == 0 || totals.FailedSearches == 0 || totals.TicketClicks == 0 {
		t.Errorf("Totals = %+v, want views, failed searches and ticket clicks", totals)
	}
}

// load-events goes through the Recorder and loses nothing. The rate it
// keeps is a floor measured by .ci/run's 60-second run, not here, where
// other tests share the cores.
func TestLoadEvents(t *testing.T) {
	path := filepath.Join(t.TempDir(), "load.db")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"load-events", "--db", path, "--rate", "2000", "--duration", "2s", "--check-rate=false"}, noEnv, nil, &out, &errOut); err != nil {
		t.Fatalf("load-events: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	got := out.String()
	for _, want := range []string{"recorded 4000 events", "saved 4000, dropped 0, rows added 4000"} {
		if !strings.Contains(got, want) {
			t.Errorf("load-events printed %q, want it to contain %q", got, want)
		}
	}
}
