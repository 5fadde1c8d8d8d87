package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/servinetwork/rebote/store/storetest"
)

// Two real "rebote serve" processes on one PostgreSQL database: the mix
// is split across both, the second gets a real SIGTERM mid-run, and the
// stats API of each (the second started again) shows exactly what both
// answered.
func TestInstancesSIGTERMLosesNothing(t *testing.T) {
	target := storetest.Postgres(t)
	rebote, err := reboteBinary()
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err = run(context.Background(), []string{"instances", "--db", target, "--rebote", rebote, "--duration", "6s", "--stop-after", "3s", "--concurrency", "4"},
		noEnv, nil, &out, &errOut)
	if err != nil {
		t.Fatalf("instances: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	report := out.String()
	for _, want := range []string{"stopped by SIGTERM", "clean exit: true", " 0 errors", "answered per instance:", "nothing lost"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if n := strings.Count(report, "analytics match what was sent ("); n != 2 {
		t.Errorf("%d instances' analytics matched, want 2:\n%s", n, report)
	}
}

// A month of traffic in seconds: the requests stand for the last 30
// days, the second instance is stopped half-way, and both instances show
// exactly what was sent over the month, its last week and today, so the
// daily and monthly rollups both instances write add up.
func TestInstancesMonthOfTraffic(t *testing.T) {
	target := storetest.Postgres(t)
	rebote, err := reboteReplayClockBinary()
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err = run(context.Background(), []string{"instances", "--db", target, "--rebote", rebote, "--requests", "3000", "--days", "30", "--concurrency", "4"},
		noEnv, nil, &out, &errOut)
	if err != nil {
		t.Fatalf("instances: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	report := out.String()
	for _, want := range []string{"3000 requests in", "standing for the last 30 days", "stopped by SIGTERM", "clean exit: true", " 0 errors", "nothing lost"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	for _, want := range []string{"analytics match what was sent over the last 30 days (", "analytics match what was sent over the last 7 days (", "analytics match what was sent ("} {
		if n := strings.Count(report, want); n != 2 {
			t.Errorf("%q %d times, want once per instance:\n%s", want, n, report)
		}
	}

	// A release build stamps everything with today: it is refused before
	// any traffic, with the reason.
	release, err := reboteBinary()
	if err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), []string{"instances", "--db", target, "--rebote", release, "--requests", "100", "--days", "30"}, noEnv, nil, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "replayclock") {
		t.Errorf("instances --days with a release build = %v, want a refusal naming -tags replayclock", err)
	}
}

// replay --url A,B checks with every instance, not only the first: two
// servers with a SQLite file each share neither figures nor tokens, and
// the check refuses B before sending anything.
func TestReplayChecksEveryInstance(t *testing.T) {
	a, token := startReplayTarget(t)
	b, tokenB := startReplayTarget(t)
	if tokenB == "" {
		t.Fatal("no token for the second server")
	}
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"replay", "--url", a + "," + b, "--requests", "200", "--concurrency", "4", "--token", token},
		noEnv, nil, &out, &errOut)
	// B has its own database, where the token of A does not exist.
	if err == nil || !strings.Contains(err.Error(), b) || !strings.Contains(err.Error(), "401") {
		t.Fatalf("replay across two unshared servers = %v, want an error naming %s\n%s", err, b, out.String())
	}
	if err := run(context.Background(), []string{"replay", "--url", a, "--url", "ftp://x"}, noEnv, nil, &out, &errOut); err == nil || !strings.Contains(err.Error(), "ftp://x") {
		t.Errorf("replay with a bad second --url = %v, want it named", err)
	}
}
