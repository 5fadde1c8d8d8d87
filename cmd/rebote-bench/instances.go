package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/servinetwork/rebote/store"
)

const instancesUsage = `usage: rebote-bench instances --db postgres://... [--duration D] [--stop-after D] [--concurrency C] [--rebote PATH]
       rebote-bench instances --db postgres://... --requests N --days D [--concurrency C] [--rebote PATH]`

// instancesCmd is "rebote-bench instances": two real "rebote serve"
// processes on one PostgreSQL database, the realistic customer mix split
// across both, and a SIGTERM to the second one mid-run. Its workers move
// to the first instance, as behind a load balancer; the second is started
// again, and the stats API of each instance must then show exactly what
// both answered: whatever the stopped one accepted was saved before it
// exited. It fails when a request failed, the stopped instance did not
// exit cleanly, or a figure differs.
//
// With --requests N --days D it sends N requests standing for the last D
// days (a month of traffic: --days 30), stops the second instance when
// half are out, and checks the figures of the whole period, its last week
// and today. The servers are then a test build (-tags replayclock) that
// records each request's analytics at the moment the request names.
func instancesCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	// Several child processes log to stderr at once.
	stderr = &lockedWriter{w: stderr}
	fs := flag.NewFlagSet("rebote-bench instances", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", getenv("REBOTE_DB"), "the PostgreSQL database both instances share, a postgres:// URL ($REBOTE_DB)")
	duration := fs.Duration("duration", 30*time.Second, "how long the customer mix runs")
	stopAfter := fs.Duration("stop-after", 0, "when to send SIGTERM to the second instance (default: half of --duration)")
	concurrency := fs.Int("concurrency", 8, "requests in flight at once, dealt between the instances")
	rebote := fs.String("rebote", "", "server binary (default: go build ./cmd/rebote into a temporary folder; with --days, -tags replayclock)")
	requests := fs.Int("requests", 0, "send this many requests, SIGTERM to the second instance when half are out (0: run for --duration)")
	days := fs.Int("days", 0, "with --requests: the requests stand for the last D days, oldest first (0: now)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *requests > 0 {
		// --duration is then only the longest the run may take.
		if !flagSet(fs, "duration") {
			*duration = time.Hour
		}
	} else if *stopAfter == 0 {
		*stopAfter = *duration / 2
	}
	if fs.NArg() > 0 || !store.IsPostgres(*db) || *duration <= 0 || *concurrency < 2 || *requests < 0 || *days < 0 ||
		(*requests == 0 && (*stopAfter < 0 || *stopAfter >= *duration || *days > 0)) ||
		(*requests > 0 && (*requests < 4 || flagSet(fs, "stop-after"))) {
		return errors.New(instancesUsage)
	}
	dir, err := os.MkdirTemp("", "rebote-instances-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if *rebote == "" {
		var tags []string
		if *days > 0 {
			tags = []string{"replayclock"}
		}
		fmt.Fprintf(stdout, "building the server (./cmd/rebote%s)...\n", strings.Join(append([]string{""}, tags...), " -tags "))
		if *rebote, err = buildRebote(ctx, dir, tags...); err != nil {
			return fmt.Errorf("instances: %w", err)
		}
	}
	// A staff account of its own, so runs on the same database do not
	// collide.
	token, err := staffToken(ctx, *rebote, *db, fmt.Sprintf("instances-%d", time.Now().UnixNano()))
	if err != nil {
		return fmt.Errorf("instances: %w", err)
	}
	serve := func() (*child, error) {
		return startChild(ctx, *rebote, stderr, "serve", "--db", *db, "--rate-limit", "0", "--log-level", "warn")
	}
	a, err := serve()
	if err != nil {
		return err
	}
	defer a.stop()
	b, err := serve()
	if err != nil {
		return err
	}
	defer b.stop()

	plan, err := loadReplayPlan(defaultMix, 1)
	if err != nil {
		return err
	}
	bases := []string{a.base, b.base}
	hosts := []string{strings.TrimPrefix(a.base, "http://"), strings.TrimPrefix(b.base, "http://")}
	r := &replayer{bases: bases, client: newReplayClient(*concurrency, hosts...), plan: plan, stderr: stderr}
	now := time.Now()
	day := utcDate(now)
	// The periods checked: today, and with --days the whole period and its
	// last week, each against what was sent for its days.
	windows := []int{1}
	if *days > 0 {
		if err := requireReplayClock(ctx, r.client, a.base); err != nil {
			return fmt.Errorf("instances: %w", err)
		}
		first := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -(*days - 1))
		r.spread.from, r.spread.to = first, now
		windows = []int{*days}
		if *days > 7 {
			windows = append(windows, 7)
		}
		if *days > 1 {
			windows = append(windows, 1)
		}
	}
	before := make(map[int]statsSnapshot)
	for _, w := range windows {
		if before[w], err = r.fetchStats(ctx, a.base, token, w); err != nil {
			return fmt.Errorf("instances: %w", err)
		}
	}

	var stopErr error
	stopped := make(chan struct{})
	stopB := func() {
		defer close(stopped)
		began := time.Now()
		stopErr = b.stop()
		fmt.Fprintf(stdout, "second instance stopped by SIGTERM in %s (clean exit: %v)\n", time.Since(began).Round(time.Millisecond), stopErr == nil)
	}
	var res replayResult
	if *requests > 0 {
		what := "now"
		if *days > 0 {
			what = fmt.Sprintf("the last %d days (%s to %s)", *days, utcDate(r.spread.from), day)
		}
		fmt.Fprintf(stdout, "replaying %d requests of the customer mix, standing for %s, across %s and %s; SIGTERM to the second when half are out...\n",
			*requests, what, a.base, b.base)
		var once sync.Once
		r.halfway = func() { once.Do(stopB) }
		res = r.run(ctx, *concurrency, *requests, *duration, 0, 1)
		once.Do(func() { close(stopped) }) // fewer requests went out (interrupted): nothing was stopped
	} else {
		fmt.Fprintf(stdout, "replaying the customer mix for %s across %s and %s; SIGTERM to the second after %s...\n", *duration, a.base, b.base, *stopAfter)
		timer := time.AfterFunc(*stopAfter, stopB)
		res = r.run(ctx, *concurrency, 0, *duration, 0, 1)
		if timer.Stop() {
			close(stopped) // the run ended early (interrupted): nothing was stopped
		}
	}
	<-stopped
	res.print(stdout, *concurrency, 0, 1)
	if ctx.Err() != nil {
		return ctx.Err()
	}

	// The stopped instance, started again, must show the same figures as
	// the one that kept running.
	b2, err := serve()
	if err != nil {
		return err
	}
	defer b2.stop()
	r.client = newReplayClient(*concurrency, append(hosts, strings.TrimPrefix(b2.base, "http://"))...)
	var analyticsErr error
	for _, w := range windows {
		sent := res.sentSince(utcDate(now.AddDate(0, 0, -(w - 1))))
		if err := r.checkAnalytics(ctx, stdout, token, day, w, []string{a.base, b2.base}, []statsSnapshot{before[w], before[w]}, sent); err != nil {
			analyticsErr = errors.Join(analyticsErr, err)
		}
	}

	var errs []error
	if res.failed > 0 {
		errs = append(errs, fmt.Errorf("%d of %d requests failed", res.failed, res.total))
	}
	if *requests > 0 && res.total != *requests {
		errs = append(errs, fmt.Errorf("%d of %d requests went out before --duration %s ran out", res.total, *requests, *duration))
	}
	if res.perBase[b.base] == 0 {
		errs = append(errs, errors.New("the second instance answered no request before it was stopped"))
	}
	if stopErr != nil {
		errs = append(errs, fmt.Errorf("the second instance's stop: %w", stopErr))
	}
	if analyticsErr != nil {
		errs = append(errs, analyticsErr)
	}
	if len(errs) > 0 {
		return fmt.Errorf("instances: %w", errors.Join(errs...))
	}
	fmt.Fprintln(stdout, "nothing lost: both instances show every answered request")
	return nil
}

// flagSet reports whether the command line named the flag.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// requireReplayClock fails unless the server at base is a test build that
// records a replayed request at the moment it names: a release build
// would stamp a month of traffic with today, and the check would fail for
// a reason that has nothing to do with the store.
func requireReplayClock(ctx context.Context, client *http.Client, base string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if err != nil {
		return err
	}
	if !strings.Contains(string(body), "replay-clock") {
		return fmt.Errorf("--days needs a server built with -tags replayclock (its /healthz says %q); leave out --rebote to have one built", strings.TrimSpace(string(body)))
	}
	return nil
}
