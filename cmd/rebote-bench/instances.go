package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/store"
)

const instancesUsage = `usage: rebote-bench instances --db postgres://... [--duration D] [--stop-after D] [--concurrency C] [--rebote PATH]`

// instancesCmd is "rebote-bench instances": two real "rebote serve"
// processes on one PostgreSQL database, the realistic customer mix split
// across both, and a SIGTERM to the second one mid-run. Its workers move
// to the first instance, as behind a load balancer; the second is started
// again, and the stats API of each instance must then show exactly what
// both answered: whatever the stopped one accepted was saved before it
// exited. It fails when a request failed, the stopped instance did not
// exit cleanly, or a figure differs.
func instancesCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	// Several child processes log to stderr at once.
	stderr = &lockedWriter{w: stderr}
	fs := flag.NewFlagSet("rebote-bench instances", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", getenv("REBOTE_DB"), "the PostgreSQL database both instances share, a postgres:// URL ($REBOTE_DB)")
	duration := fs.Duration("duration", 30*time.Second, "how long the customer mix runs")
	stopAfter := fs.Duration("stop-after", 0, "when to send SIGTERM to the second instance (default: half of --duration)")
	concurrency := fs.Int("concurrency", 8, "requests in flight at once, dealt between the instances")
	rebote := fs.String("rebote", "", "server binary (default: go build ./cmd/rebote into a temporary folder)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *stopAfter == 0 {
		*stopAfter = *duration / 2
	}
	if fs.NArg() > 0 || !store.IsPostgres(*db) || *duration <= 0 || *stopAfter < 0 || *stopAfter >= *duration || *concurrency < 2 {
		return errors.New(instancesUsage)
	}
	dir, err := os.MkdirTemp("", "rebote-instances-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if *rebote == "" {
		fmt.Fprintln(stdout, "building the server (./cmd/rebote)...")
		if *rebote, err = buildRebote(ctx, dir); err != nil {
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

	kb, err := knowledge.Load(knowledge.DefaultPolicy())
	if err != nil {
		return err
	}
	plan, err := newReplayPlan(kb, defaultMix, 1)
	if err != nil {
		return err
	}
	bases := []string{a.base, b.base}
	hosts := []string{strings.TrimPrefix(a.base, "http://"), strings.TrimPrefix(b.base, "http://")}
	r := &replayer{bases: bases, client: newReplayClient(*concurrency, hosts...), plan: plan, stderr: stderr}
	day := utcDate(time.Now())
	before, err := r.fetchStats(ctx, a.base, token)
	if err != nil {
		return fmt.Errorf("instances: %w", err)
	}

	fmt.Fprintf(stdout, "replaying the customer mix for %s across %s and %s; SIGTERM to the second after %s...\n", *duration, a.base, b.base, *stopAfter)
	var stopErr error
	stopped := make(chan struct{})
	timer := time.AfterFunc(*stopAfter, func() {
		defer close(stopped)
		began := time.Now()
		stopErr = b.stop()
		fmt.Fprintf(stdout, "second instance stopped by SIGTERM in %s (clean exit: %v)\n", time.Since(began).Round(time.Millisecond), stopErr == nil)
	})
	res := r.run(ctx, *concurrency, 0, *duration, 0, 1)
	if timer.Stop() {
		close(stopped) // the run ended early (interrupted): nothing was stopped
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
	analyticsErr := r.checkAnalytics(ctx, stdout, token, day, []string{a.base, b2.base}, []statsSnapshot{before, before}, res.sent)

	var errs []error
	if res.failed > 0 {
		errs = append(errs, fmt.Errorf("%d of %d requests failed", res.failed, res.total))
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
