//go:build replayclock

package handlers

import (
	"net/http"
	"time"
)

// replayClock is true in test builds made with -tags replayclock, for
// "rebote-bench instances --days": a month of traffic is replayed in
// minutes, each request naming the moment it stands for. Release builds
// never read the header (replayclock_off.go).
const replayClock = true

// replayTimeHeader carries that moment, in RFC 3339.
const replayTimeHeader = "X-Rebote-Replay-Time"

// eventTime is when a request's analytics events happened: the replayed
// moment when the request names one, else zero (now).
func eventTime(r *http.Request) time.Time {
	t, err := time.Parse(time.RFC3339, r.Header.Get(replayTimeHeader))
	if err != nil || t.After(time.Now()) {
		return time.Time{}
	}
	return t
}
