package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/search"
	"github.com/servinetwork/rebote/store"
)

// genBatch is how many events gen-events saves per transaction: large
// enough that commits are not the cost, small enough to show progress.
const genBatch = 5000

// genEventsCmd is "rebote-bench gen-events": it fills a database with a
// synthetic but realistic mix of events spread over the last days, so the
// dashboard can be measured at the size a busy installation reaches. It
// writes through store.SaveEvents directly, not the Recorder, because it
// needs to be fast, not paced. Events are added to whatever the database
// already holds.
func genEventsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rebote-bench gen-events", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", envOr(getenv, "REBOTE_DB", "rebote.db"), "path of the SQLite database file, or a postgres:// URL ($REBOTE_DB)")
	count := fs.Int("events", 10_000_000, "number of events to generate")
	days := fs.Int("days", 400, "days the events are spread over, ending now")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same events (at times relative to now)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *count < 1 || *days < 1 {
		return errors.New("usage: rebote-bench gen-events [--db PATH] [--events N>0] [--days D>0] [--seed S]")
	}
	kb, index, db, err := openKnowledgeAndStore(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()

	next := syntheticEvents(rand.New(rand.NewPCG(*seed, 0)), kb, index)
	// Events are stamped in time order, as a live site writes them, so
	// the inserts append to the indexes instead of landing anywhere.
	end := time.Now().Unix()
	start := end - int64(*days)*24*60*60
	n := int64(*count)

	began := time.Now()
	lastReport := began
	batch := make([]analytics.Event, 0, genBatch)
	for i := int64(0); i < n; i++ {
		e := next()
		e.At = time.Unix(start+i*(end-start)/n, 0)
		batch = append(batch, e)
		if len(batch) < genBatch && i < n-1 {
			continue
		}
		if err := db.SaveEvents(ctx, batch); err != nil {
			return fmt.Errorf("gen-events: after %d events: %w", i+1-int64(len(batch)), err)
		}
		batch = batch[:0]
		if now := time.Now(); now.Sub(lastReport) >= 5*time.Second {
			lastReport = now
			elapsed := now.Sub(began)
			fmt.Fprintf(stderr, "gen-events: %d/%d events (%.0f%%) in %s, %.0f/s\n",
				i+1, n, 100*float64(i+1)/float64(n), elapsed.Round(time.Second), float64(i+1)/elapsed.Seconds())
		}
	}
	elapsed := time.Since(began)
	fmt.Fprintf(stdout, "%d events in %s (%.0f/s)\n", n, elapsed.Round(100*time.Millisecond), float64(n)/elapsed.Seconds())
	return nil
}

