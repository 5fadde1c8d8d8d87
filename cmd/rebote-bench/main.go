// Command rebote-bench holds Rebote's developer tools, apart from the server
// binary that operators run.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] != "eval" {
		fmt.Fprintln(os.Stderr, "usage: rebote-bench eval DIR")
		os.Exit(2)
	}
	if err := evalCmd(os.Args[2:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "rebote-bench:", err)
		os.Exit(1)
	}
}
