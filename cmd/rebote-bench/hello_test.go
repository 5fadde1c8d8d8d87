package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// hello-server answers /hello and /healthz, and stops when its context ends.
func TestHelloServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, []string{"hello-server", "--addr", addr}, noEnv, nil, io.Discard, io.Discard) }()

	get := func(path string) (string, error) {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		return string(body), err
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := get("/healthz"); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("hello-server did not start: %v", err)
		}
	}
	if got, err := get("/hello"); err != nil || got != "hello\n" {
		t.Errorf("GET /hello = %q, %v; want %q", got, err, "hello\n")
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("hello-server returned %v after its context ended", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("hello-server did not stop")
	}
}
