package dnscheck

import (
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// The explanations are content, like the articles, not interface strings:
// they live in messages.toml, in Spanish, next to the code that picks them.
//
//go:embed messages.toml
var messagesTOML string

// message is one outcome's text.
type message struct {
	Summary string `toml:"summary"`
	Detail  string `toml:"detail"`
}

// listInfo is what Rebote knows of a DNSBL.
type listInfo struct {
	Name    string            `toml:"nombre"`
	Aliases []string          `toml:"alias"`
	Web     string            `toml:"web"`
	IPv6    bool              `toml:"ipv6"`
	Codes   map[string]string `toml:"codigos"`
}

type texts struct {
	checks  map[string]map[string]message // check id → case → text
	reasons map[string]string             // why a check could not be made
	notes   map[string]string             // sentences added to a detail
	syntax  map[string]string             // what is wrong in a record
	lists   map[string]listInfo           // by zone
	aliases []listAlias                   // longest first
}

type listAlias struct{ alias, zone string }

// placeholders are the {{names}} the texts may use.
var placeholders = map[string]bool{
	"dominio": true, "proveedor": true, "mx": true, "mx_proveedor": true, "include": true, "consultas": true,
	"all": true, "n": true, "nombre": true, "error": true, "selector": true, "bits": true, "politica": true,
	"rua": true, "ip": true, "lista": true, "codigos": true, "significado": true, "web": true, "motivo": true,
	"selectores": true, "termino": true,
}

// cases are the outcomes the code produces, by check: each must have its
// text.
var cases = map[string][]string{
	"mx":        {"provider", "present", "elsewhere", "null", "a_only", "none", "nxdomain", "error"},
	"recipient": {"nxdomain", "null", "none", "a_only", "ok", "error"},
	"spf":       {"ok", "ok_generic", "none", "multiple", "syntax", "missing_include", "pass_all", "neutral_all", "no_all", "too_many", "void", "loop", "include_missing", "error"},
	"dkim":      {"ok", "selector_ok", "missing", "revoked", "weak", "too_weak", "syntax", "none_configured", "error"},
	"dmarc":     {"none", "multiple", "syntax", "observe", "quarantine", "reject", "no_rua", "error"},
	"ptr":       {"ok", "generic", "none", "none_provider", "unconfirmed", "unconfirmed_provider", "error"},
	"dnsbl":     {"clean", "listed", "refused", "strange", "ipv6", "error"},
}

var placeholderRe = regexp.MustCompile(`\{\{([a-z_]+)\}\}`)

// loadTexts parses messages.toml and checks it has every case, with known
// placeholders only.
func loadTexts() (*texts, error) {
	var raw map[string]toml.Primitive
	md, err := toml.Decode(messagesTOML, &raw)
	if err != nil {
		return nil, fmt.Errorf("dnscheck: messages.toml: %w", err)
	}
	t := &texts{checks: make(map[string]map[string]message)}
	for key, prim := range raw {
		switch key {
		case "motivo":
			err = md.PrimitiveDecode(prim, &t.reasons)
		case "nota":
			err = md.PrimitiveDecode(prim, &t.notes)
		case "sintaxis":
			err = md.PrimitiveDecode(prim, &t.syntax)
		case "listas":
			err = md.PrimitiveDecode(prim, &t.lists)
		default:
			var m map[string]message
			err = md.PrimitiveDecode(prim, &m)
			t.checks[key] = m
		}
		if err != nil {
			return nil, fmt.Errorf("dnscheck: messages.toml [%s]: %w", key, err)
		}
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("dnscheck: messages.toml: unknown keys %v", und)
	}
	var errs []string
	check := func(where, s string) {
		for _, m := range placeholderRe.FindAllStringSubmatch(s, -1) {
			if !placeholders[m[1]] {
				errs = append(errs, where+": unknown placeholder "+m[0])
			}
		}
	}
	for id, list := range cases {
		for _, c := range list {
			m, ok := t.checks[id][c]
			if !ok || strings.TrimSpace(m.Summary) == "" || strings.TrimSpace(m.Detail) == "" {
				errs = append(errs, fmt.Sprintf("[%s.%s] missing or empty", id, c))
			}
			check(id+"."+c, m.Summary+m.Detail)
		}
	}
	for _, k := range []string{"timeout", "servfail", "refused", "loop", "failed"} {
		if strings.TrimSpace(t.reasons[k]) == "" {
			errs = append(errs, "[motivo] "+k+" missing")
		}
		check("motivo."+k, t.reasons[k])
	}
	for _, k := range []string{"spf_hardfail", "spf_macro", "dmarc_inherited", "dmarc_pct", "dmarc_rua", "dnsbl_undocumented"} {
		if strings.TrimSpace(t.notes[k]) == "" {
			errs = append(errs, "[nota] "+k+" missing")
		}
		check("nota."+k, t.notes[k])
	}
	for _, k := range syntaxKinds {
		if strings.TrimSpace(t.syntax[k]) == "" {
			errs = append(errs, "[sintaxis] "+k+" missing")
		}
		check("sintaxis."+k, t.syntax[k])
	}
	for zone, l := range t.lists {
		if l.Name == "" || l.Web == "" || len(l.Codes) == 0 {
			errs = append(errs, "[listas."+zone+"] needs nombre, web and codigos")
		}
		for _, a := range append(l.Aliases, zone) {
			t.aliases = append(t.aliases, listAlias{strings.ToLower(a), zone})
		}
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return nil, fmt.Errorf("dnscheck: messages.toml: %s", strings.Join(errs, "; "))
	}
	sort.Slice(t.aliases, func(i, j int) bool { return len(t.aliases[i].alias) > len(t.aliases[j].alias) })
	return t, nil
}

// vars are the values of a text's placeholders.
type vars map[string]string

// fill replaces the placeholders of s.
func fill(s string, v vars) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	return placeholderRe.ReplaceAllStringFunc(s, func(m string) string {
		if val, ok := v[m[2:len(m)-2]]; ok {
			return val
		}
		return m
	})
}

