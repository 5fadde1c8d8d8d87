package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/bounce"
	"github.com/servinetwork/rebote/knowledge/search"
)

// requestKind is what a replayed request does, as the report groups them.
type requestKind int

const (
	kindHome requestKind = iota
	kindArticle
	kindSearch
	kindDiagnosis
	kindClassify
	kindVote
	kindSupport
	numKinds
)

var kindNames = [numKinds]string{"home", "article", "search", "diagnosis", "classify", "vote", "support"}

// defaultMix is the share of each kind of request, in percent: what a
// provider's help site sees, mostly people reading the article a ticket
// or a search led them to.
var defaultMix = [numKinds]float64{12, 30, 20, 15, 8, 10, 5}

const replayUsage = `usage: rebote-bench replay --url URL [--url URL2...] [--duration D | --requests N] [--concurrency C] [--rate R]
                          [--token T] [--seed S] [--mix home=12,article=30,...]`

// replayCmd is "rebote-bench replay": it sends a realistic mix of customer
// traffic to a running server over HTTP, reports throughput and latency
// per kind of request, and, given a staff API token, checks that the
// server's analytics show exactly what was sent.
//
// With several --url (repeated, or a comma list), the workers are dealt
// among the instances as a load balancer would, and a request an instance
// cannot take (refused connection: it was stopped) goes to the next one.
// The check then asks each instance's stats API, and each must show
// everything sent to all of them: they share one database.
//
// The check expects the servers to receive no other traffic during the
// run and to use the default policy (the local knowledge base decides
// what the server's classifier and search will record).
func replayCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rebote-bench replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, replayUsage)
		fs.PrintDefaults()
	}
	var rawURLs []string
	fs.Func("url", "base URL of the server (required), e.g. http://127.0.0.1:8080; repeat it, or give a comma list, to split the traffic across instances", func(v string) error {
		for u := range strings.SplitSeq(v, ",") {
			if u = strings.TrimSpace(u); u != "" {
				rawURLs = append(rawURLs, u)
			}
		}
		return nil
	})
	duration := fs.Duration("duration", 30*time.Second, "how long to send; with --requests, the longest it may take")
	requests := fs.Int("requests", 0, "stop after this many requests (0: run for --duration)")
	concurrency := fs.Int("concurrency", 8, "requests in flight at once")
	rate := fs.Float64("rate", 0, "requests per second across all workers (0: as fast as the server answers)")
	token := fs.String("token", "", "staff API token for the analytics check; none skips it ($REBOTE_TOKEN)")
	seed := fs.Uint64("seed", 1, "random seed: the same seed sends the same requests from each worker")
	mixFlag := fs.String("mix", "", "share of each kind, e.g. home=12,article=30,search=20,diagnosis=15,classify=8,vote=10,support=5 (unnamed kinds get none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *token == "" {
		// Read after parsing rather than as the default, so -h never
		// prints the token.
		*token = getenv("REBOTE_TOKEN")
	}
	if fs.NArg() > 0 || len(rawURLs) == 0 || *duration <= 0 || *requests < 0 || *concurrency < 1 || *rate < 0 {
		return errors.New(replayUsage)
	}
	var bases, hosts []string
	for _, raw := range rawURLs {
		base, err := url.Parse(strings.TrimRight(raw, "/"))
		if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
			return fmt.Errorf("replay: --url %q must be http(s)://host[:port]", raw)
		}
		bases, hosts = append(bases, base.String()), append(hosts, base.Host)
	}
	var err error
	mix := defaultMix
	if *mixFlag != "" {
		if mix, err = parseMix(*mixFlag); err != nil {
			return fmt.Errorf("replay: --mix: %w", err)
		}
	}
	plan, err := loadReplayPlan(mix, *seed)
	if err != nil {
		return err
	}
	r := &replayer{
		bases:  bases,
		client: newReplayClient(*concurrency, hosts...),
		plan:   plan,
		stderr: stderr,
	}
	check := *token != ""
	before := make([]statsSnapshot, len(bases))
	day := utcDate(time.Now())
	if check {
		// Fetched first so a wrong token or an old server fails before
		// minutes of traffic rather than after.
		for i, base := range bases {
			if before[i], err = r.fetchStats(ctx, base, *token, 1); err != nil {
				return fmt.Errorf("replay: analytics check: %w", err)
			}
		}
	}

	res := r.run(ctx, *concurrency, *requests, *duration, *rate, *seed)
	res.print(stdout, *concurrency, *rate, *seed)
	var errs []error
	if res.failed > 0 {
		errs = append(errs, fmt.Errorf("%d of %d requests failed", res.failed, res.total))
	}
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(stdout, "interrupted: analytics check skipped")
		errs = append(errs, ctx.Err())
	case !check:
		fmt.Fprintln(stdout, "analytics check skipped: no --token (or $REBOTE_TOKEN)")
	default:
		if err := r.checkAnalytics(ctx, stdout, *token, day, 1, bases, before, res.sent); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("replay: %w", errors.Join(errs...))
	}
	return nil
}

