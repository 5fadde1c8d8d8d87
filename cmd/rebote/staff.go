package main

import (
	"context"
	"errors"
	"io"
)

// staffCmd manages staff accounts and API tokens. (Being written.)
func staffCmd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	return errors.New("staff: not implemented yet")
}
