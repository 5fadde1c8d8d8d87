// Package dnstest runs an authoritative DNS server on 127.0.0.1 for tests,
// as net/http/httptest runs an HTTP server: there is no Internet where the
// tests run, and every DNS case needs its own records.
//
// Fixture is a zone with one domain or IP per case dnscheck handles (see
// fixture.zone); tests may add records, make names fail (SERVFAIL,
// REFUSED) or never answer.
package dnstest

import (
	_ "embed"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Fixture is the zone of the test cases, in zone-file format.
//
//go:embed fixture.zone
var Fixture string

// Server is an authoritative DNS server over UDP and TCP on 127.0.0.1.
type Server struct {
	// Addr is the server's host:port, the same for UDP and TCP.
	Addr string

	mu      sync.Mutex
	records map[key][]dns.RR
	exists  map[string]bool // names with records, and the names above them
	rcodes  map[string]int  // names answered with an error code
	drop    map[string]bool // names never answered
	dropAll bool
	delay   time.Duration
	noChase bool

	queries atomic.Int64
}

type key struct {
	name  string
	qtype uint16
}

// NewServer starts a server answering from zone (zone-file text; names
// fully qualified) and stops it when the test ends.
func NewServer(tb testing.TB, zone string) *Server {
	tb.Helper()
	s := &Server{records: make(map[key][]dns.RR), exists: make(map[string]bool), rcodes: make(map[string]int), drop: make(map[string]bool)}
	if err := s.Add(zone); err != nil {
		tb.Fatal(err)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.Addr = pc.LocalAddr().String()
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		pc.Close()
		tb.Fatal(err)
	}
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: s}, {Listener: ln, Handler: s}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		done := make(chan struct{})
		go func() {
			defer close(done)
			srv.ActivateAndServe()
		}()
		<-started
		tb.Cleanup(func() {
			srv.Shutdown()
			<-done
		})
	}
	return s
}

// Add adds the records of a zone-file text.
func (s *Server) Add(zone string) error {
	zp := dns.NewZoneParser(strings.NewReader(zone), ".", "")
	s.mu.Lock()
	defer s.mu.Unlock()
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		h := rr.Header()
		name := strings.ToLower(h.Name)
		k := key{name, h.Rrtype}
		s.records[k] = append(s.records[k], rr)
		for n := name; n != "."; {
			s.exists[n] = true
			_, rest, _ := strings.Cut(n, ".")
			if rest == "" {
				break
			}
			n = rest
		}
	}
	return zp.Err()
}

// Fail makes the server answer every query for name with rcode
// (dns.RcodeServerFailure, dns.RcodeRefused).
func (s *Server) Fail(name string, rcode int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcodes[dns.Fqdn(strings.ToLower(name))] = rcode
}

// Drop makes the server never answer queries for name; "" for every name.
func (s *Server) Drop(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name == "" {
		s.dropAll = true
		return
	}
	s.drop[dns.Fqdn(strings.ToLower(name))] = true
}

// StopAtCNAME makes the server answer a CNAME alone, without the records
// of its target, as a server that is not authoritative for the target
// does: the client must ask for the target itself.
func (s *Server) StopAtCNAME() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noChase = true
}

// Delay makes every answer wait d, like a distant server.
func (s *Server) Delay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Queries is how many queries the server has received.
func (s *Server) Queries() int64 { return s.queries.Load() }

// soa is the negative answers' SOA: they may be cached 30 seconds.
var soa = func() dns.RR {
	rr, err := dns.NewRR(". 30 IN SOA ns.dnstest. hostmaster.dnstest. 1 3600 600 86400 30")
	if err != nil {
		panic(err)
	}
	return rr
}()

// ServeDNS answers a query from the records, as an authoritative server
// for every name would: CNAMEs followed within the zone, NODATA for names
// that exist without the type, NXDOMAIN for the rest.
func (s *Server) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	s.queries.Add(1)
	if len(req.Question) != 1 {
		return
	}
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	s.mu.Lock()
	drop, delay := s.dropAll || s.drop[name], s.delay
	rcode, failing := s.rcodes[name]
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	if !failing {
		s.answer(m, name, q.Qtype)
	}
	s.mu.Unlock()
	if drop {
		return
	}
	if failing {
		m.Rcode = rcode
	}
	if delay > 0 {
		time.Sleep(delay)
	}
	if _, isUDP := w.RemoteAddr().(*net.UDPAddr); isUDP {
		size := dns.MinMsgSize
		if o := req.IsEdns0(); o != nil {
			size = int(o.UDPSize())
		}
		m.Truncate(size)
	}
	w.WriteMsg(m)
}

// answer fills m for name and qtype. s.mu is held.
func (s *Server) answer(m *dns.Msg, name string, qtype uint16) {
	seen := make(map[string]bool)
	for {
		if seen[name] {
			return // a CNAME loop: the chain so far
		}
		seen[name] = true
		if rrs := s.records[key{name, qtype}]; len(rrs) > 0 {
			m.Answer = append(m.Answer, rrs...)
			return
		}
		cname := s.records[key{name, dns.TypeCNAME}]
		if len(cname) == 0 || qtype == dns.TypeCNAME {
			break
		}
		m.Answer = append(m.Answer, cname[0])
		if s.noChase {
			return
		}
		name = strings.ToLower(cname[0].(*dns.CNAME).Target)
	}
	if !s.exists[name] {
		m.Rcode = dns.RcodeNameError
	}
	m.Ns = append(m.Ns, soa)
}