// loadEventsCmd is "rebote-bench load-events": it records synthetic events
// through the same Recorder the server uses, at a steady rate, then counts
// the rows to prove none was lost. It fails when an event was dropped, a
// row is missing, or it could not keep up the rate.
func loadEventsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rebote-bench load-events", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", envOr(getenv, "REBOTE_DB", "rebote.db"), "path of the SQLite database file, or a postgres:// URL ($REBOTE_DB)")
	instances := fs.Int("instances", 1, "instances writing together: each has its own connections, queue and writer, as a server has, and the events are dealt among them (use with a postgres:// --db)")
	rate := fs.Int("rate", 5000, "events per second")
	duration := fs.Duration("duration", 60*time.Second, "how long to keep the rate")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same events")
	checkRate := fs.Bool("check-rate", true, "fail when the rate achieved is below 95% of --rate")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *rate < 1 || *duration <= 0 || *instances < 1 {
		return errors.New("usage: rebote-bench load-events [--db PATH|URL] [--instances N>0] [--rate R>0] [--duration D>0]")
	}
	kb, index, db, err := openKnowledgeAndStore(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	before, err := db.CountEvents(ctx, "")
	if err != nil {
		return err
	}

	log := slog.New(slog.NewTextHandler(stderr, nil))
	recs := []*analytics.Recorder{analytics.NewRecorder(db, log, analytics.Options{})}
	for i := 1; i < *instances; i++ {
		other, err := store.Open(ctx, *dbPath)
		if err != nil {
			return err
		}
		defer other.Close()
		recs = append(recs, analytics.NewRecorder(other, log.With(slog.Int("instance", i+1)), analytics.Options{}))
	}
	next := syntheticEvents(rand.New(rand.NewPCG(*seed, 0)), kb, index)

	// Pacing catches up with the clock every tick rather than adding a
	// fixed number per tick, so a late tick does not lower the rate, and
	// the bursts stay small (rate/100 events) like real traffic.
	total := int64(float64(*rate) * duration.Seconds())
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	var recorded int64
	began := time.Now()
	for recorded < total && ctx.Err() == nil {
		due := min(total, int64(float64(*rate)*time.Since(began).Seconds()))
		for ; recorded < due; recorded++ {
			// A zero time lets the Recorder stamp the event, as in the server.
			recs[recorded%int64(len(recs))].Record(next())
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
		}
	}
	elapsed := time.Since(began)

	// Close waits for the writer to save the queue: how long that takes
	// shows whether it kept up or fell behind.
	closeCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var closeErr error
	var saved, dropped int64
	for _, rec := range recs {
		closeErr = errors.Join(closeErr, rec.Close(closeCtx))
		s, d := rec.Stats()
		saved, dropped = saved+s, dropped+d
	}
	flushed := time.Since(began) - elapsed
	after, err := db.CountEvents(context.Background(), "")
	if err != nil {
		return err
	}
	achieved := float64(recorded) / elapsed.Seconds()
	fmt.Fprintf(stdout, "recorded %d events in %.1fs (%.0f/s) through %d instance(s); saved %d, dropped %d, rows added %d; queue flushed %s after the last event\n",
		recorded, elapsed.Seconds(), achieved, len(recs), saved, dropped, after-before, flushed.Round(time.Millisecond))

	var errs []error
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}
	if closeErr != nil {
		errs = append(errs, closeErr)
	}
	if dropped > 0 {
		errs = append(errs, fmt.Errorf("%d events dropped", dropped))
	}
	if saved != recorded || after-before != recorded {
		errs = append(errs, fmt.Errorf("%d events recorded but %d saved and %d rows added", recorded, saved, after-before))
	}
	if *checkRate && achieved < 0.95*float64(*rate) {
		errs = append(errs, fmt.Errorf("rate %.0f/s is below 95%% of %d/s", achieved, *rate))
	}
	if len(errs) > 0 {
		return fmt.Errorf("load-events: %w", errors.Join(errs...))
	}
	return nil
}

// openKnowledgeAndStore loads the knowledge base and its search (its
// articles name the synthetic events, its search sorts their queries) and
// opens the analytics database at path.
func openKnowledgeAndStore(ctx context.Context, path string) (*knowledge.KB, *search.Index, *store.DB, error) {
	kb, err := knowledge.Load(knowledge.DefaultPolicy())
	if err != nil {
		return nil, nil, nil, err
	}
	index, err := search.New(kb)
	if err != nil {
		return nil, nil, nil, err
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		return nil, nil, nil, err
	}
	return kb, index, db, nil
}

func envOr(getenv func(string) string, key, fallback string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return fallback
}

