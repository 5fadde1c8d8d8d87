package main

import (
	"context"
	"errors"
	"io"
)

// genEventsCmd fills a database with synthetic events. (Being written.)
func genEventsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errors.New("gen-events: not implemented yet")
}

// loadEventsCmd records events at a steady rate. (Being written.)
func loadEventsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errors.New("load-events: not implemented yet")
}
