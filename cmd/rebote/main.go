// Command rebote serves Rebote, the self-service help for bounced email.
//
// Usage:
//
//	rebote [serve] [flags]             serve the web application (the default)
//	rebote health [flags]              check that a running server answers (for HEALTHCHECK)
//	rebote config [flags]              print the effective configuration (secrets masked)
//	rebote classify [--json] FILE...   diagnose bounces in files ("-" for standard input)
//	rebote staff COMMAND ...           staff accounts and API tokens: add, password, disable,
//	                                   enable, token, revoke, list
//	rebote db copy --from F --to URL   move a SQLite history into PostgreSQL
//	rebote version                     print the version (also rebote --version)
//
// Every flag has a REBOTE_* environment variable; run "rebote serve -h" for
// the list, or see the README.
//
// The binary carries only what operators run. The developer tools (the
// classifier's evaluation, synthetic analytics, traffic replay, the load
// test) are a separate command:
// go run ./cmd/rebote-bench help.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/dnscheck"
	"github.com/servinetwork/rebote/handlers"
	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/bounce"
	"github.com/servinetwork/rebote/knowledge/search"
	"github.com/servinetwork/rebote/locales"
	"github.com/servinetwork/rebote/staff"
	"github.com/servinetwork/rebote/store"
)

const usage = `usage:
  rebote [serve] [flags]             serve the web application (rebote serve -h lists the flags)
  rebote health [flags]              check that a running server answers
  rebote config [flags]              print the effective configuration (secrets masked)
  rebote classify [--json] FILE...   diagnose bounces in files ("-" for standard input)
  rebote staff COMMAND ...           staff accounts and API tokens (rebote staff -h)
  rebote db copy --from F --to URL   move a SQLite history into PostgreSQL (rebote db -h)
  rebote version                     print the version (also rebote --version)`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "rebote:", err)
		os.Exit(1)
	}
}

// run dispatches a subcommand. It is main without the process: tests call
// it with their own arguments, environment and writers.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	switch {
	case len(args) > 0 && (args[0] == "--version" || args[0] == "-version"):
		cmd, args = "version", args[1:]
	case len(args) > 0 && args[0] != "" && args[0][0] != '-':
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		cfg, _, err := parseConfig(cmd, args, getenv, stderr)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, stderr, nil)
	case "health":
		cfg, _, err := parseConfig(cmd, args, getenv, stderr)
		if err != nil {
			return err
		}
		return health(ctx, cfg.Addr)
	case "classify":
		return classifyCmd(args, getenv, stdin, stdout, stderr)
	case "config":
		return configCmd(args, getenv, stdout, stderr)
	case "staff":
		return staffCmd(ctx, args, getenv, stdin, stdout, stderr)
	case "db":
		return dbCmd(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "rebote", buildVersion())
		return nil
	case "eval", "gen-events", "load-events", "replay", "loadtest", "hello-server":
		return fmt.Errorf("unknown command %q\ndeveloper tools moved: go run ./cmd/rebote-bench %s", cmd, cmd)
	case "help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
}

