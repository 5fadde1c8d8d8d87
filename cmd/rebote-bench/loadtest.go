package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The floors the load test proves, from the hardening issue.
const (
	floorPageShare     = 0.60 // article and search pages against a bare chi handler
	floorPageP99       = 20 * time.Millisecond
	floorDiagnosisP99  = 50 * time.Millisecond
	floorResidentBytes = 100 << 20
)

const loadtestUsage = `usage: rebote-bench loadtest [--duration 60s] [--compare 10s] [--concurrency 8] [--rebote PATH]`

// loadtestCmd is "rebote-bench loadtest": it starts "rebote serve" on
// 127.0.0.1 (a child process with a fresh database, as in production),
// measures article and search pages against a bare chi "hello" server
// ("rebote-bench hello-server", started the same way), replays the
// realistic customer mix for --duration, checks the analytics recorded
// every event, and reads the server's peak resident memory. It prints each
// figure against its floor and fails when one is missed.
//
// The server is built from this module's ./cmd/rebote, so the figures are
// those of the sources the test runs from, unless --rebote names a binary.
func loadtestCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	// Several child processes log to stderr at once.
	stderr = &lockedWriter{w: stderr}
	fs := flag.NewFlagSet("rebote-bench loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	duration := fs.Duration("duration", 60*time.Second, "how long the realistic mix runs")
	compare := fs.Duration("compare", 10*time.Second, "how long each throughput comparison runs")
	concurrency := fs.Int("concurrency", 8, "requests in flight at once")
	rebote := fs.String("rebote", "", "server binary to measure (default: go build ./cmd/rebote into a temporary folder)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *duration <= 0 || *compare <= 0 || *concurrency < 1 {
		return errors.New(loadtestUsage)
	}
	bench, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "rebote-loadtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if *rebote == "" {
		fmt.Fprintln(stdout, "building the server (./cmd/rebote)...")
		if *rebote, err = buildRebote(ctx, dir); err != nil {
			return fmt.Errorf("loadtest: %w", err)
		}
	}
	// 1. The baseline: a bare chi router answering "hello".
	hello, err := startChild(ctx, bench, stderr, "hello-server")
	if err != nil {
		return err
	}
	defer hello.stop()
	helloClient := newReplayClient(*concurrency, strings.TrimPrefix(hello.base, "http://"))

	// 2. Rebote, with a fresh database and no rate limit (all traffic
	// comes from one address here).
	db := filepath.Join(dir, "rebote.db")
	server, err := startChild(ctx, *rebote, stderr, "serve", "--db", db, "--rate-limit", "0", "--log-level", "warn")
	if err != nil {
		return err
	}
	defer server.stop()
	client := newReplayClient(*concurrency, strings.TrimPrefix(server.base, "http://"))
	token, err := staffToken(ctx, *rebote, db, "loadtest")
	if err != nil {
		return fmt.Errorf("loadtest: %w", err)
	}

	// The baseline is measured before and after the pages, and averaged,
	// so a machine that speeds up or slows down during the run favours
	// neither side.
	fmt.Fprintf(stdout, "measuring a bare chi handler, the article page, the search page and the handler again, %s each...\n", *compare)
	// Both servers warm up first (connections, caches, the heap's size).
	throughput(ctx, helloClient, hello.base+"/hello", *concurrency, 2*time.Second)
	throughput(ctx, client, server.base+"/errores/buzon-lleno", *concurrency, time.Second)
	throughput(ctx, client, server.base+"/buscar?q=buzon+lleno", *concurrency, time.Second)
	helloBefore := throughput(ctx, helloClient, hello.base+"/hello", *concurrency, *compare)
	articleRate := throughput(ctx, client, server.base+"/errores/buzon-lleno", *concurrency, *compare)
	searchRate := throughput(ctx, client, server.base+"/buscar?q=buzon+lleno", *concurrency, *compare)
	helloAfter := throughput(ctx, helloClient, hello.base+"/hello", *concurrency, *compare)
	helloRate := (helloBefore + helloAfter) / 2
	hello.stop()

	// 3. The realistic mix, with the analytics check.
	fmt.Fprintf(stdout, "replaying the customer mix for %s...\n", *duration)
	plan, err := loadReplayPlan(defaultMix, 1)
	if err != nil {
		return err
	}
	r := &replayer{bases: []string{server.base}, client: client, plan: plan, stderr: stderr}
	day := utcDate(time.Now())
	before, err := r.fetchStats(ctx, server.base, token, 1)
	if err != nil {
		return fmt.Errorf("loadtest: %w", err)
	}
	res := r.run(ctx, *concurrency, 0, *duration, 0, 1)
	res.print(stdout, *concurrency, 0, 1)
	analyticsErr := r.checkAnalytics(ctx, stdout, token, day, 1, r.bases, []statsSnapshot{before}, res.sent)

	// 4. Memory, then a clean stop that must flush every event.
	peak, current := residentMemory(server.cmd.Process.Pid)
	stopErr := server.stop()

	// The verdict.
	pages := mergeLatencies(res, kindHome, kindArticle, kindSearch, kindVote, kindSupport)
	diagnoses := mergeLatencies(res, kindDiagnosis, kindClassify)
	var failed []string
	check := func(name, figure, floor string, ok bool) {
		verdict := "ok"
		if !ok {
			verdict = "FAIL"
			failed = append(failed, name)
		}
		fmt.Fprintf(stdout, "%-34s %-28s %-14s %s\n", name, figure, floor, verdict)
	}
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "%-34s %-28s %-14s %s\n", "measure", "figure", "floor", "")
	check("bare chi handler (mean of 2)", fmt.Sprintf("%.0f req/s (%.0f, %.0f)", helloRate, helloBefore, helloAfter), "", true)
	check("article page", fmt.Sprintf("%.0f req/s (%.0f%%)", articleRate, 100*articleRate/helloRate), "≥ 60%", articleRate >= floorPageShare*helloRate)
	check("search page", fmt.Sprintf("%.0f req/s (%.0f%%)", searchRate, 100*searchRate/helloRate), "≥ 60%", searchRate >= floorPageShare*helloRate)
	check("mix: errors", fmt.Sprintf("%d of %d", res.failed, res.total), "0", res.failed == 0)
	check("mix: analytics match what was sent", fmt.Sprint(analyticsErr == nil), "true", analyticsErr == nil)
	check("mix: pages p99", fmtMillis(percentile(pages, 99)), "< 20 ms", percentile(pages, 99) < floorPageP99)
	check("mix: diagnoses p99", fmtMillis(percentile(diagnoses, 99)), "< 50 ms", percentile(diagnoses, 99) < floorDiagnosisP99)
	check("server peak resident memory", fmt.Sprintf("%.1f MB (now %.1f MB)", float64(peak)/(1<<20), float64(current)/(1<<20)), "< 100 MB", peak > 0 && peak < floorResidentBytes)
	check("clean shutdown (SIGTERM)", fmt.Sprint(stopErr == nil), "true", stopErr == nil)
	if len(failed) > 0 {
		return fmt.Errorf("loadtest: below the floor: %s", strings.Join(failed, ", "))
	}
	return nil
}

