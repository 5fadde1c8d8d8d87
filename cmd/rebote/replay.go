package main

import (
	"context"
	"errors"
	"io"
)

// replayCmd sends realistic customer traffic to a server. (Being written.)
func replayCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errors.New("replay: not implemented yet")
}
