package handlers

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

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

// gzipStatic returns the text files (CSS, JavaScript, SVG) gzipped, made
// once when the server starts (so at the best level): they never change
// while it runs.
func gzipStatic() (map[string][]byte, error) {
	out := make(map[string][]byte)
	err := fs.WalkDir(static.Files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch path.Ext(name) {
		case ".css", ".js", ".svg":
			b, err := fs.ReadFile(static.Files, name)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
			zw.Write(b)
			if err := zw.Close(); err != nil {
				return err
			}
			out[name] = buf.Bytes()
		}
		return nil
	})
	return out, err
}

// staticFiles serves the embedded CSS, JavaScript and icons, the text ones
// gzipped for clients that accept it. Unknown files, directories and paths
// with ".." get the 404 page, like any other unknown address.
func (s *Server) staticFiles() http.Handler {
	files := http.StripPrefix("/static/", http.FileServerFS(static.Files))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		info, err := fs.Stat(static.Files, name)
		if err != nil || info.IsDir() {
			s.serveError(w, r, errNotFound)
			return
		}
		if r.URL.Query().Get("v") == s.assetVersion {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=300")
		}
		gz, ok := s.staticGzip[name]
		if !ok {
			files.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Accept-Encoding")
		if !acceptsGzip(r) {
			files.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		// ServeContent sets the type from the name and answers ranges
		// and conditional requests, over the gzipped bytes.
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(gz))
	})
}
