// Package dnscheck checks, live and only through DNS, what most often makes
// a customer's mail bounce: the domain's MX, SPF, DKIM and DMARC records,
// and a sending IP's reverse DNS (PTR) and presence on blocklists (DNSBL).
// Each check gives a status (ok, aviso, fallo, error) and a Spanish
// explanation with, where something is missing or wrong, the exact record
// to publish, built from the provider's settings.
//
// It is the one package of Rebote that does network I/O, so it stands
// apart from the pure knowledge packages. It is safe by construction:
// names are validated (and IDN names converted) before any query, private
// and reserved IPs are refused, every query has a timeout and every check
// a total deadline, SPF includes and CNAME chains are followed only so far
// (loops detected), and answers are kept in a bounded cache for no longer
// than their TTL. It logs nothing and keeps nothing but that cache: the
// names and IPs checked are the customer's business.
package dnscheck

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// Status is the outcome of one check.
type Status string

// The statuses, from best to worst; StatusError means the check could not
// be made (the DNS did not answer), not that something is wrong.
const (
	StatusOK    Status = "ok"
	StatusWarn  Status = "aviso"
	StatusFail  Status = "fallo"
	StatusError Status = "error"
)

// rank orders statuses by how much they need the customer's attention.
func (s Status) rank() int {
	switch s {
	case StatusOK:
		return 0
	case StatusError:
		return 1
	case StatusWarn:
		return 2
	}
	return 3
}