// parseMix reads "kind=weight,..." into a mix.
func parseMix(s string) ([numKinds]float64, error) {
	var mix [numKinds]float64
	var sum float64
	for item := range strings.SplitSeq(s, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(item), "=")
		k := slices.Index(kindNames[:], name)
		w, err := strconv.ParseFloat(value, 64)
		if !ok || k < 0 || err != nil || w < 0 {
			return mix, fmt.Errorf("%q is not kind=weight with kind one of %s", item, strings.Join(kindNames[:], ", "))
		}
		mix[k] = w
		sum += w
	}
	if sum == 0 {
		return mix, errors.New("every weight is zero")
	}
	return mix, nil
}

// newReplayClient is an HTTP client that keeps a connection per worker and
// follows redirects within the servers (hosts) only, as a browser would;
// the support link's redirect to the provider's ticket form is the answer.
func newReplayClient(concurrency int, hosts ...string) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConns = 2 * concurrency
	transport.MaxIdleConnsPerHost = 2 * concurrency
	return &http.Client{
		Transport: transport,
		Timeout:   30 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if !slices.Contains(hosts, req.URL.Host) {
				return http.ErrUseLastResponse
			}
			if len(via) >= 10 {
				return errors.New("more than 10 redirects")
			}
			return nil
		},
	}
}

func utcDate(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// statKey is one figure of the stats API.
type statKey struct {
	stat   string // "top-errors", "failed-searches", "feedback-yes" or "feedback-no"
	source string // "all" or "ticket", the API's source parameter
	item   string // "reason\tarticle", a normalised query, or a vote's subject
}

func (k statKey) String() string {
	return fmt.Sprintf("%s source=%s %q", k.stat, k.source, strings.ReplaceAll(k.item, "\t", " "))
}

// statCounts are figures of the stats API, or what a run sent that they
// should add.
type statCounts map[statKey]int64

// add counts one occurrence for all visitors and, when it came from the
// ticket form, for the ticket source too.
func (c statCounts) add(stat string, ticket bool, item string) {
	c[statKey{stat, "all", item}]++
	if ticket {
		c[statKey{stat, "ticket", item}]++
	}
}

// replayRequest is one request and what the server's analytics should
// count for it once it has succeeded.
type replayRequest struct {
	kind        requestKind
	method      string
	path        string // with the query string
	contentType string
	body        string
	header      http.Header
	expect      statCounts
}

// replayPlan is what every worker draws requests from. It is read-only
// once built, so the workers share it.
type replayPlan struct {
	kb     *knowledge.KB
	index  *search.Index
	reader *bounce.Reader
	mix    [numKinds]float64
	// articles are in order of popularity, the home page's most read
	// first; pastes only those with example lines.
	articles []*knowledge.Article
	pastes   []pasteSource
	// shortCodes are the codes whose /e/CODE link lands on an article, by
	// slug: the links support staff paste into tickets.
	shortCodes map[string][]string
	// answered and unanswered are searches, most frequent first, sorted
	// by the knowledge base's own search into those it answers and not.
	answered, unanswered []string
	results              sync.Map // query → number of results, for the exact string sent
}

// pasteSource is an article and the real SMTP lines it shows as examples.
type pasteSource struct {
	article *knowledge.Article
	lines   []string
}

// loadReplayPlan is newReplayPlan over the knowledge base with the
// default policy, the one the servers under test are expected to run.
func loadReplayPlan(mix [numKinds]float64, seed uint64) (*replayPlan, error) {
	kb, err := knowledge.Load(knowledge.DefaultPolicy())
	if err != nil {
		return nil, err
	}
	return newReplayPlan(kb, mix, seed)
}

func newReplayPlan(kb *knowledge.KB, mix [numKinds]float64, seed uint64) (*replayPlan, error) {
	index, err := search.New(kb)
	if err != nil {
		return nil, err
	}
	reader, err := bounce.NewWithSearch(kb, index)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0xbebe))
	p := &replayPlan{kb: kb, index: index, reader: reader, mix: mix, shortCodes: make(map[string][]string)}

	p.articles = slices.Clone(kb.Popular())
	rest := slices.DeleteFunc(slices.Clone(kb.Articles()), func(a *knowledge.Article) bool { return slices.Contains(p.articles, a) })
	rng.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	p.articles = append(p.articles, rest...)
	for _, a := range p.articles {
		if lines := a.Examples(); len(lines) > 0 {
			p.pastes = append(p.pastes, pasteSource{a, lines})
		}
		for _, code := range a.Canonical {
			// Ranges ("5.7.606-5.7.649") are not links anyone pastes.
			if to, ok := kb.Resolve(code); ok && to == a && !strings.Contains(code, "-") {
				p.shortCodes[a.Slug] = append(p.shortCodes[a.Slug], code)
			}
		}
	}

	// Customers search the way syntheticQueries lists, then for the codes
	// and titles they see, then with words of the English bounce in front
	// of them.
	var extra []string
	for _, a := range p.articles {
		extra = append(extra, strings.ToLower(a.Title))
		for _, rc := range a.ReplyCodes {
			for _, sc := range a.StatusCodes {
				if !strings.Contains(sc, "-") && sc[0] == rc[0] {
					extra = append(extra, rc+" "+sc)
				}
			}
		}
		for _, line := range a.Examples() {
			if q := examplePhrase(line); q != "" {
				extra = append(extra, q)
			}
		}
	}
	rng.Shuffle(len(extra), func(i, j int) { extra[i], extra[j] = extra[j], extra[i] })
	seen := make(map[string]bool)
	for _, q := range slices.Concat(syntheticQueries, extra, syntheticFailingQueries, replayGapQueries) {
		if seen[q] {
			continue
		}
		seen[q] = true
		if p.searchResults(q) > 0 {
			p.answered = append(p.answered, q)
		} else {
			p.unanswered = append(p.unanswered, q)
		}
	}
	return p, nil
}

