// Command rebote-bench holds Rebote's developer tools: the classifier's
// evaluation on a labelled corpus, synthetic analytics, realistic customer
// traffic and the load test that proves the speed floors. They live apart from the server binary, which carries only what
// operators run.
//
// Usage (from the module's root, go run ./cmd/rebote-bench COMMAND):
//
//	rebote-bench eval [--misses] DIR       score the classifier on a folder with labels.jsonl
//	rebote-bench gen-events [flags]        fill a database with synthetic analytics events
//	rebote-bench load-events [flags]       record events at a steady rate and check none is lost
//	rebote-bench replay --url URL [flags]  send realistic customer traffic to servers, measure it, check their analytics
//	rebote-bench loadtest [flags]          prove the speed floors against a local server
//	rebote-bench instances --db URL        two servers on one PostgreSQL, one stopped mid-run: nothing lost
//	rebote-bench hello-server [--addr]     a bare chi "hello" server, the load test's baseline
//	rebote-bench help                      this list
//
// gen-events and load-events write to --db or $REBOTE_DB; replay checks
// the analytics with --token or $REBOTE_TOKEN, a staff API token. loadtest
// builds "rebote serve" from ./cmd/rebote (or runs --rebote PATH) and this
// binary's hello-server as child processes. Run "rebote-bench COMMAND -h"
// for a command's flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage (go run ./cmd/rebote-bench COMMAND):
  rebote-bench eval [--misses] DIR       score the classifier on a folder with labels.jsonl
  rebote-bench gen-events [flags]        fill a database with synthetic analytics events
  rebote-bench load-events [flags]       record events at a steady rate and check none is lost
  rebote-bench replay --url URL [flags]  send realistic customer traffic to servers, measure it, check their analytics
  rebote-bench loadtest [flags]          prove the speed floors against a local server (runs about 90 s)
  rebote-bench instances --db URL        two servers on one PostgreSQL, one stopped mid-run: nothing lost
  rebote-bench hello-server [--addr]     a bare chi "hello" server, the load test's baseline
  rebote-bench help                      this list`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "rebote-bench:", err)
		os.Exit(1)
	}
}

// run dispatches a subcommand. It is main without the process: tests call
// it with their own arguments, environment and writers.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "eval":
		return evalCmd(args, stdout, stderr)
	case "gen-events":
		return genEventsCmd(ctx, args, getenv, stdout, stderr)
	case "load-events":
		return loadEventsCmd(ctx, args, getenv, stdout, stderr)
	case "replay":
		return replayCmd(ctx, args, getenv, stdout, stderr)
	case "loadtest":
		return loadtestCmd(ctx, args, stdout, stderr)
	case "instances":
		return instancesCmd(ctx, args, getenv, stdout, stderr)
	case "hello-server":
		return helloServerCmd(ctx, args, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
}
