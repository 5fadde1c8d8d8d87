package dnscheck

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/net/publicsuffix"
)

// selectorResult is the DKIM check of one selector.
type selectorResult struct {
	kase   string
	status Status
	bits   string
	detail string
	fix    string
	err    error
}

// checkDKIM checks that a key is published at each of the provider's
// selectors, non-empty and long enough.
func (c *Checker) checkDKIM(ctx context.Context, domain string) Check {
	v := vars{"dominio": unicodeName(domain)}
	if len(c.cfg.DKIMSelectors) == 0 {
		return c.check("dkim", "none_configured", StatusError, v, "")
	}
	results := make([]selectorResult, len(c.cfg.DKIMSelectors))
	var wg sync.WaitGroup
	for i, sel := range c.cfg.DKIMSelectors {
		wg.Go(func() { results[i] = c.checkSelector(ctx, domain, sel) })
	}
	wg.Wait()

	worst := 0
	status := StatusOK
	var details, fixes []string
	for i, r := range results {
		if r.err != nil {
			return c.failure("dkim", r.err, v)
		}
		if r.status.rank() > status.rank() {
			status, worst = r.status, i
		}
		details = append(details, r.detail)
		if r.fix != "" {
			fixes = append(fixes, r.fix)
		}
	}
	if status == StatusOK {
		v["selectores"] = strings.Join(details, " ")
		return c.check("dkim", "ok", StatusOK, v, "")
	}
	// The summary names the worst selector; the detail covers them all.
	sv := vars{"dominio": unicodeName(domain), "selector": c.cfg.DKIMSelectors[worst], "bits": results[worst].bits}
	ch := c.check("dkim", results[worst].kase, status, sv, strings.Join(fixes, "\n"))
	ch.Detail = strings.Join(details, " ")
	return ch
}

func (c *Checker) checkSelector(ctx context.Context, domain, sel string) selectorResult {
	name := strings.ToLower(sel) + "._domainkey." + domain
	v := vars{"dominio": unicodeName(domain), "selector": sel, "nombre": name}
	res := func(kase string, status Status, fix string) selectorResult {
		return selectorResult{kase: kase, status: status, bits: v["bits"], detail: c.check("dkim", kase, status, v, "").Detail, fix: fix}
	}
	txts, err := c.res.txt(ctx, name)
	if err != nil && !errors.Is(err, errNXDomain) {
		return selectorResult{err: err}
	}
	var rec string
	for _, t := range txts {
		if strings.Contains(t, "p=") {
			rec = t
			break
		}
	}
	if rec == "" {
		return res("missing", StatusFail, txtRecord(name, "v=DKIM1; k=rsa; p=LA_CLAVE_PÚBLICA_DEL_PANEL"))
	}
	key, err := ParseDKIM(rec)
	if err != nil {
		v["error"] = c.syntaxProblem(err)
		return res("syntax", StatusFail, "")
	}
	if key.PublicKey == "" {
		return res("revoked", StatusFail, "")
	}
	bits, ok := keyBits(key)
	if !ok {
		v["error"] = c.syntaxProblem(&SyntaxError{Kind: "bad_key"})
		return res("syntax", StatusFail, "")
	}
	switch {
	case key.KeyType == "ed25519":
		v["bits"] = "Ed25519"
	default:
		v["bits"] = strconv.Itoa(bits) + " bits"
	}
	switch {
	case key.KeyType == "ed25519" || bits >= 2048:
		return res("selector_ok", StatusOK, "")
	case bits >= 1024:
		return res("weak", StatusWarn, "")
	}
	return res("too_weak", StatusFail, "")
}