// syntheticEvents returns a generator of plausible events, deterministic
// for a given rng. The events have no time: the caller stamps them. The
// mix follows what a provider's help site sees: mostly article views, a
// few errors taking most of the traffic, some searches that find nothing,
// diagnoses that the classifier could not read, votes and support clicks.
func syntheticEvents(rng *rand.Rand, kb *knowledge.KB, index *search.Index) func() analytics.Event {
	// Popularity follows a Zipf law, so a few errors take most of the
	// traffic: the ones the home page lists as most consulted, then the
	// rest in an order that depends on the seed.
	articles := slices.Clone(kb.Popular())
	rest := slices.DeleteFunc(slices.Clone(kb.Articles()), func(a *knowledge.Article) bool { return slices.Contains(articles, a) })
	rng.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	articles = append(articles, rest...)
	popularArticle := rand.NewZipf(rng, 1.2, 2, uint64(len(articles)-1))
	article := func() *knowledge.Article { return articles[popularArticle.Uint64()] }

	// Queries are sorted by the real search into those it answers and
	// those it does not, so the failed-search report shows what the
	// knowledge base would show.
	results := make(map[string]int)
	countResults := func(q string) int {
		n, ok := results[q]
		if !ok {
			n = len(index.Search(q, 10))
			results[q] = n
		}
		return n
	}
	var answered, unanswered []string
	for _, q := range append(slices.Clone(syntheticQueries), syntheticFailingQueries...) {
		if countResults(q) > 0 {
			answered = append(answered, q)
		} else {
			unanswered = append(unanswered, q)
		}
	}
	popularAnswered := rand.NewZipf(rng, 1.1, 3, uint64(len(answered)-1))
	popularUnanswered := rand.NewZipf(rng, 1.1, 2, uint64(max(len(unanswered), 1)-1))
	popularLine := rand.NewZipf(rng, 1.3, 1, uint64(len(syntheticLines)-1))
	unreadLines := make([]string, len(syntheticLines))
	for i, l := range syntheticLines {
		unreadLines[i] = analytics.MaskLine(l)
	}

	chance := func(p float64) bool { return rng.Float64() < p }
	visitSource := func() analytics.Source {
		return pick(rng, []analytics.Source{analytics.SourceTicket, analytics.SourceSearch, analytics.SourceHome, analytics.SourceExternal, analytics.SourceDirect},
			[]float64{30, 25, 15, 15, 15})
	}
	// subject is what a vote or support click is about: an article, or a
	// diagnosis by its reason.
	subject := func(e *analytics.Event) {
		a := article()
		if chance(0.25) {
			e.Findings = []analytics.Finding{{Reason: a.Reason}}
			return
		}
		e.Article = a.Slug
		e.Findings = []analytics.Finding{{Reason: a.Reason, Article: a.Slug}}
	}

	return func() analytics.Event {
		switch pick(rng, []analytics.Kind{analytics.KindView, analytics.KindSearch, analytics.KindDiagnosis, analytics.KindVote, analytics.KindTicket},
			[]float64{55, 20, 15, 6, 4}) {
		case analytics.KindView:
			a := article()
			e := analytics.Event{Kind: analytics.KindView, Source: visitSource(), Article: a.Slug,
				Findings: []analytics.Finding{{Reason: a.Reason, Article: a.Slug}}}
			if e.Source == analytics.SourceSearch {
				e.Query = answered[popularAnswered.Uint64()]
			}
			return e

		case analytics.KindSearch:
			e := analytics.Event{Kind: analytics.KindSearch,
				Source: pick(rng, []analytics.Source{analytics.SourceHome, analytics.SourceDirect, analytics.SourceSearch, analytics.SourceTicket},
					[]float64{50, 30, 12, 8})}
			switch {
			case chance(0.15) && len(unanswered) > 0:
				e.Query = unanswered[popularUnanswered.Uint64()]
			case chance(0.1):
				// A long tail of pasted codes, some of which no article covers.
				e.Query = fmt.Sprintf("%d %d.%d.%d", pick(rng, []int{421, 450, 451, 452, 550, 551, 552, 553, 554}, []float64{3, 2, 3, 1, 8, 1, 2, 1, 4}),
					4+rng.IntN(2), rng.IntN(8), rng.IntN(10))
			default:
				e.Query = answered[popularAnswered.Uint64()]
			}
			e.Results = countResults(e.Query)
			return e

		case analytics.KindDiagnosis:
			e := analytics.Event{Kind: analytics.KindDiagnosis,
				Source: pick(rng, []analytics.Source{analytics.SourceHome, analytics.SourceTicket, analytics.SourceDirect, analytics.SourceExternal},
					[]float64{40, 25, 25, 10}),
				Bounce: chance(0.9)}
			if chance(0.1) {
				// The classifier could not read it: staff see the masked line.
				e.Recipients = 1
				e.Findings = []analytics.Finding{{Reason: "undefined"}}
				e.Confidence = 0.1 + 0.3*rng.Float64()
				e.Line = unreadLines[popularLine.Uint64()]
				return e
			}
			e.Recipients = pick(rng, []int{1, 2, 3}, []float64{80, 15, 5})
			e.Confidence = 1
			for range e.Recipients {
				a := article()
				e.Findings = append(e.Findings, analytics.Finding{Reason: a.Reason, Article: a.Slug})
				e.Confidence = min(e.Confidence, 0.6+0.4*rng.Float64())
			}
			return e

		case analytics.KindVote:
			e := analytics.Event{Kind: analytics.KindVote, Source: visitSource(), Helpful: chance(0.7)}
			subject(&e)
			if chance(0.08) {
				comments := syntheticCommentsNo
				if e.Helpful {
					comments = syntheticCommentsYes
				}
				e.Comment = comments[rng.IntN(len(comments))]
			}
			return e

		default:
			e := analytics.Event{Kind: analytics.KindTicket,
				Source: pick(rng, []analytics.Source{analytics.SourceDirect, analytics.SourceSearch, analytics.SourceHome, analytics.SourceTicket},
					[]float64{50, 20, 20, 10})}
			subject(&e)
			return e
		}
	}
}

