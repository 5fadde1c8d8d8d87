package analytics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Sink saves a batch of events, all or none.
type Sink interface {
	SaveEvents(ctx context.Context, events []Event) error
}

// Options tune a Recorder. Zero values take the defaults.
type Options struct {
	QueueSize  int           // events held in memory before new ones are dropped (default 32768)
	BatchSize  int           // events saved per transaction at most (default 1000)
	FlushEvery time.Duration // longest an event waits in the queue (default 500 ms)
	// RetryMax is the longest pause between attempts to save a batch the
	// database refused (default 5 s); the pause starts at 100 ms and
	// doubles.
	RetryMax time.Duration
	Now      func() time.Time
}

// Recorder queues events and saves them from a single goroutine, so pages
// never wait for the database and SQLite sees one writer. When the
// database refuses a batch (read-only, full disk), the writer keeps it and
// tries again, pausing longer each time, until the database takes it:
// fixing the database is enough, no restart. Meanwhile events wait in the
// queue; when it is full, new ones are dropped, counted and logged:
// analytics must never break a page.
type Recorder struct {
	sink  Sink
	log   *slog.Logger
	opts  Options
	queue chan Event

	mu     sync.RWMutex // guards closed against Record racing Close
	closed bool
	stop   chan struct{} // closed by Close: retry no more
	done   chan struct{}

	saved   atomic.Int64
	dropped atomic.Int64
	failure atomic.Pointer[error] // the last save's error; nil once one succeeds
}

// NewRecorder starts a Recorder writing to sink. Call Close to stop it.
func NewRecorder(sink Sink, log *slog.Logger, opts Options) *Recorder {
	if opts.QueueSize <= 0 {
		opts.QueueSize = 1 << 15
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = 500 * time.Millisecond
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	r := &Recorder{
		sink:  sink,
		log:   log,
		opts:  opts,
		queue: make(chan Event, opts.QueueSize),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go r.write()
	return r
}

// Record queues an event without blocking. It reports whether the event
// was accepted; an accepted event is saved unless the database fails.
func (r *Recorder) Record(e Event) bool {
	if r == nil {
		return false
	}
	e = e.clean(r.opts.Now())
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		r.dropped.Add(1)
		return false
	}
	select {
	case r.queue <- e:
		return true
	default:
		if r.dropped.Add(1)%1000 == 1 {
			r.log.Warn("analytics queue full, dropping events", slog.Int64("dropped_total", r.dropped.Load()))
		}
		return false
	}
}

// Stats reports how many events were saved and how many were dropped.
func (r *Recorder) Stats() (saved, dropped int64) {
	return r.saved.Load(), r.dropped.Load()
}

// Err reports why the last attempt to save events failed, or nil when it
// succeeded (or none was needed yet): a readiness probe's "can the
// database be written".
func (r *Recorder) Err() error {
	if p := r.failure.Load(); p != nil {
		return fmt.Errorf("analytics: saving events fails: %w", *p)
	}
	return nil
}

// Close stops accepting events, saves every queued one and waits for the
// writer, or until ctx ends.
func (r *Recorder) Close(ctx context.Context) error {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.queue)
		close(r.stop)
	}
	r.mu.Unlock()
	select {
	case <-r.done:
		saved, dropped := r.Stats()
		r.log.Info("analytics flushed", slog.Int64("saved", saved), slog.Int64("dropped", dropped))
		return nil
	case <-ctx.Done():
		return errors.New("analytics: queue not flushed before the deadline")
	}
}

// write is the single writer: it collects events into batches, saving a
// batch when it is full or has waited FlushEvery.
func (r *Recorder) write() {
	defer close(r.done)
	batch := make([]Event, 0, r.opts.BatchSize)
	tick := time.NewTicker(r.opts.FlushEvery)
	defer tick.Stop()
	for {
		select {
		case e, ok := <-r.queue:
			if !ok {
				r.save(batch)
				return
			}
			batch = append(batch, e)
			if len(batch) >= r.opts.BatchSize {
				r.save(batch)
				batch = batch[:0]
			}
		case <-tick.C:
			if len(batch) > 0 {
				r.save(batch)
				batch = batch[:0]
			}
		}
	}
}

// save writes one batch. When the database refuses it, save logs once
// and tries again, pausing from 100 ms up to RetryMax, until it is saved
// or Close is called; then the batch gets one last attempt and is dropped
// (counted and logged) if that fails too.
func (r *Recorder) save(batch []Event) {
	if len(batch) == 0 {
		return
	}
	pause := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := r.sink.SaveEvents(ctx, batch)
		cancel()
		if err == nil {
			r.saved.Add(int64(len(batch)))
			if r.failure.Swap(nil) != nil {
				r.log.Info("analytics: the database takes events again", slog.Int("events", len(batch)), slog.Int("attempts", attempt))
			}
			return
		}
		if r.failure.Swap(&err) == nil {
			r.log.Error("analytics: database write failed; keeping the events and trying again",
				slog.Int("events", len(batch)), slog.String("error", err.Error()))
		}
		select {
		case <-r.stop:
			if attempt > 1 {
				r.dropped.Add(int64(len(batch)))
				r.log.Error("analytics events dropped: database write failed at shutdown",
					slog.Int("events", len(batch)), slog.Int64("dropped_total", r.dropped.Load()), slog.String("error", err.Error()))
				return
			}
			continue // one last attempt, without a pause
		default:
		}
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-r.stop:
			t.Stop()
		}
		pause = min(2*pause, r.opts.RetryMax)
	}
}