// child is a server process started by the load test.
type child struct {
	cmd  *exec.Cmd
	base string
	once sync.Once
	err  error
}

// buildRebote compiles the server from this module's sources into dir and
// returns the binary's path.
func buildRebote(ctx context.Context, dir string, tags ...string) (string, error) {
	exe := filepath.Join(dir, "rebote")
	args := []string{"build", "-o", exe}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	cmd := exec.CommandContext(ctx, "go", append(args, "github.com/servinetwork/rebote/cmd/rebote")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/rebote (run from the module, or name a binary with --rebote): %w\n%s", err, out)
	}
	return exe, nil
}

// staffToken creates the staff account name in the database at db (a
// file or a postgres:// URL) with the server's own "staff" command, and
// returns an API token for it: the analytics check reads the stats API.
func staffToken(ctx context.Context, rebote, db, name string) (string, error) {
	add := exec.CommandContext(ctx, rebote, "staff", "add", "--db", db, name)
	add.Stdin = strings.NewReader("contraseña de la prueba de carga\n")
	if out, err := add.CombinedOutput(); err != nil {
		return "", fmt.Errorf("staff account: %w\n%s", err, out)
	}
	var stderr strings.Builder
	token := exec.CommandContext(ctx, rebote, "staff", "token", "--db", db, name)
	token.Stderr = &stderr
	out, err := token.Output()
	if err != nil {
		return "", fmt.Errorf("API token: %w\n%s", err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

// lockedWriter lets several child processes write their logs to one
// writer: os/exec copies a child's output from a goroutine of its own
// unless the writer is a file, so two children would write at once.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// startChild runs the binary exe with args and --addr on a free port of
// 127.0.0.1, and waits until it answers.
func startChild(ctx context.Context, exe string, stderr io.Writer, args ...string) (*child, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(exe, append(args, "--addr", addr)...)
	cmd.Stdout = io.Discard
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, base: "http://" + addr}
	for deadline := time.Now().Add(15 * time.Second); ; {
		res, err := http.Get(c.base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return c, nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			c.stop()
			return nil, fmt.Errorf("loadtest: %s did not start on %s", args[0], addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits: a clean exit is nil.
func (c *child) stop() error {
	c.once.Do(func() {
		c.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- c.cmd.Wait() }()
		select {
		case c.err = <-done:
		case <-time.After(30 * time.Second):
			c.cmd.Process.Kill()
			c.err = errors.New("did not stop within 30 s of SIGTERM")
		}
	})
	return c.err
}

// throughput requests url from concurrency workers for d and returns the
// successful answers per second. It asks for gzip as a browser does but
// reads the compressed bytes as they come: unpacking them is the
// browser's work, on the customer's machine, and a Go client doing it on
// the server's two cores halved the page figures it measured.
func throughput(ctx context.Context, client *http.Client, url string, concurrency int, d time.Duration) float64 {
	var ok atomic.Int64
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				if err != nil {
					return
				}
				// Set by hand, the transport leaves the body compressed.
				req.Header.Set("Accept-Encoding", "gzip")
				res, err := client.Do(req)
				if err != nil {
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					ok.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return float64(ok.Load()) / time.Since(start).Seconds()
}

func mergeLatencies(res replayResult, kinds ...requestKind) []time.Duration {
	var out []time.Duration
	for _, k := range kinds {
		out = append(out, res.latencies[k]...)
	}
	slices.Sort(out)
	return out
}

func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return nearestRank(sorted, p)
}

func fmtMillis(d time.Duration) string { return fmt.Sprintf("%.2f ms", durationMillis(d)) }

// residentMemory reads a process's peak and current resident set size
// from /proc (Linux); zeros elsewhere.
func residentMemory(pid int) (peak, current int64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(value)
		if len(fields) == 0 {
			continue
		}
		kb, _ := strconv.ParseInt(fields[0], 10, 64)
		switch name {
		case "VmHWM":
			peak = kb << 10
		case "VmRSS":
			current = kb << 10
		}
	}
	return peak, current
}
