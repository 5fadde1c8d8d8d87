package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// binDir holds the server binary the tests build; TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rebote-bench-test-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// reboteBinary builds the server once, for the tests that run one.
var reboteBinary = sync.OnceValues(func() (string, error) {
	return buildRebote(context.Background(), binDir)
})

// reboteReplayClockBinary builds the test build that records a replayed
// request at the moment it names (-tags replayclock), once.
var reboteReplayClockBinary = sync.OnceValues(func() (string, error) {
	dir := filepath.Join(binDir, "replayclock")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", err
	}
	return buildRebote(context.Background(), dir, "replayclock")
})

func noEnv(string) string { return "" }

func TestHelpListsTheTools(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"help"}, noEnv, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"gen-events", "load-events", "replay", "loadtest", "instances", "hello-server"} {
		if !strings.Contains(out.String(), "rebote-bench "+cmd) {
			t.Errorf("help does not list %q:\n%s", cmd, out.String())
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	for _, args := range [][]string{nil, {"serve"}} {
		if err := run(context.Background(), args, noEnv, nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "usage") {
			t.Errorf("run(%q) = %v, want an error with the usage", args, err)
		}
	}
}
