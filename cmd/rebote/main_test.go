package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startApp runs the whole application on a free port with a fresh database
// and returns its base URL. The server stops when the test ends.
func startApp(tb testing.TB) string {
	tb.Helper()
	cfg := defaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.DB = filepath.Join(tb.TempDir(), "rebote.db")
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- serve(ctx, cfg, io.Discard, func(addr string) { addrc <- addr }) }()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-errc:
		tb.Fatalf("serve: %v", err)
	case <-time.After(10 * time.Second):
		tb.Fatal("server did not start")
	}
	tb.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			tb.Errorf("serve returned %v after shutdown", err)
		}
	})
	return "http://" + addr
}

func TestServeAndHealth(t *testing.T) {
	base := startApp(t)
	for _, p := range []string{"/", "/healthz", "/readyz", "/errores/buzon-lleno"} {
		res, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("GET %s = %d", p, res.StatusCode)
		}
	}
	addr := strings.TrimPrefix(base, "http://")
	if err := run(context.Background(), []string{"health", "--addr", addr}, noEnv, io.Discard, io.Discard); err != nil {
		t.Errorf("rebote health against a running server: %v", err)
	}
	if err := run(context.Background(), []string{"health", "--addr", "127.0.0.1:1"}, noEnv, io.Discard, io.Discard); err == nil {
		t.Error("rebote health succeeded with no server")
	}
}

func noEnv(string) string { return "" }

func TestConfigPrecedence(t *testing.T) {
	env := map[string]string{"REBOTE_ADDR": "127.0.0.1:9000", "REBOTE_DB": "/tmp/x.db", "REBOTE_MESSAGES_PER_HOUR": "150"}
	cfg, _, err := parseConfig("serve", []string{"--db", "/data/y.db"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9000" || cfg.DB != "/data/y.db" || cfg.Policy.MessagesPerHour != 150 {
		t.Errorf("got addr=%s db=%s mph=%d; want env addr, flag db, env limit", cfg.Addr, cfg.DB, cfg.Policy.MessagesPerHour)
	}
	def, _, err := parseConfig("serve", nil, noEnv, io.Discard)
	if err != nil || def.Addr != ":8080" || def.Policy.ProviderName != "ServiNetwork" || def.Policy.MessagesPerHour != 300 {
		t.Errorf("defaults: %+v, %v", def, err)
	}
}

func TestInvalidConfigIsRefusedWithReason(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--addr", "nonsense"}, nil, "addr"},
		{[]string{"--support-url", "ftp://x"}, nil, "support-url"},
		{[]string{"--log-format", "xml"}, nil, "log-format"},
		{nil, map[string]string{"REBOTE_MESSAGES_PER_HOUR": "muchos"}, "REBOTE_MESSAGES_PER_HOUR"},
		{[]string{"--messages-per-hour", "0"}, nil, "positive"},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		err := run(context.Background(), append([]string{"serve"}, tt.args...), func(k string) string { return tt.env[k] }, io.Discard, &stderr)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run %v %v = %v, want an error naming %q", tt.args, tt.env, err, tt.want)
		}
	}
}
