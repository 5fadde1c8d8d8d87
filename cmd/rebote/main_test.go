package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/servinetwork/rebote/store"
)

// startApp runs the whole application on a free port with a fresh database
// and returns its base URL. The server stops when the test ends.
func startApp(tb testing.TB) string {
	tb.Helper()
	cfg := defaultConfig()
	cfg.DB = filepath.Join(tb.TempDir(), "rebote.db")
	base, stop := startAppWith(tb, cfg)
	tb.Cleanup(func() {
		if err := stop(); err != nil {
			tb.Errorf("serve returned %v after shutdown", err)
		}
	})
	return base
}

// startAppWith runs the application with cfg on a free port; stop shuts it
// down as SIGTERM does and returns what serve returned.
func startAppWith(tb testing.TB, cfg Config) (base string, stop func() error) {
	tb.Helper()
	return startAppLogging(tb, cfg, io.Discard)
}

// startAppLogging is startAppWith writing the server's log to logOut.
func startAppLogging(tb testing.TB, cfg Config, logOut io.Writer) (base string, stop func() error) {
	tb.Helper()
	cfg.Addr = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- serve(ctx, cfg, logOut, func(addr string) { addrc <- addr }) }()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-errc:
		tb.Fatalf("serve: %v", err)
	case <-time.After(10 * time.Second):
		tb.Fatal("server did not start")
	}
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			err = <-errc
		})
		return err
	}
	tb.Cleanup(func() { stop() })
	return "http://" + addr, stop
}

// Shutting down saves every event accepted before: none is lost.
func TestShutdownFlushesAnalytics(t *testing.T) {
	cfg := defaultConfig()
	cfg.DB = filepath.Join(t.TempDir(), "rebote.db")
	base, stop := startAppWith(t, cfg)
	const visits = 400
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < visits/8; j++ {
				res, err := http.Get(base + "/errores/buzon-lleno?origen=ticket")
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		}()
	}
	wg.Wait()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), cfg.DB)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, _ := db.CountEvents(context.Background(), "view"); n != visits {
		t.Errorf("%d article views stored after shutdown, want %d", n, visits)
	}
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
	if err := run(context.Background(), []string{"health", "--addr", addr}, noEnv, nil, io.Discard, io.Discard); err != nil {
		t.Errorf("rebote health against a running server: %v", err)
	}
	if err := run(context.Background(), []string{"health", "--addr", "127.0.0.1:1"}, noEnv, nil, io.Discard, io.Discard); err == nil {
		t.Error("rebote health succeeded with no server")
	}
}

func noEnv(string) string { return "" }

// rebote --version and rebote version print the build, and /healthz
// shows the same.
func TestVersion(t *testing.T) {
	defer func(v string) { version = v }(version)
	version = "v1.2.3-test"
	for _, args := range [][]string{{"--version"}, {"-version"}, {"version"}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, noEnv, nil, &out, io.Discard); err != nil {
			t.Fatalf("rebote %s: %v", args[0], err)
		}
		if got, want := out.String(), "rebote v1.2.3-test\n"; got != want {
			t.Errorf("rebote %s printed %q, want %q", args[0], got, want)
		}
	}
	res, err := http.Get(startApp(t) + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if got, want := string(body), "ok v1.2.3-test\n"; got != want {
		t.Errorf("GET /healthz = %q, want %q", got, want)
	}
}

func TestVCSVersion(t *testing.T) {
	build := func(settings ...string) *debug.BuildInfo {
		info := &debug.BuildInfo{}
		for i := 0; i < len(settings); i += 2 {
			info.Settings = append(info.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return info
	}
	tests := []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"no build info", nil, "dev"},
		{"no vcs", build("GOOS", "linux"), "dev"},
		{"clean", build("vcs.revision", "0123456789abcdef0123", "vcs.modified", "false"), "0123456789ab"},
		{"dirty", build("vcs.revision", "0123456789abcdef0123", "vcs.modified", "true"), "0123456789ab-dirty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := vcsVersion(tt.info); got != tt.want {
				t.Errorf("vcsVersion(%v) = %q, want %q", tt.info, got, tt.want)
			}
		})
	}
}

// The developer tools left the server binary: asking for one says where
// it went.
func TestDeveloperToolsMoved(t *testing.T) {
	for _, cmd := range []string{"eval", "gen-events", "load-events", "replay", "loadtest", "hello-server"} {
		err := run(context.Background(), []string{cmd, "--db", filepath.Join(t.TempDir(), "x.db")}, noEnv, nil, io.Discard, io.Discard)
		if err == nil {
			t.Errorf("rebote %s succeeded", cmd)
			continue
		}
		for _, want := range []string{"unknown command " + strconv.Quote(cmd), "go run ./cmd/rebote-bench " + cmd} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("rebote %s = %q, want it to contain %q", cmd, err, want)
			}
		}
	}
}

// rebote help lists the operator commands and nothing else.
func TestHelpListsOperatorCommands(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"help"}, noEnv, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "rebote" {
			got = append(got, f[1])
		}
	}
	want := []string{"[serve]", "health", "config", "classify", "staff", "db", "version"}
	if !slices.Equal(got, want) {
		t.Errorf("rebote help lists %q, want %q", got, want)
	}
}

