package handlers_test

import (
	"testing"

	"github.com/servinetwork/rebote/handlers"
)

// /healthz says the process is up and which build it runs, and is never
// cached.
func TestHealthShowsVersion(t *testing.T) {
	tests := []struct {
		name    string
		version string
		want    string
	}{
		{"stamped", "v1.2.0", "ok v1.2.0\n"},
		{"unknown", "", "ok\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, _ := newServerWithConfig(t, handlers.Config{Version: tt.version})
			res := get(t, ts, "/healthz")
			if res.status != 200 || res.body != tt.want {
				t.Errorf("GET /healthz = %d %q, want 200 %q", res.status, res.body, tt.want)
			}
			if got := res.header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
		})
	}
}
