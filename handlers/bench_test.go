package handlers_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/servinetwork/rebote/handlers"
	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/locales"
)

func benchRouter(b *testing.B) http.Handler {
	kb, err := knowledge.Load(knowledge.DefaultPolicy())
	if err != nil {
		b.Fatal(err)
	}
	bundle, err := locales.NewBundle()
	if err != nil {
		b.Fatal(err)
	}
	srv, err := handlers.New(kb, bundle, slog.New(slog.NewTextHandler(io.Discard, nil)), handlers.Config{})
	if err != nil {
		b.Fatal(err)
	}
	return srv.Routes()
}

// BenchmarkPages measures the pages customers hit most, through the whole
// router and middleware (without the network).
func BenchmarkPages(b *testing.B) {
	h := benchRouter(b)
	for _, path := range []string{"/", "/errores/buzon-lleno", "/buscar?q=buzon+lleno", "/api/v1/search?q=550+5.1.1", "/e/550-5.7.26"} {
		b.Run(path, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code >= 400 {
					b.Fatalf("%s: %d", path, w.Code)
				}
			}
		})
	}
}