// worse returns the status that needs more attention.
func worse(a, b Status) Status {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// Check is the result of one check: what was found, in Spanish.
type Check struct {
	ID      string // mx, spf, dkim, dmarc, ptr
	Status  Status
	Summary string // one sentence
	Detail  string // why it matters and what to do
	Fix     string // the record(s) to publish, one per line; "" when nothing is to be published
}

// DomainReport is the result of the checks on a domain.
type DomainReport struct {
	Domain  string // as queried (ASCII, IDN converted)
	Unicode string // as the customer would write it
	Checks  []Check
}

// IPReport is the result of the checks on a sending IP.
type IPReport struct {
	IP               string
	PTR              string // the first PTR name, "" when there is none
	ForwardConfirmed bool
	Check            Check // the PTR check
	Lists            []Listing
}

// Listing is the answer of one blocklist about an IP.
type Listing struct {
	Zone   string
	Name   string // "Spamhaus ZEN"
	Listed bool
	// Status is ok (not listed), fallo (listed) or error (the list did not
	// answer, or refused to answer this resolver: never "listed").
	Status  Status
	Codes   []string // the answer's 127.0.0.x codes
	Summary string
	Detail  string
}

// Config is the provider's side of the checks.
type Config struct {
	// Server is the DNS resolver to ask, host:port; empty means the
	// system's (the first nameserver of /etc/resolv.conf).
	Server string
	// Zones are the DNSBL zones an IP is looked up in.
	Zones []string
	// ProviderName names the provider in the explanations.
	ProviderName string
	// SPFInclude is the domain customers' SPF records must include
	// ("_spf.servinetwork.com"); empty skips that check.
	SPFInclude string
	// DKIMSelectors are the selectors the provider signs with.
	DKIMSelectors []string
	// ProviderMX are the provider's incoming mail servers, most preferred
	// first.
	ProviderMX []string
	// OutboundIPs are the provider's sending IPs, whose PTR the domain
	// page shows.
	OutboundIPs []netip.Addr

	// QueryTimeout bounds one DNS query (default 600 ms; a lost UDP
	// query is sent once more while the deadline allows).
	QueryTimeout time.Duration
	// Deadline bounds a whole report, all checks together (default 1.5 s,
	// so that a page, rendered and sent, never waits 2 s).
	Deadline time.Duration
	// CacheSize is the most answers kept (default 4096).
	CacheSize int
	// Now is the clock of the cache (default time.Now).
	Now func() time.Time
}

// DefaultZones are the DNSBL zones checked when none are configured.
func DefaultZones() []string {
	return []string{"zen.spamhaus.org", "b.barracudacentral.org", "bl.spamcop.net"}
}

// Checker runs the checks. It is safe for concurrent use.
type Checker struct {
	cfg  Config
	res  *resolver
	text *texts

	outbound map[netip.Addr]bool // the provider's sending IPs
}

// New returns a Checker, after validating the configuration.
func New(cfg Config) (*Checker, error) {
	if cfg.QueryTimeout <= 0 {
		cfg.QueryTimeout = 600 * time.Millisecond
	}
	if cfg.Deadline <= 0 {
		cfg.Deadline = 1500 * time.Millisecond
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = 4096
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ProviderName == "" {
		return nil, errors.New("dnscheck: the provider's name is required")
	}
	cfg.Zones = slices.Clone(cfg.Zones)
	cfg.ProviderMX = slices.Clone(cfg.ProviderMX)
	var errs []error
	for i, z := range cfg.Zones {
		n, err := ValidDomain(z)
		if err != nil {
			errs = append(errs, fmt.Errorf("dnscheck: DNSBL zone %q: %w", z, err))
		}
		cfg.Zones[i] = n
	}
	if cfg.SPFInclude != "" {
		n, err := ValidDomain(cfg.SPFInclude)
		if err != nil {
			errs = append(errs, fmt.Errorf("dnscheck: SPF include %q: %w", cfg.SPFInclude, err))
		}
		cfg.SPFInclude = n
	}
	for i, mx := range cfg.ProviderMX {
		n, err := ValidDomain(mx)
		if err != nil {
			errs = append(errs, fmt.Errorf("dnscheck: provider MX %q: %w", mx, err))
		}
		cfg.ProviderMX[i] = n
	}
	for _, sel := range cfg.DKIMSelectors {
		if !validSelector(sel) {
			errs = append(errs, fmt.Errorf("dnscheck: DKIM selector %q must be DNS labels", sel))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	res, err := newResolver(cfg)
	if err != nil {
		return nil, err
	}
	t, err := loadTexts()
	if err != nil {
		return nil, err
	}
	c := &Checker{cfg: cfg, res: res, text: t}
	c.outbound = make(map[netip.Addr]bool, len(cfg.OutboundIPs))
	for _, ip := range cfg.OutboundIPs {
		c.outbound[ip.Unmap()] = true
	}
	return c, nil
}

// Config returns the configuration in use (defaults filled in).
func (c *Checker) Config() Config { return c.cfg }

// CheckDomain runs the MX, SPF, DKIM and DMARC checks on a domain the
// customer sends from, all at once, within the deadline. The error is an
// *InputError when the domain is not a valid domain name; DNS failures are
// checks with StatusError.
func (c *Checker) CheckDomain(ctx context.Context, domain string) (DomainReport, error) {
	name, err := ValidDomain(domain)
	if err != nil {
		return DomainReport{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Deadline)
	defer cancel()
	rep := DomainReport{Domain: name, Unicode: unicodeName(name)}
	rep.Checks = make([]Check, 4)
	var wg sync.WaitGroup
	for i, f := range []func(context.Context, string) Check{c.checkMX, c.checkSPF, c.checkDKIM, c.checkDMARC} {
		wg.Go(func() { rep.Checks[i] = f(ctx, name) })
	}
	wg.Wait()
	return rep, nil
}

// CheckRecipientDomain checks that a domain a bounce called nonexistent
// receives mail now: it does not exist, has no MX, or exists (and the
// bounce is old or the failure was temporary).
func (c *Checker) CheckRecipientDomain(ctx context.Context, domain string) (DomainReport, error) {
	name, err := ValidDomain(domain)
	if err != nil {
		return DomainReport{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Deadline)
	defer cancel()
	return DomainReport{Domain: name, Unicode: unicodeName(name), Checks: []Check{c.checkRecipientMX(ctx, name)}}, nil
}

// CheckIP checks a sending IP: its PTR, forward-confirmed, and each zone's
// answer. zones empty means the configured zones. The error is an
// *InputError for an invalid, private or reserved IP, or an invalid zone.
func (c *Checker) CheckIP(ctx context.Context, ip string, zones []string) (IPReport, error) {
	addr, err := ValidIP(ip)
	if err != nil {
		return IPReport{}, err
	}
	if len(zones) == 0 {
		zones = c.cfg.Zones
	}
	zones = slices.Clone(zones)
	for i, z := range zones {
		n, err := ValidDomain(z)
		if err != nil {
			return IPReport{}, err
		}
		zones[i] = n
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Deadline)
	defer cancel()
	rep := IPReport{IP: addr.String(), Lists: make([]Listing, len(zones))}
	var wg sync.WaitGroup
	wg.Go(func() { rep.Check, rep.PTR, rep.ForwardConfirmed = c.checkPTR(ctx, addr) })
	for i, z := range zones {
		wg.Go(func() { rep.Lists[i] = c.checkDNSBL(ctx, addr, z) })
	}
	wg.Wait()
	return rep, nil
}

// CheckOutbound checks the PTR of each of the provider's sending IPs.
func (c *Checker) CheckOutbound(ctx context.Context) []Check {
	if len(c.cfg.OutboundIPs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Deadline)
	defer cancel()
	out := make([]Check, len(c.cfg.OutboundIPs))
	var wg sync.WaitGroup
	for i, ip := range c.cfg.OutboundIPs {
		wg.Go(func() { out[i], _, _ = c.checkPTR(ctx, ip.Unmap()) })
	}
	wg.Wait()
	return out
}