// pick returns one of values with probability proportional to its weight.
func pick[T any](rng *rand.Rand, values []T, weights []float64) T {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	x := rng.Float64() * sum
	for i, w := range weights {
		if x < w {
			return values[i]
		}
		x -= w
	}
	return values[len(values)-1]
}

// syntheticQueries are searches customers type, normalised (lower case),
// most of which the knowledge base answers; the order is their popularity.
var syntheticQueries = []string{
	"buzon lleno", "550 5.1.1", "usuario desconocido", "mailbox full", "spf", "user unknown",
	"554 5.7.1", "correo devuelto", "dmarc", "lista negra", "dkim", "mensaje demasiado grande",
	"550 5.7.1", "blacklist", "relay access denied", "452 4.2.2", "quota exceeded", "spam",
	"mailbox unavailable", "421", "lista gris", "greylisting", "autenticación smtp", "5.7.26",
	"contraseña incorrecta", "host not found", "no existe el dominio", "tls", "puerto 25",
	"reputación", "ptr", "rechazado por spam", "timeout", "tiempo de entrega agotado", "551",
	"demasiados destinatarios", "límite de envío", "too many recipients", "virus", "5.4.1",
	"message size exceeds", "sender rejected", "remitente rechazado", "550 5.7.606",
	"dns", "reverse dns", "buzón no disponible", "mailer-daemon", "undeliverable", "delivery status notification",
}

// syntheticFailingQueries are plausible searches the knowledge base has
// no article for: how-to questions about other things, and typos.
var syntheticFailingQueries = []string{
	"configurar outlook", "recuperar contraseña del webmail", "cambiar firma", "webmail no carga",
	"imap gmail", "reenviar correo a gmail", "copia de seguridad correo", "borrar correos antiguos",
	"respuesta automática vacaciones", "thunderbird configuración", "como crear una cuenta de correo",
	"iphone no recibe correo", "factura", "dominio caducado renovar", "migrar correo",
	"xyz123", "no me llegan los correos", "autoresponder",
}

// syntheticLines are SMTP lines the classifier might not read, before
// masking; their masked forms are what staff see as unclassified.
var syntheticLines = []string{
	"550 5.7.1 <juan.perez@example.com>: Recipient address rejected: Access denied. AS(201806281) [AM0PR01MB1234.eurprd01.prod.outlook.com]",
	"554 Message rejected: policy violation (ref 9f2c) from mail.example.net [203.0.113.5]",
	"421 4.7.0 [TSS04] Messages from 198.51.100.7 temporarily deferred due to unexpected volume or user complaints",
	"550 Blocked by local policy: contact postmaster@example.org",
	"451 Temporary local problem - please try later",
	"552 5.2.0 Q1xYzAbC Rejected - score exceeded on mx2.example.es",
	"553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)",
	"550 Requested action not taken: filter RB-77 matched for maria@empresa.es",
	"554 5.7.9 Message not accepted for policy reasons. See http://help.example.com/kb/SLN7253",
	"500 5.5.0 Error: command not recognized by relay.example.com",
}

// syntheticCommentsYes and syntheticCommentsNo are short comments left
// with a vote.
var (
	syntheticCommentsYes = []string{
		"Muy claro, gracias", "Me ha servido para resolverlo", "Ya funciona, gracias",
		"Gracias, lo he solucionado", "Bien explicado",
	}
	syntheticCommentsNo = []string{
		"No explica qué hacer si uso Outlook", "Sigo sin entender el error", "Demasiado técnico",
		"¿Y si el destinatario es de Gmail?", "Faltan pasos para Thunderbird", "No aparece mi código de error",
	}
)
