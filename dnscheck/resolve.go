package dnscheck

import (
	"container/list"
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Bounds of the resolver.
const (
	maxCNAMEHops = 8                // a longer chain is treated as a loop
	maxTTL       = time.Hour        // answers are kept no longer, whatever their TTL
	negativeTTL  = 60 * time.Second // NXDOMAIN/NODATA without an SOA to say how long
	errorTTL     = 5 * time.Second  // SERVFAIL and REFUSED, so a broken zone is not asked again at once
)

// lookupError is why a lookup has no answer: the kinds the explanations
// distinguish.
type lookupError struct {
	kind string // timeout, servfail, refused, loop, failed
	name string // the name in a CNAME loop
}

func (e *lookupError) Error() string { return "dnscheck: lookup " + e.kind }

var (
	errTimeout  = &lookupError{kind: "timeout"}
	errServFail = &lookupError{kind: "servfail"}
	errRefused  = &lookupError{kind: "refused"}
	errFailed   = &lookupError{kind: "failed"}
	// errNXDomain: the name does not exist (NXDOMAIN). Not a failure of
	// the DNS: an answer.
	errNXDomain = errors.New("dnscheck: no such domain")
)

// resolver asks one recursive DNS server, with a cache.
type resolver struct {
	server  string
	timeout time.Duration
	udp     *dns.Client
	tcp     *dns.Client
	now     func() time.Time

	mu       sync.Mutex
	entries  map[cacheKey]*list.Element
	lru      *list.List // front: most recently used
	max      int
	inflight map[cacheKey]*call
}

type cacheKey struct {
	name  string // lower case, fully qualified
	qtype uint16
}

// entry is one cached answer: the rcode and the answer section.
type entry struct {
	key     cacheKey
	rcode   int
	answer  []dns.RR
	expires time.Time
}

// call is a query in flight that others asking the same wait for.
type call struct {
	done   chan struct{}
	rcode  int
	answer []dns.RR
	err    error
}

func newResolver(cfg Config) (*resolver, error) {
	server := cfg.Server
	if server == "" {
		server = systemResolver()
	}
	if _, _, err := net.SplitHostPort(server); err != nil {
		return nil, errors.New("dnscheck: DNS server " + server + " is not host:port")
	}
	return &resolver{
		server:   server,
		timeout:  cfg.QueryTimeout,
		udp:      &dns.Client{Net: "udp", Timeout: cfg.QueryTimeout, UDPSize: 1232},
		tcp:      &dns.Client{Net: "tcp", Timeout: cfg.QueryTimeout},
		now:      cfg.Now,
		entries:  make(map[cacheKey]*list.Element),
		lru:      list.New(),
		max:      cfg.CacheSize,
		inflight: make(map[cacheKey]*call),
	}, nil
}

// systemResolver is the first nameserver of /etc/resolv.conf, or the local
// one.
func systemResolver() string {
	if c, err := dns.ClientConfigFromFile("/etc/resolv.conf"); err == nil && len(c.Servers) > 0 {
		return net.JoinHostPort(c.Servers[0], c.Port)
	}
	return "127.0.0.1:53"
}

// lookup returns the records of type qtype at name, following CNAMEs (in
// the answer, or by asking again for the target) up to maxCNAMEHops, with
// loops detected. No records and no error is NODATA; errNXDomain means the
// name does not exist; a *lookupError that the DNS did not answer.
func (r *resolver) lookup(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	name = dns.Fqdn(strings.ToLower(name))
	seen := make(map[string]bool)
	for hops := 0; ; hops++ {
		if seen[name] || hops > maxCNAMEHops {
			return nil, &lookupError{kind: "loop", name: strings.TrimSuffix(name, ".")}
		}
		seen[name] = true
		rcode, answer, err := r.query(ctx, name, qtype)
		if err != nil {
			return nil, err
		}
		// Walk the chain the answer holds from name.
		cur := name
		for {
			var found []dns.RR
			next := ""
			for _, rr := range answer {
				h := rr.Header()
				if !strings.EqualFold(h.Name, cur) {
					continue
				}
				switch {
				case h.Rrtype == qtype:
					found = append(found, rr)
				case h.Rrtype == dns.TypeCNAME && qtype != dns.TypeCNAME:
					next = strings.ToLower(rr.(*dns.CNAME).Target)
				}
			}
			if len(found) > 0 {
				return found, nil
			}
			if next == "" {
				break
			}
			if seen[next] || len(seen) > maxCNAMEHops {
				return nil, &lookupError{kind: "loop", name: strings.TrimSuffix(next, ".")}
			}
			seen[next] = true
			cur = next
		}
		if cur == name {
			// No records and no CNAME: the name's own answer.
			switch rcode {
			case dns.RcodeSuccess:
				return nil, nil
			case dns.RcodeNameError:
				return nil, errNXDomain
			}
			return nil, rcodeError(rcode)
		}
		// The chain leaves the answer: ask for its end.
		delete(seen, cur)
		name = cur
	}
}

func rcodeError(rcode int) error {
	switch rcode {
	case dns.RcodeServerFailure:
		return errServFail
	case dns.RcodeRefused:
		return errRefused
	}
	return errFailed
}

// query returns the rcode and answer section for name and qtype, from the
// cache or the server. Concurrent askers of the same share one query.
func (r *resolver) query(ctx context.Context, name string, qtype uint16) (int, []dns.RR, error) {
	key := cacheKey{name, qtype}
	r.mu.Lock()
	if el, ok := r.entries[key]; ok {
		e := el.Value.(*entry)
		if r.now().Before(e.expires) {
			r.lru.MoveToFront(el)
			r.mu.Unlock()
			return e.rcode, e.answer, nil
		}
		r.lru.Remove(el)
		delete(r.entries, key)
	}
	if c, ok := r.inflight[key]; ok {
		r.mu.Unlock()
		select {
		case <-c.done:
			return c.rcode, c.answer, c.err
		case <-ctx.Done():
			return 0, nil, errTimeout
		}
	}
	c := &call{done: make(chan struct{})}
	r.inflight[key] = c
	r.mu.Unlock()

	var ttl time.Duration
	c.rcode, c.answer, ttl, c.err = r.exchange(ctx, name, qtype)

	r.mu.Lock()
	delete(r.inflight, key)
	if c.err == nil && ttl > 0 {
		r.store(&entry{key: key, rcode: c.rcode, answer: c.answer, expires: r.now().Add(ttl)})
	}
	r.mu.Unlock()
	close(c.done)
	return c.rcode, c.answer, c.err
}

// store adds an entry, evicting the least recently used beyond the bound.
// r.mu is held.
func (r *resolver) store(e *entry) {
	r.entries[e.key] = r.lru.PushFront(e)
	for r.lru.Len() > r.max {
		old := r.lru.Back()
		r.lru.Remove(old)
		delete(r.entries, old.Value.(*entry).key)
	}
}

// exchange asks the server, over UDP and then TCP if the answer was
// truncated, retrying a lost UDP query while the deadline allows. ttl is
// how long the answer may be cached.
func (r *resolver) exchange(ctx context.Context, name string, qtype uint16) (rcode int, answer []dns.RR, ttl time.Duration, err error) {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.RecursionDesired = true
	m.SetEdns0(1232, false)
	var in *dns.Msg
	for attempt := 0; attempt < 2; attempt++ {
		if ctx.Err() != nil {
			return 0, nil, 0, errTimeout
		}
		qctx, cancel := context.WithTimeout(ctx, r.timeout)
		in, _, err = r.udp.ExchangeContext(qctx, m, r.server)
		if err == nil && in.Truncated {
			in, _, err = r.tcp.ExchangeContext(qctx, m, r.server)
		}
		cancel()
		if err == nil {
			break
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			// Refused connections, malformed answers: not worth a retry.
			return 0, nil, 0, errFailed
		}
	}
	if err != nil {
		return 0, nil, 0, errTimeout
	}
	if in.Id != m.Id || len(in.Question) != 1 || !strings.EqualFold(in.Question[0].Name, name) {
		return 0, nil, 0, errFailed
	}
	switch in.Rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
	default:
		return in.Rcode, nil, errorTTL, nil
	}
	if len(in.Answer) > 0 {
		ttl = maxTTL
		for _, rr := range in.Answer {
			ttl = min(ttl, time.Duration(rr.Header().Ttl)*time.Second)
		}
		return in.Rcode, in.Answer, ttl, nil
	}
	// A negative answer is kept as long as its SOA says (RFC 2308).
	ttl = negativeTTL
	for _, rr := range in.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			ttl = min(time.Duration(min(soa.Hdr.Ttl, soa.Minttl))*time.Second, maxTTL)
		}
	}
	return in.Rcode, nil, ttl, nil
}

// txt returns the TXT strings at name, each record's strings joined.
func (r *resolver) txt(ctx context.Context, name string) ([]string, error) {
	rrs, err := r.lookup(ctx, name, dns.TypeTXT)
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		out = append(out, strings.Join(rr.(*dns.TXT).Txt, ""))
	}
	return out, err
}
