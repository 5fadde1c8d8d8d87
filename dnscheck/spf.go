package dnscheck

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
)

// Bounds of the SPF walk. Past 10 lookups a record fails anyway (RFC 7208
// section 4.6.4), so the walk stops fetching there; maxSPFFetch and
// maxSPFDepth bound it whatever the records say.
const (
	maxSPFLookups = 10
	maxSPFVoids   = 2
	maxSPFFetch   = 12
	maxSPFDepth   = 10
)

// spfWalk counts an SPF record's DNS lookups through its includes and
// redirects.
type spfWalk struct {
	c       *Checker
	lookups int
	voids   int
	fetched int
	loop    string // a domain the walk met again on its own path
	missing string // an include that leads to no SPF record
	macro   bool
	err     error  // the DNS failed
	include string // the provider's include, to look for
	found   bool   // the walk reached it (directly, by redirect or nested)
}

func (w *spfWalk) visit(ctx context.Context, s SPF, path []string) {
	for _, t := range s.Terms {
		w.lookups += t.Lookups()
		include := t.Name == "include" && !t.Modifier
		redirect := t.Name == "redirect" && t.Modifier
		if !include && !redirect {
			continue
		}
		if hasMacro(t.Value) {
			w.macro = true
			continue
		}
		if w.lookups > maxSPFLookups || w.fetched >= maxSPFFetch || len(path) > maxSPFDepth || w.loop != "" || w.err != nil {
			continue
		}
		target, err := ValidDomain(t.Value)
		if err == nil && target == w.include {
			w.found = true
		}
		if err != nil {
			w.voids++
			if w.missing == "" {
				w.missing = t.Value
			}
			continue
		}
		if slices.Contains(path, target) {
			w.loop = target
			continue
		}
		w.fetched++
		txts, err := w.c.res.txt(ctx, target)
		if err != nil && !errors.Is(err, errNXDomain) {
			w.err = err
			continue
		}
		var rec string
		for _, txt := range txts {
			if isSPF(txt) {
				rec = txt
				break
			}
		}
		if rec == "" {
			w.voids++
			if w.missing == "" {
				w.missing = target
			}
			continue
		}
		inner, _ := parseSPF(rec)
		w.visit(ctx, inner, append(path, target))
	}
}

// recommendedSPF is the record a customer of the provider should publish.
func (c *Checker) recommendedSPF() SPF {
	var s SPF
	if c.cfg.SPFInclude != "" {
		s.Terms = append(s.Terms, SPFTerm{Qualifier: '+', Name: "include", Value: c.cfg.SPFInclude})
	} else {
		s.Terms = append(s.Terms, SPFTerm{Qualifier: '+', Name: "a"}, SPFTerm{Qualifier: '+', Name: "mx"})
	}
	s.Terms = append(s.Terms, SPFTerm{Qualifier: '~', Name: "all"})
	return s
}

// hasInclude reports whether an SPF record includes the provider's.
func (c *Checker) hasInclude(s SPF) bool {
	for _, t := range s.Terms {
		if t.Name == "include" && !t.Modifier && strings.EqualFold(strings.TrimSuffix(t.Value, "."), c.cfg.SPFInclude) {
			return true
		}
	}
	return false
}

// fixSPF returns s with the provider's include and an all mechanism that
// protects the domain (~all, or the record's own -all).
func (c *Checker) fixSPF(s SPF) SPF {
	var out SPF
	if c.cfg.SPFInclude != "" && !c.hasInclude(s) {
		out.Terms = append(out.Terms, SPFTerm{Qualifier: '+', Name: "include", Value: c.cfg.SPFInclude})
	}
	all := byte('~')
	for _, t := range s.Terms {
		switch {
		case !t.Modifier && t.Name == "all":
			if t.Qualifier == '-' {
				all = '-'
			}
		case t.Modifier && t.Name == "redirect":
			// An all mechanism makes redirect pointless; the provider's
			// include and ~all replace it.
		default:
			if !slices.ContainsFunc(out.Terms, func(o SPFTerm) bool { return o.String() == t.String() }) {
				out.Terms = append(out.Terms, t)
			}
		}
	}
	if len(out.Terms) == 0 {
		return c.recommendedSPF()
	}
	out.Terms = append(out.Terms, SPFTerm{Qualifier: all, Name: "all"})
	return out
}