// replayGapQueries are searches about bounces that the knowledge base
// may not answer, added to syntheticFailingQueries: what staff look for
// in the failed-searches report.
var replayGapQueries = []string{
	"mi correo llega a spam de gmail", "correo rebotado sin motivo", "zzqx", "asdfgh",
	"error 0x800ccc0e outlook 2016", "no puedo enviar desde el movil",
}

// examplePhrase returns the first words of an SMTP example line, without codes,
// addresses, hosts or numbers: what a customer copies into the search box.
func examplePhrase(line string) string {
	var words []string
	for _, w := range strings.Fields(line) {
		w = strings.Trim(w, ".,;:'\"()")
		if w == "" || strings.ContainsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
			if len(words) > 0 {
				break
			}
			continue
		}
		words = append(words, strings.ToLower(w))
		if len(words) == 4 {
			break
		}
	}
	if len(words) < 2 {
		return ""
	}
	return strings.Join(words, " ")
}

// searchResults is how many results the server's search finds for q, as
// it counts them for analytics (a search with none is a failed search).
func (p *replayPlan) searchResults(q string) int {
	if n, ok := p.results.Load(q); ok {
		return n.(int)
	}
	n := len(p.index.Search(q, 10))
	p.results.Store(q, n)
	return n
}

// trafficSource makes one worker's requests, deterministic for its seed.
type trafficSource struct {
	p                                                   *replayPlan
	rng                                                 *rand.Rand
	popularArticle, popularPaste, popularQ, popularGapQ *rand.Zipf
}

func (p *replayPlan) source(seed, worker uint64) *trafficSource {
	rng := rand.New(rand.NewPCG(seed, worker))
	zipf := func(s, v float64, n int) *rand.Zipf { return rand.NewZipf(rng, s, v, uint64(max(n, 1)-1)) }
	return &trafficSource{
		p: p, rng: rng,
		popularArticle: zipf(1.2, 2, len(p.articles)),
		popularPaste:   zipf(1.2, 2, len(p.pastes)),
		popularQ:       zipf(1.1, 3, len(p.answered)),
		popularGapQ:    zipf(1.1, 2, len(p.unanswered)),
	}
}

func (t *trafficSource) chance(prob float64) bool { return t.rng.Float64() < prob }

func (t *trafficSource) article() *knowledge.Article {
	return t.p.articles[t.popularArticle.Uint64()]
}

// origen is the origen value of a visit: a share come from the links in
// the provider's ticket form.
func (t *trafficSource) origen(ticketShare float64) string {
	if t.chance(ticketShare) {
		return "ticket"
	}
	return ""
}