// serve runs the web server until ctx is cancelled, then shuts down
// gracefully. onListen, when set, receives the bound address (tests use
// it with port 0).
func serve(ctx context.Context, cfg Config, logOut io.Writer, onListen func(addr string)) error {
	log := newLogger(cfg, logOut)
	if cfg.MemoryLimit > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(cfg.MemoryLimit) << 20)
	}
	kb, err := knowledge.Load(cfg.Policy)
	if err != nil {
		return err
	}
	index, err := search.New(kb)
	if err != nil {
		return err
	}
	reader, err := bounce.NewWithSearch(kb, index)
	if err != nil {
		return err
	}
	bundle, err := locales.NewBundle()
	if err != nil {
		return err
	}
	dnsCfg, err := cfg.dnsConfig()
	if err != nil {
		return err
	}
	checks, err := dnscheck.New(dnsCfg)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	// A damaged file is refused before anything is served or written: it
	// reads the whole file (about 2.5 s per 100 MB on a small server).
	checkStart := time.Now()
	if err := db.QuickCheck(ctx); err != nil {
		return err
	}
	log.Info("database checked", slog.String("db", db.Path()), slog.Duration("duration", time.Since(checkStart)))
	// A database that cannot be written does not stop the server (pages
	// work, and the writer recovers once it can), but it is said at once.
	if err := db.Check(ctx); err != nil {
		log.Error("database not ready: /readyz answers 503 until this is fixed", slog.String("db", db.Path()), slog.String("error", err.Error()))
	} else if n, err := db.Remask(ctx); err != nil {
		log.Error("masking stored analytics with the current rules", slog.String("error", err.Error()))
	} else if n > 0 {
		log.Info("stored analytics masked with the current rules", slog.Int64("rows", n), slog.Int("mask_version", analytics.MaskVersion))
	}
	events := analytics.NewRecorder(db, log, analytics.Options{})
	// Closed after the HTTP server has finished its requests (defers run
	// last in, first out), so every event accepted before shutdown is saved.
	defer func() {
		flushCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := events.Close(flushCtx); err != nil {
			log.Error("analytics not flushed", slog.String("error", err.Error()))
		}
	}()
	// Background work stops when shutdown begins, and serve waits for it
	// before the analytics flush and the database close (defers run last
	// in, first out).
	bgCtx, stopBackground := context.WithCancel(ctx)
	var background sync.WaitGroup
	defer func() {
		stopBackground()
		background.Wait()
	}()
	background.Go(func() { purgeEvents(bgCtx, db, cfg.RetentionDays, log) })
	ready := &readiness{db: db, events: events}
	background.Go(func() { watchDatabase(bgCtx, db, ready, log) })

	srv, err := handlers.New(handlers.Deps{KB: kb, Search: index, Bounces: reader, Bundle: bundle, Log: log, Events: events, Stats: db, Staff: staff.New(db), Checks: checks}, handlers.Config{
		PublicURL:      cfg.PublicURL,
		RetentionDays:  cfg.RetentionDays,
		OriginParam:    cfg.OriginParam,
		CORSOrigins:    cfg.CORSOrigins,
		FrameAncestors: cfg.FrameAncestors,
		HSTS:           cfg.HSTS,
		RateLimit:      cfg.RateLimit,
		BehindProxy:    cfg.BehindProxy,
		ProxyHeader:    cfg.ProxyHeader,
		WriteTimeout:   writeTimeout,
		Version:        buildVersion(),
		Ready:          ready.check,
	})
	if err != nil {
		return err
	}
	background.Go(func() { srv.Run(bgCtx) })
	httpServer := &http.Server{
		Handler:           srv.Routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("version", buildVersion()), slog.Int("articles", len(kb.Articles())), slog.String("db", db.Path()))
	if onListen != nil {
		onListen(ln.Addr().String())
	}

	errc := make(chan error, 1)
	go func() { errc <- httpServer.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// writeTimeout is the HTTP server's write timeout; the request log says
// when an answer came after it.
const writeTimeout = 30 * time.Second

// purgeEvents deletes raw analytics events older than the retention, and
// the rollups' long tail of searches and lines seen once, at start-up and
// then daily, until ctx ends.
func purgeEvents(ctx context.Context, db *store.DB, days int, log *slog.Logger) {
	for {
		before := time.Now().AddDate(0, 0, -days)
		n, err := db.PurgeEvents(ctx, before)
		if err != nil && ctx.Err() == nil {
			log.Error("purging old analytics events", slog.String("error", err.Error()))
		} else if n > 0 {
			log.Info("purged old analytics events", slog.Int64("events", n), slog.Int("retention_days", days))
		}
		n, err = db.PurgeRollups(ctx, before)
		if err != nil && ctx.Err() == nil {
			log.Error("purging the rollups' long tail", slog.String("error", err.Error()))
		} else if n > 0 {
			log.Info("purged searches and lines seen once from old rollups", slog.Int64("rows", n), slog.Int("retention_days", days))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(24 * time.Hour):
		}
	}
}

// readiness is /readyz's verdict: the database file at its path is the
// one opened, answers, can be written and was undamaged at its last
// QuickCheck, and the analytics writer is saving. A verdict is reused for
// a second, so a flood of probes cannot keep the database's write lock
// busy (the write check takes it).
type readiness struct {
	db     *store.DB
	events *analytics.Recorder

	mu  sync.Mutex
	at  time.Time
	err error
}

func (r *readiness) check() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.at) < time.Second {
		return r.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	r.err = errors.Join(r.db.Check(ctx), r.events.Err())
	r.at = time.Now()
	return r.err
}

// databaseCheckEvery is how often watchDatabase looks at the database at
// most: PRAGMA quick_check reads the whole file. databaseCheckSpacing is
// how many times as long as the last quick_check took it waits at least.
var (
	databaseCheckEvery   = time.Minute
	databaseCheckSpacing = 20
)

// watchDatabase checks the database until ctx ends, for damage
// (quick_check) and for everything /readyz checks, so a database deleted,
// damaged or made read-only under a running server is logged loudly even
// when nothing probes /readyz: an ERROR when it goes wrong, again every
// ten checks while it stays wrong, an INFO when it is right again. It
// waits databaseCheckEvery between checks, or twenty times as long as the
// last quick_check took if that is longer, so a big file costs a few
// percent of a core at most.
func watchDatabase(ctx context.Context, db *store.DB, ready *readiness, log *slog.Logger) {
	wait := databaseCheckEvery
	failing := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		start := time.Now()
		checkCtx, cancel := context.WithTimeout(ctx, 10*time.Minute)
		err := db.QuickCheck(checkCtx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		wait = max(databaseCheckEvery, time.Duration(databaseCheckSpacing)*time.Since(start))
		if err == nil {
			ready.mu.Lock()
			ready.at = time.Time{} // a fresh verdict
			ready.mu.Unlock()
			err = ready.check()
		}
		switch {
		case err != nil:
			if failing%10 == 0 {
				log.Error("database not ready: /readyz answers 503", slog.String("db", db.Path()), slog.String("error", err.Error()))
			}
			failing++
		case failing > 0:
			log.Info("database ready again", slog.String("db", db.Path()))
			failing = 0
		}
	}
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	level, _ := parseLevel(cfg.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// health asks a server on addr for /healthz. It is the Docker HEALTHCHECK:
// the image has no curl.
func health(ctx context.Context, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s answered %s", addr, resp.Status)
	}
	return nil
}