// check builds a Check from the text of id's case c.
func (c *Checker) check(id, kase string, status Status, v vars, fix string) Check {
	m := c.text.checks[id][kase]
	v = c.withProvider(v)
	return Check{ID: id, Status: status, Summary: fill(m.Summary, v), Detail: fill(m.Detail, v), Fix: fix}
}

func (c *Checker) withProvider(v vars) vars {
	if v == nil {
		v = vars{}
	}
	v["proveedor"] = c.cfg.ProviderName
	return v
}

// failure builds the check of a DNS failure: why it could not be made.
func (c *Checker) failure(id string, err error, v vars) Check {
	if v == nil {
		v = vars{}
	}
	v["motivo"] = c.reason(err)
	return c.check(id, "error", StatusError, v, "")
}

// reason explains a lookup failure in Spanish.
func (c *Checker) reason(err error) string {
	kind := "failed"
	var le *lookupError
	name := ""
	if ok := asLookupError(err, &le); ok {
		kind, name = le.kind, le.name
	}
	return fill(c.text.reasons[kind], vars{"nombre": name})
}

// list returns what Rebote knows of a zone, or a stand-in for a zone it
// does not know.
func (c *Checker) list(zone string) listInfo {
	if l, ok := c.text.lists[zone]; ok {
		return l
	}
	return listInfo{Name: zone, Web: "la web de " + zone}
}

// syntaxProblem explains a record's syntax error in Spanish.
func (c *Checker) syntaxProblem(err error) string {
	var se *SyntaxError
	if !errors.As(err, &se) {
		return c.text.syntax["bad_tag"]
	}
	return fill(c.text.syntax[se.Kind], vars{"termino": se.Term})
}

// note returns a sentence to add to a detail.
func (c *Checker) note(key string, v vars) string { return fill(c.text.notes[key], v) }

// ZoneFor returns the DNSBL zone of a blocklist as a bounce names it
// ("Spamhaus ZEN", "SpamCop", "zen.spamhaus.org"), or "" when it is not a
// list Rebote knows how to query by IP or one it was configured with.
func (c *Checker) ZoneFor(name string) string {
	l := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
	if l == "" {
		return ""
	}
	if slices.Contains(c.cfg.Zones, l) {
		return l
	}
	for _, a := range c.text.aliases {
		if strings.Contains(l, a.alias) {
			return a.zone
		}
	}
	return ""
}

func asLookupError(err error, target **lookupError) bool { return errors.As(err, target) }