func (t *trafficSource) next(base string) replayRequest {
	kind := pick(t.rng, []requestKind{kindHome, kindArticle, kindSearch, kindDiagnosis, kindClassify, kindVote, kindSupport}, t.p.mix[:])
	r := replayRequest{kind: kind, method: http.MethodGet, path: "/", header: http.Header{}, expect: statCounts{}}
	switch kind {
	case kindArticle:
		a := t.article()
		origen := t.origen(0.4)
		q := url.Values{}
		if origen != "" {
			q.Set("origen", origen)
		}
		r.path = "/errores/" + a.Slug
		if codes := t.p.shortCodes[a.Slug]; origen == "ticket" && len(codes) > 0 && t.chance(0.3) {
			r.path = "/e/" + codes[t.rng.IntN(len(codes))]
		} else if origen == "" && t.chance(0.4) {
			// Clicked on the home page's list of frequent errors.
			r.header.Set("Referer", base+"/")
		}
		if len(q) > 0 {
			r.path += "?" + q.Encode()
		}
		r.expect.add("top-errors", origen == "ticket", a.Reason+"\t"+a.Slug)

	case kindSearch:
		var query string
		if t.chance(0.15) && len(t.p.unanswered) > 0 {
			query = t.p.unanswered[t.popularGapQ.Uint64()]
		} else {
			query = t.p.answered[t.popularQ.Uint64()]
		}
		if t.chance(0.2) {
			// The results fetched while the customer types, which the
			// server must not count: a prefix of what they are typing.
			runes := []rune(query)
			query = string(runes[:1+t.rng.IntN(len(runes))])
			r.header.Set("X-Rebote-Live", "1")
		} else if t.chance(0.3) {
			first, size := utf8.DecodeRuneInString(query)
			query = string(unicode.ToUpper(first)) + query[size:]
		}
		q := url.Values{"q": {query}}
		origen := t.origen(0.1)
		if origen != "" {
			q.Set("origen", origen)
		} else {
			r.header.Set("Referer", base+"/")
		}
		r.path = "/buscar?" + q.Encode()
		if r.header.Get("X-Rebote-Live") == "" && t.p.searchResults(query) == 0 {
			r.expect.add("failed-searches", origen == "ticket", replayNormalize(query))
		}

	case kindDiagnosis:
		text := t.paste()
		origen := t.origen(0.4)
		form := url.Values{"texto": {text}}
		if origen != "" {
			form.Set("origen", origen)
		}
		r.method, r.path = http.MethodPost, "/diagnostico"
		r.contentType, r.body = "application/x-www-form-urlencoded", form.Encode()
		// The server records one finding per recipient of its diagnosis,
		// whatever the kind of paste.
		for _, v := range t.p.reader.Classify(text).Recipients {
			slug := ""
			if v.Article != nil {
				slug = v.Article.Slug
			}
			r.expect.add("top-errors", origen == "ticket", v.Reason+"\t"+slug)
		}

	case kindClassify:
		r.method, r.path = http.MethodPost, "/api/v1/classify"
		r.contentType, r.body = "text/plain; charset=utf-8", t.paste()

	case kindVote:
		subject, form := t.subject()
		helpful := t.chance(0.65)
		form.Set("util", "no")
		if helpful {
			form.Set("util", "si")
		}
		origen := t.origen(0.3)
		if origen != "" {
			form.Set("origen", origen)
		}
		if t.chance(0.15) {
			comments := syntheticCommentsNo
			if helpful {
				comments = syntheticCommentsYes
			}
			form.Set("comentario", comments[t.rng.IntN(len(comments))])
		}
		r.method, r.path = http.MethodPost, "/valorar"
		r.contentType, r.body = "application/x-www-form-urlencoded", form.Encode()
		stat := "feedback-no"
		if helpful {
			stat = "feedback-yes"
		}
		r.expect.add(stat, origen == "ticket", subject)

	case kindSupport:
		_, q := t.subject()
		if origen := t.origen(0.3); origen != "" {
			q.Set("origen", origen)
		}
		r.path = "/soporte?" + q.Encode()
	}
	return r
}

// subject is what a vote or a support click is about, as the stats API
// names it, and the form fields that say so: mostly an article, else the
// reason of a diagnosis. Diagnosis votes are about the reasons of the
// most pasted errors only, so that articles and reasons together stay
// well under the 100 items the feedback statistics return.
func (t *trafficSource) subject() (string, url.Values) {
	if t.chance(0.2) {
		reason := t.p.pastes[t.rng.IntN(min(len(t.p.pastes), 10))].article.Reason
		return "diagnostico:" + reason, url.Values{"motivo": {reason}}
	}
	a := t.article()
	return a.Slug, url.Values{"articulo": {a.Slug}}
}

// Pasted texts start with what customers write around the bounce.
var (
	replayIntros = []string{
		"Hola, al enviar un correo a un cliente me ha llegado esto:",
		"Me devuelve este error:",
		"Buenos días, no consigo enviar a esta dirección. El mensaje dice:",
		"Mensaje de error:",
	}
	replayOutros = []string{"Gracias.", "Un saludo", "¿Qué tengo que hacer?"}
)