func TestConfigPrecedence(t *testing.T) {
	env := map[string]string{"REBOTE_ADDR": "127.0.0.1:9000", "REBOTE_DB": "/tmp/x.db", "REBOTE_MESSAGES_PER_HOUR": "150",
		"REBOTE_BILLING_URL": "https://clientes.example.com/facturas"}
	cfg, _, err := parseConfig("serve", []string{"--db", "/data/y.db", "--domains-url", "https://clientes.example.com/dominios"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9000" || cfg.DB != "/data/y.db" || cfg.Policy.MessagesPerHour != 150 {
		t.Errorf("got addr=%s db=%s mph=%d; want env addr, flag db, env limit", cfg.Addr, cfg.DB, cfg.Policy.MessagesPerHour)
	}
	// The pages for what is not a delivery error (searches for invoices,
	// domains, the webmail password) are the provider's.
	if cfg.Policy.BillingURL != "https://clientes.example.com/facturas" || cfg.Policy.DomainsURL != "https://clientes.example.com/dominios" {
		t.Errorf("billing-url %q, domains-url %q: want the environment's and the flag's", cfg.Policy.BillingURL, cfg.Policy.DomainsURL)
	}
	def, _, err := parseConfig("serve", nil, noEnv, io.Discard)
	if err != nil || def.Addr != ":8080" || def.Policy.ProviderName != "ServiNetwork" || def.Policy.MessagesPerHour != 300 {
		t.Errorf("defaults: %+v, %v", def, err)
	}
}

// Issue 13 item 2: the proxy header is a setting like any other: a flag,
// an environment variable, shown by rebote config.
func TestProxyHeaderSetting(t *testing.T) {
	var out bytes.Buffer
	env := map[string]string{"REBOTE_PROXY_HEADER": "X-Real-IP", "REBOTE_BEHIND_PROXY": "true"}
	if err := configCmd(nil, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"proxy-header             = X-Real-IP", "behind-proxy             = true"} {
		if !strings.Contains(out.String(), want+"\n") {
			t.Errorf("rebote config lacks %q:\n%s", want, out.String())
		}
	}
	def, _, err := parseConfig("serve", nil, noEnv, io.Discard)
	if err != nil || def.ProxyHeader != "X-Forwarded-For" || def.BehindProxy {
		t.Errorf("defaults: proxy header %q, behind proxy %v (%v)", def.ProxyHeader, def.BehindProxy, err)
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
		{nil, map[string]string{"REBOTE_BILLING_URL": "facturas.example.com"}, "billing-url"},
		{[]string{"--log-format", "xml"}, nil, "log-format"},
		{nil, map[string]string{"REBOTE_MESSAGES_PER_HOUR": "muchos"}, "REBOTE_MESSAGES_PER_HOUR"},
		{[]string{"--messages-per-hour", "0"}, nil, "positive"},
		{[]string{"--proxy-header", "X-Real-IP: 1"}, nil, "proxy-header"},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		err := run(context.Background(), append([]string{"serve"}, tt.args...), func(k string) string { return tt.env[k] }, nil, io.Discard, &stderr)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run %v %v = %v, want an error naming %q", tt.args, tt.env, err, tt.want)
		}
	}
}

func TestClassifyCommand(t *testing.T) {
	dir := t.TempDir()
	bounce := filepath.Join(dir, "rebote.txt")
	if err := os.WriteFile(bounce, []byte("553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	stdin := strings.NewReader("Hola, ¿comemos el viernes?")
	if err := run(context.Background(), []string{"classify", "--json", bounce, "-"}, noEnv, stdin, &out, &errOut); err != nil {
		t.Fatalf("classify: %v (%s)", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one JSON line per input, got %q", out.String())
	}
	var first, second struct {
		File       string `json:"file"`
		IsBounce   bool   `json:"is_bounce"`
		Recipients []struct {
			Reason    string `json:"reason"`
			ReplyCode string `json:"reply_code"`
			Article   string `json:"article"`
		} `json:"recipients"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatal(err)
	}
	if first.File != bounce || !first.IsBounce || len(first.Recipients) != 1 || first.Recipients[0].Reason != "norelaying" ||
		first.Recipients[0].ReplyCode != "553" || !strings.HasSuffix(first.Recipients[0].Article, "/errores/relay-no-permitido") {
		t.Errorf("first line %+v", first)
	}
	if second.File != "-" || second.IsBounce || second.Recipients == nil {
		t.Errorf("second line %+v", second)
	}

	out.Reset()
	if err := run(context.Background(), []string{"classify", bounce}, noEnv, nil, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, "relay") || !strings.Contains(s, "definitivo") {
		t.Errorf("summary %q", s)
	}
	if err := run(context.Background(), []string{"classify", filepath.Join(dir, "missing")}, noEnv, nil, &out, &errOut); err == nil {
		t.Error("a missing file did not fail")
	}
}

// A client that sends its headers slowly (slowloris) is cut off by the
// header timeout, and others are served meanwhile.
func TestSlowHeadersAreCutOff(t *testing.T) {
	base := startApp(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET / HTTP/1.1\r\nHost: rebote\r\nX-Slow: ")); err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(base + "/healthz")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("health while a slow client holds a connection: %v %v", res, err)
	}
	res.Body.Close()
	conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	start := time.Now()
	_, err = io.ReadAll(conn)
	if err != nil {
		t.Fatalf("slow connection not closed by the server: %v", err)
	}
	t.Logf("slow client cut off after %v", time.Since(start).Round(time.Millisecond))
}
