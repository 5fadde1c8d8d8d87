package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"

	"github.com/servinetwork/rebote/static"
)

// assetVersion hashes the static files, so their URLs change when their
// content does and browsers may cache them for a year.
func assetVersion() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(static.Files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static.Files, path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12], err
}

// staticFiles serves the embedded CSS, JavaScript and icons. Unknown
// files, directories and paths with ".." get the 404 page, like any other
// unknown address.
func (s *Server) staticFiles() http.Handler {
	files := http.StripPrefix("/static/", http.FileServerFS(static.Files))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, err := fs.Stat(static.Files, strings.TrimPrefix(r.URL.Path, "/static/"))
		if err != nil || info.IsDir() {
			s.serveError(w, r, errNotFound)
			return
		}
		if r.URL.Query().Get("v") == s.assetVersion {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=300")
		}
		files.ServeHTTP(w, r)
	})
}
