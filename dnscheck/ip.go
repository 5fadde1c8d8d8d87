package dnscheck

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// maxPTRNames bounds the PTR names whose forward records are checked.
const maxPTRNames = 3

// reverseName is the in-addr.arpa or ip6.arpa name of an address.
func reverseName(addr netip.Addr) string {
	name, _ := dns.ReverseAddr(addr.String())
	return name
}

// checkPTR checks an IP's PTR and that the name points back to it
// (forward-confirmed reverse DNS).
func (c *Checker) checkPTR(ctx context.Context, addr netip.Addr) (ch Check, ptr string, confirmed bool) {
	provider := c.outbound[addr]
	v := vars{"ip": addr.String(), "dominio": "tudominio.es"}
	rev := reverseName(addr)
	rrs, err := c.res.lookup(ctx, rev, dns.TypePTR)
	if err != nil && !errors.Is(err, errNXDomain) {
		return c.failure("ptr", err, v), "", false
	}
	var names []string
	for _, rr := range rrs {
		n := strings.ToLower(strings.TrimSuffix(rr.(*dns.PTR).Ptr, "."))
		if n != "" && !slices.Contains(names, n) && len(names) < maxPTRNames {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		if provider {
			return c.check("ptr", "none_provider", StatusFail, v, ""), "", false
		}
		return c.check("ptr", "none", StatusFail, v, record(rev, "PTR", "mail.tudominio.es.")), "", false
	}
	v["nombre"] = names[0]
	qtype := dns.TypeA
	if addr.Is6() {
		qtype = dns.TypeAAAA
	}
	var forwardErr error
	for _, name := range names {
		rrs, err := c.res.lookup(ctx, name, qtype)
		if err != nil && !errors.Is(err, errNXDomain) {
			forwardErr = err
			continue
		}
		for _, rr := range rrs {
			var ip netip.Addr
			switch r := rr.(type) {
			case *dns.A:
				ip, _ = netip.AddrFromSlice(r.A.To4())
			case *dns.AAAA:
				ip, _ = netip.AddrFromSlice(r.AAAA)
			}
			if ip.Unmap() == addr {
				v["nombre"] = name
				if !provider && looksGeneric(name, addr) {
					return c.check("ptr", "generic", StatusWarn, v, ""), name, true
				}
				return c.check("ptr", "ok", StatusOK, v, ""), name, true
			}
		}
	}
	if forwardErr != nil {
		return c.failure("ptr", forwardErr, v), names[0], false
	}
	if provider {
		return c.check("ptr", "unconfirmed_provider", StatusFail, v, ""), names[0], false
	}
	typ := "A"
	if addr.Is6() {
		typ = "AAAA"
	}
	return c.check("ptr", "unconfirmed", StatusFail, v, record(names[0], typ, addr.String())), names[0], false
}

// genericWords mark the PTR names ISPs give home and dynamic connections.
var genericWords = []string{"dynamic", "dyn", "dhcp", "pool", "dsl", "adsl", "cable", "ppp", "broadband",
	"residential", "dialup", "dial", "client", "customer", "cpe", "home", "user"}

// looksGeneric reports whether a PTR name looks like an ISP's name for a
// home or dynamic connection: it spells out the IP, or says so.
func looksGeneric(name string, addr netip.Addr) bool {
	tokens := strings.FieldsFunc(name, func(r rune) bool { return r == '.' || r == '-' || r == '_' })
	for _, t := range tokens {
		for _, w := range genericWords {
			if t == w || strings.HasPrefix(t, w) && strings.Trim(t[len(w):], "0123456789") == "" {
				return true
			}
		}
	}
	if addr.Is4() {
		b := addr.As4()
		found := 0
		for _, octet := range b {
			if slices.Contains(tokens, strconv.Itoa(int(octet))) {
				found++
			}
		}
		return found == 4
	}
	return false
}

// dnsblName is the name to look an address up in a DNSBL zone: its
// octets (or nibbles) reversed, then the zone.
func dnsblName(addr netip.Addr, zone string) string {
	rev := reverseName(addr)
	rev = strings.TrimSuffix(strings.TrimSuffix(rev, "in-addr.arpa."), "ip6.arpa.")
	return rev + zone
}

// refusal is the block of answers with which lists refuse a query
// (Spamhaus: 127.255.255.252 typo in the zone, .254 public resolver, .255
// too many queries); never a listing.
var refusal = netip.MustParsePrefix("127.255.255.0/24")

var loopback = netip.MustParsePrefix("127.0.0.0/8")

// checkDNSBL asks one DNSBL zone about an IP and reads its answer codes.
func (c *Checker) checkDNSBL(ctx context.Context, addr netip.Addr, zone string) Listing {
	info := c.list(zone)
	l := Listing{Zone: zone, Name: info.Name, Codes: []string{}}
	v := c.withProvider(vars{"ip": addr.String(), "lista": info.Name, "web": info.Web})
	set := func(kase string, status Status) Listing {
		ch := c.check("dnsbl", kase, status, v, "")
		l.Status, l.Summary, l.Detail = status, ch.Summary, ch.Detail
		return l
	}
	if addr.Is6() && !info.IPv6 {
		return set("ipv6", StatusError)
	}
	rrs, err := c.res.lookup(ctx, dnsblName(addr, zone), dns.TypeA)
	switch {
	case errors.Is(err, errNXDomain) || err == nil && len(rrs) == 0:
		return set("clean", StatusOK)
	case errors.Is(err, errRefused):
		v["codigos"] = "REFUSED"
		return set("refused", StatusError)
	case err != nil:
		v["motivo"] = c.reason(err)
		return set("error", StatusError)
	}
	var codes []netip.Addr
	for _, rr := range rrs {
		if ip, ok := netip.AddrFromSlice(rr.(*dns.A).A.To4()); ok && !slices.Contains(codes, ip) {
			codes = append(codes, ip)
		}
	}
	slices.SortFunc(codes, func(a, b netip.Addr) int { return a.Compare(b) })
	var meanings []string
	refused, strange := false, false
	for _, ip := range codes {
		code := ip.String()
		l.Codes = append(l.Codes, code)
		switch {
		case refusal.Contains(ip):
			refused = true
		case !loopback.Contains(ip):
			strange = true
		}
		if m := info.Codes[code]; m != "" && !slices.Contains(meanings, m) {
			meanings = append(meanings, m)
		}
	}
	v["codigos"] = strings.Join(l.Codes, ", ")
	switch {
	case refused:
		if len(meanings) > 0 {
			v["codigos"] += " (" + strings.TrimSuffix(strings.Join(meanings, "; "), ".") + ")"
		}
		return set("refused", StatusError)
	case strange:
		return set("strange", StatusError)
	}
	if len(meanings) == 0 {
		meanings = []string{c.note("dnsbl_undocumented", nil)}
	}
	for i, m := range meanings {
		meanings[i] = upperFirst(m)
	}
	v["significado"] = strings.Join(meanings, " ")
	l.Listed = true
	return set("listed", StatusFail)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = []rune(strings.ToUpper(string(r[0])))[0]
	return string(r)
}