// paste is a text a customer pastes: one or two lines from the articles'
// examples, often with the address it was for and a few words around it.
func (t *trafficSource) paste() string {
	var b strings.Builder
	if t.chance(0.4) {
		b.WriteString(replayIntros[t.rng.IntN(len(replayIntros))] + "\n\n")
	}
	n := pick(t.rng, []int{1, 2}, []float64{85, 15})
	for range n {
		src := t.p.pastes[t.popularPaste.Uint64()]
		if t.chance(0.3) {
			fmt.Fprintf(&b, "<cliente%d@example.net>: ", t.rng.IntN(1000))
		}
		b.WriteString(src.lines[t.rng.IntN(len(src.lines))] + "\n")
	}
	if t.chance(0.2) {
		b.WriteString("\n" + replayOutros[t.rng.IntN(len(replayOutros))] + "\n")
	}
	return b.String()
}

// replayNormalize is a search as the server's analytics keep it. Replayed
// queries carry no addresses, so only case and spaces change.
func replayNormalize(q string) string {
	return strings.ToLower(strings.Join(strings.Fields(q), " "))
}

// replayer sends the traffic.
type replayer struct {
	bases  []string // the instances, dealt among the workers
	client *http.Client
	plan   *replayPlan
	stderr io.Writer

	mu        sync.Mutex
	down      map[string]bool // instances that refused a connection
	requestID atomic.Uint64   // numbers the requests that are not GETs
	reported  int             // errors printed so far
	hinted429 bool            // the rate-limit hint was printed

	// spread, when set, stamps each request with the moment it stands
	// for, from spread.from to spread.to in the order the requests are
	// issued (request n of N at n/N of the way): a month of traffic sent
	// in minutes, to servers built with -tags replayclock, which record
	// the request's analytics at that moment. It needs a request count.
	spread struct{ from, to time.Time }
	// halfway, when set, is called once, when half of a run's requests
	// have been issued (instances stops an instance then).
	halfway func()
}

// replayTimeHeader names the moment a replayed request stands for; only
// test builds of the server (-tags replayclock) read it.
const replayTimeHeader = "X-Rebote-Replay-Time"

// replayResult is what a run measured and sent.
type replayResult struct {
	total, failed int
	// perBase counts the answered requests per instance; failovers, the
	// requests an instance could not take that another one answered.
	perBase   map[string]int
	failovers int
	elapsed   time.Duration
	latencies [numKinds][]time.Duration
	errors    [numKinds]int
	sent      statCounts
	// sentByDay is sent by the UTC day the server records it under.
	sentByDay map[string]statCounts
}

// sentSince is what was sent for the days from first (YYYY-MM-DD) on.
func (res replayResult) sentSince(first string) statCounts {
	out := statCounts{}
	for day, counts := range res.sentByDay {
		if day < first {
			continue
		}
		for k, n := range counts {
			out[k] += n
		}
	}
	return out
}

// maxReportedErrors is how many failed requests are described; the rest
// are only counted.
const maxReportedErrors = 5

func (r *replayer) run(ctx context.Context, concurrency, limit int, duration time.Duration, rate float64, seed uint64) replayResult {
	began := time.Now()
	deadline := began.Add(duration)
	var issued atomic.Int64
	results := make([]replayResult, concurrency)
	var wg sync.WaitGroup
	for w := range concurrency {
		wg.Go(func() {
			res := &results[w]
			res.sent = statCounts{}
			res.sentByDay = make(map[string]statCounts)
			res.perBase = make(map[string]int)
			home := w % len(r.bases)
			traffic := r.plan.source(seed, uint64(w))
			for ctx.Err() == nil {
				// Each request takes the next slot, so --requests and --rate
				// hold across workers however fast each one is.
				n := issued.Add(1) - 1
				if limit > 0 && n >= int64(limit) {
					return
				}
				if r.halfway != nil && limit > 0 && n == int64(limit/2) {
					wg.Go(r.halfway) // the run returns once it has
				}
				if rate > 0 {
					due := began.Add(time.Duration(float64(n) / rate * float64(time.Second)))
					if due.After(deadline) {
						return
					}
					select {
					case <-time.After(time.Until(due)):
					case <-ctx.Done():
						return
					}
				}
				if !time.Now().Before(deadline) {
					return
				}
				base := r.bases[home]
				req := traffic.next(base)
				day := ""
				if !r.spread.from.IsZero() && limit > 0 {
					span := r.spread.to.Sub(r.spread.from)
					at := r.spread.from.Add(time.Duration(float64(span) * float64(n) / float64(limit)))
					req.header.Set(replayTimeHeader, at.UTC().Format(time.RFC3339))
					day = utcDate(at)
				}
				took, err := r.send(ctx, base, req)
				// An instance that refuses the connection did not see the
				// request: as a load balancer would, the worker moves on to
				// the next instance and sends it there.
				for tries := 1; err != nil && refused(err) && tries < len(r.bases) && ctx.Err() == nil; tries++ {
					r.markDown(base)
					home = (home + 1) % len(r.bases)
					base = r.bases[home]
					res.failovers++
					took, err = r.send(ctx, base, req)
				}
				if ctx.Err() != nil {
					return // interrupted: neither a success nor a failure
				}
				res.total++
				res.latencies[req.kind] = append(res.latencies[req.kind], took)
				if err != nil {
					res.failed++
					res.errors[req.kind]++
					r.reportError(req, err)
					continue
				}
				res.perBase[base]++
				if day == "" {
					day = utcDate(time.Now())
				}
				if res.sentByDay[day] == nil {
					res.sentByDay[day] = statCounts{}
				}
				for k, n := range req.expect {
					res.sent[k] += n
					res.sentByDay[day][k] += n
				}
			}
		})
	}
	wg.Wait()

	all := replayResult{elapsed: time.Since(began), sent: statCounts{}, sentByDay: make(map[string]statCounts), perBase: make(map[string]int)}
	for _, res := range results {
		all.total += res.total
		all.failed += res.failed
		all.failovers += res.failovers
		for b, n := range res.perBase {
			all.perBase[b] += n
		}
		for k := range numKinds {
			all.latencies[k] = append(all.latencies[k], res.latencies[k]...)
			all.errors[k] += res.errors[k]
		}
		for k, n := range res.sent {
			all.sent[k] += n
		}
		for day, counts := range res.sentByDay {
			if all.sentByDay[day] == nil {
				all.sentByDay[day] = statCounts{}
			}
			for k, n := range counts {
				all.sentByDay[day][k] += n
			}
		}
	}
	return all
}

