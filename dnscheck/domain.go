package dnscheck

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// record writes one line of a zone: the exact record to publish.
func record(name, typ, value string) string {
	return strings.TrimSuffix(name, ".") + ".  " + typ + "  " + value
}

// txtRecord writes a TXT record, its value quoted.
func txtRecord(name, value string) string {
	value = strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(value)
	return record(name, "TXT", `"`+value+`"`)
}

// mxFix is the provider's MX records for a domain, "" when they are not
// configured.
func (c *Checker) mxFix(domain string) string {
	var lines []string
	for i, mx := range c.cfg.ProviderMX {
		lines = append(lines, record(domain, "MX", strconv.Itoa(10*(i+1))+" "+mx+"."))
	}
	return strings.Join(lines, "\n")
}

// mxHosts returns the MX targets by preference, lower case without the
// final dot; null is true for a null MX ("MX 0 .", RFC 7505).
func mxHosts(rrs []dns.RR) (hosts []string, null bool) {
	mxs := make([]*dns.MX, 0, len(rrs))
	for _, rr := range rrs {
		mxs = append(mxs, rr.(*dns.MX))
	}
	slices.SortStableFunc(mxs, func(a, b *dns.MX) int { return int(a.Preference) - int(b.Preference) })
	for _, mx := range mxs {
		h := strings.ToLower(strings.TrimSuffix(mx.Mx, "."))
		if h == "" {
			null = true
			continue
		}
		if !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	return hosts, null && len(hosts) == 0
}

// hasAddress reports whether a name has an A or AAAA record.
func (c *Checker) hasAddress(ctx context.Context, name string) (bool, error) {
	var firstErr error
	for _, t := range []uint16{dns.TypeA, dns.TypeAAAA} {
		rrs, err := c.res.lookup(ctx, name, t)
		if len(rrs) > 0 {
			return true, nil
		}
		if err != nil && !errors.Is(err, errNXDomain) && firstErr == nil {
			firstErr = err
		}
	}
	return false, firstErr
}

// checkMX checks who receives a customer's domain's mail.
func (c *Checker) checkMX(ctx context.Context, domain string) Check {
	v := vars{"dominio": unicodeName(domain), "mx_proveedor": strings.Join(c.cfg.ProviderMX, ", ")}
	rrs, err := c.res.lookup(ctx, domain, dns.TypeMX)
	switch {
	case errors.Is(err, errNXDomain):
		return c.check("mx", "nxdomain", StatusFail, v, "")
	case err != nil:
		return c.failure("mx", err, v)
	}
	hosts, null := mxHosts(rrs)
	switch {
	case null:
		return c.check("mx", "null", StatusWarn, v, c.mxFix(domain))
	case len(hosts) == 0:
		ok, err := c.hasAddress(ctx, domain)
		switch {
		case ok:
			return c.check("mx", "a_only", StatusWarn, v, c.mxFix(domain))
		case err != nil:
			return c.failure("mx", err, v)
		}
		return c.check("mx", "none", StatusFail, v, c.mxFix(domain))
	}
	v["mx"] = strings.Join(hosts, ", ")
	switch {
	case len(c.cfg.ProviderMX) == 0:
		return c.check("mx", "present", StatusOK, v, "")
	case slices.Contains(c.cfg.ProviderMX, hosts[0]):
		return c.check("mx", "provider", StatusOK, v, "")
	}
	return c.check("mx", "elsewhere", StatusWarn, v, c.mxFix(domain))
}

// checkRecipientMX checks, for a bounce that said a recipient's domain
// does not exist, whether it receives mail now.
func (c *Checker) checkRecipientMX(ctx context.Context, domain string) Check {
	v := vars{"dominio": unicodeName(domain)}
	rrs, err := c.res.lookup(ctx, domain, dns.TypeMX)
	switch {
	case errors.Is(err, errNXDomain):
		return c.with("mx", c.check("recipient", "nxdomain", StatusFail, v, ""))
	case err != nil:
		return c.with("mx", c.failure("recipient", err, v))
	}
	hosts, null := mxHosts(rrs)
	switch {
	case null:
		return c.with("mx", c.check("recipient", "null", StatusFail, v, ""))
	case len(hosts) == 0:
		ok, err := c.hasAddress(ctx, domain)
		switch {
		case ok:
			return c.with("mx", c.check("recipient", "a_only", StatusWarn, v, ""))
		case err != nil:
			return c.with("mx", c.failure("recipient", err, v))
		}
		return c.with("mx", c.check("recipient", "none", StatusFail, v, ""))
	}
	v["mx"] = strings.Join(hosts, ", ")
	return c.with("mx", c.check("recipient", "ok", StatusOK, v, ""))
}

// with sets a check's id: texts are grouped by audience, ids by what was
// checked.
func (c *Checker) with(id string, ch Check) Check {
	ch.ID = id
	return ch
}