// checkSPF checks a domain's SPF record: one, well written, with the
// provider's include, an all that protects, and at most 10 lookups.
func (c *Checker) checkSPF(ctx context.Context, domain string) Check {
	v := vars{"dominio": unicodeName(domain), "include": c.cfg.SPFInclude}
	txts, err := c.res.txt(ctx, domain)
	if err != nil && !errors.Is(err, errNXDomain) {
		return c.failure("spf", err, v)
	}
	var recs []string
	for _, t := range txts {
		if isSPF(t) {
			recs = append(recs, t)
		}
	}
	switch len(recs) {
	case 0:
		return c.check("spf", "none", StatusFail, v, txtRecord(domain, c.recommendedSPF().String()))
	case 1:
	default:
		var merged SPF
		for _, r := range recs {
			s, _ := parseSPF(r)
			merged.Terms = append(merged.Terms, s.Terms...)
		}
		v["n"] = strconv.Itoa(len(recs))
		return c.check("spf", "multiple", StatusFail, v, txtRecord(domain, c.fixSPF(merged).String()))
	}
	spf, errs := parseSPF(recs[0])
	if len(errs) > 0 {
		v["error"] = c.syntaxProblem(errs[0])
		return c.check("spf", "syntax", StatusFail, v, txtRecord(domain, c.fixSPF(spf).String()))
	}

	w := &spfWalk{c: c, include: c.cfg.SPFInclude}
	w.visit(ctx, spf, []string{domain})
	if w.err != nil {
		return c.failure("spf", w.err, v)
	}
	v["consultas"] = strconv.Itoa(w.lookups)
	v["n"] = strconv.Itoa(w.voids)
	all := spf.All()
	v["all"] = "«" + SPFTerm{Qualifier: all, Name: "all"}.String() + "»"

	type problem struct {
		kase    string
		status  Status
		fixable bool // fixSPF corrects it
	}
	var problems []problem
	if w.loop != "" {
		v["nombre"] = w.loop
		problems = append(problems, problem{"loop", StatusFail, false})
	}
	if w.missing != "" {
		v["nombre"] = w.missing
		problems = append(problems, problem{"include_missing", StatusFail, false})
	}
	if w.lookups > maxSPFLookups {
		problems = append(problems, problem{"too_many", StatusFail, false})
	}
	if c.cfg.SPFInclude != "" && !w.found && !c.hasInclude(spf) {
		problems = append(problems, problem{"missing_include", StatusFail, true})
	}
	switch {
	case all == '+':
		problems = append(problems, problem{"pass_all", StatusFail, true})
	case all == '?':
		problems = append(problems, problem{"neutral_all", StatusWarn, true})
	case all == 0 && spf.Modifier("redirect") == "":
		problems = append(problems, problem{"no_all", StatusWarn, true})
	}
	if w.voids > maxSPFVoids && w.missing == "" {
		problems = append(problems, problem{"void", StatusWarn, false})
	}

	var notes []string
	if w.macro {
		notes = append(notes, c.note("spf_macro", nil))
	}
	if all == '-' {
		notes = append(notes, c.note("spf_hardfail", nil))
	}
	if len(problems) == 0 {
		kase := "ok"
		if c.cfg.SPFInclude == "" {
			kase = "ok_generic"
		}
		ch := c.check("spf", kase, StatusOK, v, "")
		ch.Detail = joinSentences(ch.Detail, notes...)
		return ch
	}
	status, fixable := StatusOK, false
	var details []string
	for _, p := range problems {
		status = worse(status, p.status)
		fixable = fixable || p.fixable
		details = append(details, c.check("spf", p.kase, p.status, v, "").Detail)
	}
	ch := c.check("spf", problems[0].kase, status, v, "")
	ch.Detail = joinSentences(details[0], append(details[1:], notes...)...)
	if fixable {
		ch.Fix = txtRecord(domain, c.fixSPF(spf).String())
	}
	return ch
}

// joinSentences joins a detail and more sentences with spaces.
func joinSentences(first string, more ...string) string {
	parts := []string{first}
	for _, m := range more {
		if m != "" {
			parts = append(parts, m)
		}
	}
	return strings.Join(parts, " ")
}
