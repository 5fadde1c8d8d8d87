//go:build !race

package main

// raceEnabled reports a build with the race detector, under which the
// layout test, which checks what the browser draws, is not run again.
const raceEnabled = false
