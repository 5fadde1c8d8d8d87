// Command rebote serves Rebote, the self-service help for bounced email.
//
// Usage:
//
//	rebote [serve] [flags]             serve the web application (the default)
//	rebote health [flags]              check that a running server answers (for HEALTHCHECK)
//	rebote config [flags]              print the effective configuration (secrets masked)
//	rebote classify [--json] FILE...   diagnose bounces in files ("-" for standard input)
//	rebote staff add|token|revoke|list staff accounts and API tokens
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
  rebote staff add|token|revoke|list staff accounts and API tokens (rebote staff -h)
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
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
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

	srv, err := handlers.New(handlers.Deps{KB: kb, Search: index, Bounces: reader, Bundle: bundle, Log: log, Events: events, Stats: db, Staff: staff.New(db)}, handlers.Config{
		PublicURL:      cfg.PublicURL,
		RetentionDays:  cfg.RetentionDays,
		OriginParam:    cfg.OriginParam,
		CORSOrigins:    cfg.CORSOrigins,
		FrameAncestors: cfg.FrameAncestors,
		HSTS:           cfg.HSTS,
		RateLimit:      cfg.RateLimit,
		BehindProxy:    cfg.BehindProxy,
		Version:        buildVersion(),
		Ready:          func() error { return db.Ping(context.Background()) },
	})
	if err != nil {
		return err
	}
	background.Go(func() { srv.Run(bgCtx) })
	httpServer := &http.Server{
		Handler:           srv.Routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("version", buildVersion()), slog.Int("articles", len(kb.Articles())), slog.String("db", cfg.DB))
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

// purgeEvents deletes raw analytics events older than the retention, at
// start-up and then daily, until ctx ends.
func purgeEvents(ctx context.Context, db *store.DB, days int, log *slog.Logger) {
	for {
		n, err := db.PurgeEvents(ctx, time.Now().AddDate(0, 0, -days))
		if err != nil && ctx.Err() == nil {
			log.Error("purging old analytics events", slog.String("error", err.Error()))
		} else if n > 0 {
			log.Info("purged old analytics events", slog.Int64("events", n), slog.Int("retention_days", days))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(24 * time.Hour):
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
