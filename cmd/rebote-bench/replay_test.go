package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/servinetwork/rebote/knowledge"
)

// startReplayTarget runs the server ("rebote serve", built from this
// module) on a fresh database and returns its base URL and a staff API
// token for it. The server stops when the test ends.
func startReplayTarget(t *testing.T) (base, token string) {
	t.Helper()
	rebote, err := reboteBinary()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "r.db")
	// All the replayed customers share one address; the per-client limit
	// would refuse most of their diagnoses.
	server, err := startChild(ctx, rebote, io.Discard, "serve", "--db", db, "--rate-limit", "0", "--log-level", "warn")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.stop() })
	if token, err = staffToken(ctx, rebote, db, "loadtest"); err != nil {
		t.Fatal(err)
	}
	return server.base, token
}

func TestReplayAnalyticsMatchWhatWasSent(t *testing.T) {
	base, token := startReplayTarget(t)
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"replay", "--url", base, "--requests", "400", "--concurrency", "4", "--token", token},
		noEnv, nil, &out, &errOut)
	if err != nil {
		t.Fatalf("replay: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	report := out.String()
	for _, want := range []string{"400 requests in", "0 errors", "analytics match what was sent:", "p50 ms", "p99 ms", "max ms"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	for _, kind := range append(kindNames[:], "all") {
		if !strings.Contains(report, "\n"+kind+" ") {
			t.Errorf("report has no line for %q:\n%s", kind, report)
		}
	}

	// A second run on the same day is compared with what the first left.
	out.Reset()
	if err := run(context.Background(), []string{"replay", "--url", base, "--requests", "100", "--seed", "2"}, func(k string) string {
		return map[string]string{"REBOTE_TOKEN": token}[k]
	}, nil, &out, &errOut); err != nil {
		t.Fatalf("second replay with $REBOTE_TOKEN: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "analytics match what was sent:") {
		t.Errorf("second replay report:\n%s", out.String())
	}
}

func TestReplayRefusesWrongToken(t *testing.T) {
	base, _ := startReplayTarget(t)
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"replay", "--url", base, "--requests", "50", "--token", "not-a-token"}, noEnv, nil, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "analytics check") || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "token") {
		t.Fatalf("replay with a wrong token = %v, want an analytics check error naming the 401 and the token", err)
	}
	if strings.Contains(out.String(), "requests in") {
		t.Errorf("traffic was sent before the token was found wrong:\n%s", out.String())
	}
}

func TestReplayReportsFailingServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "roto", http.StatusInternalServerError)
	}))
	defer srv.Close()
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"replay", "--url", srv.URL, "--requests", "20", "--concurrency", "2"}, noEnv, nil, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "20 of 20 requests failed") {
		t.Errorf("replay against a server answering 500 = %v, want 20 of 20 failed", err)
	}
	if got := strings.Count(errOut.String(), "answered 500"); got != maxReportedErrors {
		t.Errorf("%d failed requests described, want %d:\n%s", got, maxReportedErrors, errOut.String())
	}
	if !strings.Contains(out.String(), "analytics check skipped") {
		t.Errorf("report does not say the check was skipped:\n%s", out.String())
	}
}

func TestReplayRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--url", "ftp://x"},
		{"--url", "http://x", "--concurrency", "0"},
		{"--url", "http://x", "--mix", "home=1,nada=2"},
		{"--url", "http://x", "--mix", "home=0"},
	} {
		if err := replayCmd(context.Background(), args, noEnv, io.Discard, io.Discard); err == nil {
			t.Errorf("replay %q succeeded", args)
		}
	}
}

// The same seed gives each worker the same requests, so two runs can be
// compared; another worker sends others.
func TestReplayTrafficIsDeterministic(t *testing.T) {
	kb, err := knowledge.Load(knowledge.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	requests := func(seed, worker uint64) []replayRequest {
		plan, err := newReplayPlan(kb, defaultMix, seed)
		if err != nil {
			t.Fatal(err)
		}
		src := plan.source(seed, worker)
		var out []replayRequest
		for range 200 {
			out = append(out, src.next("http://rebote.test"))
		}
		return out
	}
	if a, b := requests(1, 0), requests(1, 0); !reflect.DeepEqual(a, b) {
		t.Error("seed 1 worker 0 sent different requests twice")
	}
	if a, b := requests(1, 0), requests(1, 1); reflect.DeepEqual(a, b) {
		t.Error("two workers sent the same requests")
	}
}

func TestReplayMixParsing(t *testing.T) {
	got, err := parseMix("diagnosis=3, vote=1")
	want := [numKinds]float64{kindDiagnosis: 3, kindVote: 1}
	if err != nil || got != want {
		t.Errorf("parseMix = %v, %v; want %v", got, err, want)
	}
}

func TestCompareStats(t *testing.T) {
	view := statKey{"top-errors", "all", "mailboxfull\tbuzon-lleno"}
	query := statKey{"failed-searches", "all", "zzqx"}
	extra := statKey{"failed-searches", "all", "buz"}
	tests := []struct {
		name          string
		before, after statsSnapshot
		sent          statCounts
		want          int
	}{
		{"match", snapshot(statCounts{view: 2}), snapshot(statCounts{view: 5, query: 1}), statCounts{view: 3, query: 1}, 0},
		{"missing counts as zero", snapshot(nil), snapshot(nil), statCounts{view: 1}, 1},
		{"short", snapshot(nil), snapshot(statCounts{view: 1}), statCounts{view: 2}, 1},
		{"counted though not sent", snapshot(nil), snapshot(statCounts{extra: 1}), statCounts{}, 1},
		{"unknown before a full list", statsSnapshot{counts: statCounts{}, full: map[string]bool{"failed-searches all": true}},
			snapshot(statCounts{extra: 1}), statCounts{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := compareStats(tt.before, tt.after, tt.sent); len(got) != tt.want {
				t.Errorf("compareStats = %q, want %d differences", got, tt.want)
			}
		})
	}
}

func snapshot(c statCounts) statsSnapshot {
	if c == nil {
		c = statCounts{}
	}
	return statsSnapshot{counts: c, full: map[string]bool{}}
}