// statusError is an answer that is neither a success nor a redirect.
type statusError struct{ status int }

func (e statusError) Error() string {
	return "answered " + strconv.Itoa(e.status) + " " + http.StatusText(e.status)
}

// refused reports an error of a request that never reached a server: the
// connection was refused (nothing listens: the instance was stopped).
func refused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}

// fetchElsewhere gets target, a page of the instance at base that
// refused the connection, from the first other instance that answers.
func (r *replayer) fetchElsewhere(ctx context.Context, base, target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	last := fmt.Errorf("%s refused the connection and no other instance answered", target)
	for _, other := range r.bases {
		if other == base {
			continue
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, other+u.RequestURI(), nil)
		if err != nil {
			return err
		}
		resp, err := r.client.Do(req)
		if err != nil {
			last = err
			continue
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode < 200 || resp.StatusCode > 399 {
			return statusError{resp.StatusCode}
		}
		return nil
	}
	return last
}

// markDown notes, once, that an instance refused a connection.
func (r *replayer) markDown(base string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.down == nil {
		r.down = make(map[string]bool)
	}
	if !r.down[base] {
		r.down[base] = true
		fmt.Fprintf(r.stderr, "replay: %s refused a connection; its workers move to the next instance\n", base)
	}
}

// send makes one request to the instance at base and reads the whole
// answer, which is what the latency covers.
func (r *replayer) send(ctx context.Context, base string, rr replayRequest) (time.Duration, error) {
	var body io.Reader
	if rr.body != "" {
		body = strings.NewReader(rr.body)
	}
	req, err := http.NewRequestWithContext(ctx, rr.method, base+rr.path, body)
	if err != nil {
		return 0, err
	}
	for k, v := range rr.header {
		req.Header[k] = v
	}
	if rr.contentType != "" {
		req.Header.Set("Content-Type", rr.contentType)
	}
	if rr.method != http.MethodGet {
		// Go's transport sends a request again on a fresh connection when
		// the server closed the idle one it went out on before reading it
		// (an instance shutting down does that), but only a request marked
		// safe to repeat: a server that shuts down gracefully answers
		// every request it read, so one that got no answer was not read.
		req.Header.Set("Idempotency-Key", strconv.FormatUint(r.requestID.Add(1), 10))
	}
	start := time.Now()
	resp, err := r.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && ue.URL != req.URL.String() {
			// The request itself was answered; the page its redirect leads
			// to could not be fetched: the instance stopped in between.
			// Sending the request again would count it twice, but that
			// page may be what counts the visit (a short link's article),
			// so, as a browser reloading it behind a load balancer, fetch
			// it from another instance when this one refused it.
			if refused(err) {
				err = r.fetchElsewhere(ctx, base, ue.URL)
				return time.Since(start), err
			}
			return time.Since(start), nil
		}
		return time.Since(start), err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if err != nil {
		return took, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 399 {
		return took, statusError{resp.StatusCode}
	}
	return took, nil
}

func (r *replayer) reportError(rr replayRequest, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.reported < maxReportedErrors {
		r.reported++
		fmt.Fprintf(r.stderr, "replay: %s %s: %v\n", rr.method, shortPath(rr.path), err)
		if r.reported == maxReportedErrors {
			fmt.Fprintln(r.stderr, "replay: further failed requests are only counted")
		}
	}
	var se statusError
	if errors.As(err, &se) && se.status == http.StatusTooManyRequests && !r.hinted429 {
		r.hinted429 = true
		fmt.Fprintln(r.stderr, "replay: the server limits diagnoses and API calls per client; run it with --rate-limit 0 for a load test")
	}
}

// shortPath keeps error lines readable when a path carries a long query.
func shortPath(p string) string {
	if len(p) > 100 {
		return p[:100] + "…"
	}
	return p
}

// print writes the report: totals, then a line per kind of request.
func (res replayResult) print(w io.Writer, concurrency int, rate float64, seed uint64) {
	target := "as fast as possible"
	if rate > 0 {
		target = fmt.Sprintf("target %.0f req/s", rate)
	}
	fmt.Fprintf(w, "%d requests in %.1fs: %.1f req/s, %d errors (concurrency %d, %s, seed %d)\n",
		res.total, res.elapsed.Seconds(), float64(res.total)/res.elapsed.Seconds(), res.failed, concurrency, target, seed)
	fmt.Fprintf(w, "%-10s %9s %7s %9s %9s %9s\n", "kind", "requests", "errors", "p50 ms", "p99 ms", "max ms")
	var every []time.Duration
	line := func(name string, ds []time.Duration, errs int) {
		if len(ds) == 0 {
			fmt.Fprintf(w, "%-10s %9d %7d %9s %9s %9s\n", name, 0, errs, "-", "-", "-")
			return
		}
		slices.Sort(ds)
		fmt.Fprintf(w, "%-10s %9d %7d %9.2f %9.2f %9.2f\n", name, len(ds), errs,
			durationMillis(nearestRank(ds, 50)), durationMillis(nearestRank(ds, 99)), durationMillis(ds[len(ds)-1]))
	}
	for k := range numKinds {
		line(kindNames[k], res.latencies[k], res.errors[k])
		every = append(every, res.latencies[k]...)
	}
	line("all", every, res.failed)
	if len(res.perBase) > 1 || res.failovers > 0 {
		bases := slices.Sorted(maps.Keys(res.perBase))
		parts := make([]string, len(bases))
		for i, b := range bases {
			parts[i] = fmt.Sprintf("%s %d", b, res.perBase[b])
		}
		fmt.Fprintf(w, "answered per instance: %s; %d sent again to another instance after a refused connection\n", strings.Join(parts, ", "), res.failovers)
	}
}

// nearestRank returns the nearest-rank p-th percentile of sorted,
// non-empty durations.
func nearestRank(sorted []time.Duration, p int) time.Duration {
	i := (p*len(sorted) + 99) / 100
	return sorted[max(i, 1)-1]
}

func durationMillis(d time.Duration) float64 { return d.Seconds() * 1000 }

// statsFetches are the stats API calls the check compares: every figure
// for everyone and for visitors from the ticket form.
var statsFetches = []struct{ name, source string }{
	{"top-errors", "all"}, {"top-errors", "ticket"},
	{"failed-searches", "all"}, {"failed-searches", "ticket"},
	{"feedback", "all"}, {"feedback", "ticket"},
}

// statsAPILimit is the most items the stats API returns.
const statsAPILimit = 100

// statsSnapshot is today's figures as the stats API shows them.
type statsSnapshot struct {
	counts statCounts
	// full names the lists ("top-errors ticket") that reached the API's
	// limit: a key missing from them may exist further down.
	full map[string]bool
}

// fullList reports whether the list a key belongs to was cut at the limit.
func (s statsSnapshot) fullList(k statKey) bool {
	name := strings.TrimSuffix(strings.TrimSuffix(k.stat, "-yes"), "-no")
	return s.full[name+" "+k.source]
}

// fetchStats reads the figures of the last days (1: today) from the stats
// API of the instance at base.
func (r *replayer) fetchStats(ctx context.Context, base, token string, days int) (statsSnapshot, error) {
	snap := statsSnapshot{counts: statCounts{}, full: make(map[string]bool)}
	counts := snap.counts
	for _, f := range statsFetches {
		path := fmt.Sprintf("/api/v1/stats/%s?days=%d&source=%s", f.name, days, f.source)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return snap, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := r.client.Do(req)
		if err != nil {
			return snap, err
		}
		var body struct {
			Items []struct {
				Reason  string `json:"reason"`
				Article string `json:"article"`
				Query   string `json:"query"`
				Count   int64  `json:"count"`
				Yes     int64  `json:"yes"`
				No      int64  `json:"no"`
			} `json:"items"`
		}
		err = json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(&body)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
			return snap, fmt.Errorf("GET %s%s answered %s: is the staff API token right?", base, path, resp.Status)
		case resp.StatusCode != http.StatusOK:
			return snap, fmt.Errorf("GET %s%s answered %s", base, path, resp.Status)
		case err != nil:
			return snap, fmt.Errorf("GET %s%s: %w", base, path, err)
		}
		snap.full[f.name+" "+f.source] = len(body.Items) >= statsAPILimit
		for _, it := range body.Items {
			switch f.name {
			case "top-errors":
				counts[statKey{f.name, f.source, it.Reason + "\t" + it.Article}] = it.Count
			case "failed-searches":
				counts[statKey{f.name, f.source, it.Query}] = it.Count
			case "feedback":
				counts[statKey{"feedback-yes", f.source, it.Article}] = it.Yes
				counts[statKey{"feedback-no", f.source, it.Article}] = it.No
			}
		}
	}
	return snap, nil
}

// Analytics are saved asynchronously (a queue flushed at least every
// 500 ms), so the check polls until they have caught up.
const (
	analyticsPoll    = 250 * time.Millisecond
	analyticsTimeout = 15 * time.Second
)

// checkAnalytics waits until the stats API of each instance (bases, with
// their figures before the run) shows for the last days (1: today), over
// those figures, exactly what was sent to all of them.
func (r *replayer) checkAnalytics(ctx context.Context, w io.Writer, token, day string, days int, bases []string, before []statsSnapshot, sent statCounts) error {
	for i, base := range bases {
		if err := r.checkInstance(ctx, w, token, day, days, base, before[i], sent); err != nil {
			if len(bases) > 1 {
				return fmt.Errorf("%s: %w", base, err)
			}
			return err
		}
	}
	return nil
}

// checkInstance waits until the stats API at base shows, over the counts
// before the run, exactly what was sent.
func (r *replayer) checkInstance(ctx context.Context, w io.Writer, token, day string, days int, base string, before statsSnapshot, sent statCounts) error {
	giveUp := time.Now().Add(analyticsTimeout)
	for {
		after, err := r.fetchStats(ctx, base, token, days)
		if err != nil {
			return fmt.Errorf("analytics check: %w", err)
		}
		if utcDate(time.Now()) != day {
			fmt.Fprintf(w, "analytics check skipped: the run crossed midnight UTC, and days=%d ends today\n", days)
			return nil
		}
		mismatches := compareStats(before, after, sent)
		if len(mismatches) == 0 {
			var errorCounts, failedSearches, votes int64
			for k, n := range sent {
				if k.source != "all" {
					continue
				}
				switch k.stat {
				case "top-errors":
					errorCounts += n
				case "failed-searches":
					failedSearches += n
				default:
					votes += n
				}
			}
			where := ""
			if days > 1 {
				where = fmt.Sprintf(" over the last %d days", days)
			}
			if len(r.bases) > 1 {
				where += " (" + base + ")"
			}
			fmt.Fprintf(w, "analytics match what was sent%s: %d error counts, %d failed searches, %d votes\n", where, errorCounts, failedSearches, votes)
			return nil
		}
		if time.Now().After(giveUp) {
			fmt.Fprintf(w, "analytics of %s do not match what was sent after %s (%d differences):\n", base, analyticsTimeout, len(mismatches))
			for _, m := range mismatches[:min(len(mismatches), 10)] {
				fmt.Fprintln(w, "  "+m)
			}
			return fmt.Errorf("analytics do not match what was sent: %d differences", len(mismatches))
		}
		select {
		case <-time.After(analyticsPoll):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// compareStats lists, sorted, the figures whose change is not what was
// sent: those sent, and those that changed though nothing was sent for
// them (when the lists are short enough to tell).
func compareStats(before, after statsSnapshot, sent statCounts) []string {
	var out []string
	for k, want := range sent {
		if got := after.counts[k] - before.counts[k]; got != want {
			m := fmt.Sprintf("%v: sent %d, stats show %+d", k, want, got)
			if _, ok := after.counts[k]; !ok && after.fullList(k) {
				m += " (not in the API's first 100)"
			}
			out = append(out, m)
		}
	}
	for k, n := range after.counts {
		if _, ok := sent[k]; ok {
			continue
		}
		if _, ok := before.counts[k]; !ok && before.fullList(k) {
			continue // it may have been past the first 100 before
		}
		if got := n - before.counts[k]; got != 0 {
			out = append(out, fmt.Sprintf("%v: sent 0, stats show %+d", k, got))
		}
	}
	sort.Strings(out)
	return out
}