// keyBits returns the size of a DKIM public key; ok is false when it
// cannot be read.
func keyBits(k DKIMKey) (int, bool) {
	der, err := base64.StdEncoding.DecodeString(k.PublicKey)
	if err != nil {
		return 0, false
	}
	switch k.KeyType {
	case "ed25519":
		return 256, len(der) == 32
	case "rsa":
		if pub, err := x509.ParsePKIXPublicKey(der); err == nil {
			if rk, ok := pub.(*rsa.PublicKey); ok {
				return rk.N.BitLen(), true
			}
			return 0, false
		}
		if rk, err := x509.ParsePKCS1PublicKey(der); err == nil {
			return rk.N.BitLen(), true
		}
	}
	return 0, false
}

// findDMARC returns the DMARC records at _dmarc.domain, or, when there are
// none, at the organizational domain's (RFC 7489 section 6.6.3); at is
// where they were found.
func (c *Checker) findDMARC(ctx context.Context, domain string) (recs []string, at string, err error) {
	candidates := []string{domain}
	if org := orgDomain(domain); org != "" {
		candidates = append(candidates, org)
	}
	for _, d := range candidates {
		txts, err := c.res.txt(ctx, "_dmarc."+d)
		if err != nil && !errors.Is(err, errNXDomain) {
			return nil, "", err
		}
		for _, t := range txts {
			if isDMARC(t) {
				recs = append(recs, t)
			}
		}
		if len(recs) > 0 {
			return recs, d, nil
		}
	}
	return nil, "", nil
}

// orgDomain is the organizational domain (the registered one) of a
// domain, "" when it is the domain itself.
func orgDomain(domain string) string {
	org, err := publicsuffix.EffectiveTLDPlusOne(domain)
	if err != nil || org == domain {
		return ""
	}
	return org
}

// checkDMARC checks a domain's DMARC record: present, one, well written,
// its policy and reports.
func (c *Checker) checkDMARC(ctx context.Context, domain string) Check {
	v := vars{"dominio": unicodeName(domain)}
	recs, at, err := c.findDMARC(ctx, domain)
	if err != nil {
		return c.failure("dmarc", err, v)
	}
	recommended := DMARC{Policy: "none", RUA: []string{"mailto:dmarc@" + domain}, Percent: 100}
	name := "_dmarc." + domain
	switch len(recs) {
	case 0:
		return c.check("dmarc", "none", StatusFail, v, txtRecord(name, recommended.String()))
	case 1:
	default:
		v["n"] = strconv.Itoa(len(recs))
		return c.check("dmarc", "multiple", StatusFail, v, "")
	}
	d, err := ParseDMARC(recs[0])
	if err != nil {
		v["error"] = c.syntaxProblem(err)
		if at != domain {
			name = "_dmarc." + at
		}
		return c.check("dmarc", "syntax", StatusFail, v, txtRecord(name, recommended.String()))
	}
	v["politica"] = d.Policy
	kase := map[string]string{"none": "observe", "quarantine": "quarantine", "reject": "reject"}[d.Policy]
	var notes []string
	if at != domain {
		notes = append(notes, c.note("dmarc_inherited", vars{"dominio": unicodeName(domain), "nombre": "_dmarc." + at}))
	}
	if d.Percent < 100 {
		notes = append(notes, c.note("dmarc_pct", vars{"n": strconv.Itoa(d.Percent)}))
	}
	policy := c.check("dmarc", kase, StatusOK, v, "")
	if len(d.RUA) == 0 {
		fixed := d
		fixed.RUA = recommended.RUA
		ch := c.check("dmarc", "no_rua", StatusWarn, v, txtRecord(name, fixed.String()))
		ch.Detail = joinSentences(ch.Detail, append([]string{policy.Detail}, notes...)...)
		return ch
	}
	rua := make([]string, len(d.RUA))
	for i, u := range d.RUA {
		rua[i] = strings.TrimPrefix(u, "mailto:")
	}
	notes = append(notes, c.note("dmarc_rua", vars{"rua": strings.Join(rua, ", ")}))
	policy.Detail = joinSentences(policy.Detail, notes...)
	return policy
}
