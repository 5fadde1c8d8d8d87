package bounce

import (
	"fmt"
	"strings"

	"github.com/servinetwork/rebote/knowledge"
)

// template is an advice sentence split into literal text and {{names}},
// the placeholder syntax of the articles.
type template []struct {
	text string
	name bool
}

// verdictVars are the names advice sentences may use besides the policy's
// (knowledge.Policy.Vars): what the bounce says.
var verdictVars = toSet(`direccion dominio ip lista sugerencia limite comprobacion host`)

// adviceVars are the verdictVars' values for one verdict: fields rather
// than a map made for every verdict.
type adviceVars struct {
	direccion, dominio, ip, lista, sugerencia, limite, comprobacion, host string
}

// get returns the value of a verdictVars name ("" for any other name).
func (a *adviceVars) get(name string) string {
	switch name {
	case "direccion":
		return a.direccion
	case "dominio":
		return a.dominio
	case "ip":
		return a.ip
	case "lista":
		return a.lista
	case "sugerencia":
		return a.sugerencia
	case "limite":
		return a.limite
	case "comprobacion":
		return a.comprobacion
	case "host":
		return a.host
	}
	return ""
}

// parseTemplate splits s at its {{name}} marks; a name must be a policy
// value or a verdict value.
func parseTemplate(s string, policyVars map[string]string) (template, error) {
	var t template
	for s != "" {
		i := strings.Index(s, "{{")
		if i < 0 {
			t = append(t, struct {
				text string
				name bool
			}{s, false})
			break
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return nil, fmt.Errorf("unclosed {{ in %q", s)
		}
		name := strings.TrimSpace(s[i+2 : i+j])
		if _, ok := policyVars[name]; !ok && !verdictVars[name] {
			return nil, fmt.Errorf("unknown placeholder {{%s}}", name)
		}
		if i > 0 {
			t = append(t, struct {
				text string
				name bool
			}{s[:i], false})
		}
		t = append(t, struct {
			text string
			name bool
		}{name, true})
		s = s[i+j+2:]
	}
	return t, nil
}

// fill writes the sentence with the verdict's values, or else the policy's.
func (t template) fill(vars *adviceVars, policyVars map[string]string) string {
	value := func(name string) string {
		if v := vars.get(name); v != "" || !hasKey(policyVars, name) {
			return v
		}
		return policyVars[name]
	}
	n := 0
	for _, p := range t {
		if p.name {
			n += len(value(p.text))
		} else {
			n += len(p.text)
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range t {
		if p.name {
			b.WriteString(value(p.text))
		} else {
			b.WriteString(p.text)
		}
	}
	return b.String()
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

// adviceKeys are the sentences of advice.toml the reader says by itself:
// those of the details it finds and those of who refused and whether it
// retries. The sentences that explain a reason are chosen by rules.toml's
// [[advice]].
var adviceKeys = []string{"temporary", "permanent", "typo", "blocklist", "blocklist_noip", "blocklist_action",
	"rate_ours", "rate_remote", "auth_check", "remote", "unknown_persistence", "outbox"}

// adviseFor writes the advice of a verdict: what its specifics mean for
// this customer, else the sentence [[advice]] gives its reason, then who
// refused and whether it fixes itself; keys are the advice.toml entries
// used, in order.
func (c *Reader) adviseFor(v Verdict) (advice, keys []string) {
	vars := adviceVars{
		direccion:    v.Address,
		dominio:      domainOf(v.Address),
		ip:           v.Details.ListedIP,
		lista:        v.Details.Blocklist,
		sugerencia:   v.Details.Suggestion,
		limite:       v.Details.SizeLimit,
		comprobacion: v.Details.AuthCheck,
		host:         v.RemoteHost,
	}

	// At most two sentences of specifics, the reason's, who refused and
	// whether it retries.
	out := make([]string, 0, 5)
	keys = make([]string, 0, 5)
	say := func(key string) string {
		keys = append(keys, key)
		return c.advice[key].fill(&vars, c.policyVars)
	}
	d := v.Details
	switch {
	case d.TypoDomain != "":
		vars.dominio = d.TypoDomain
		vars.sugerencia = strings.Replace(v.Address, "@"+d.TypoDomain, "@"+d.Suggestion, 1)
		out = append(out, say("typo"))
	case d.Blocklist != "" && d.ListedIP != "":
		out = append(out, say("blocklist"), say("blocklist_action"))
	case d.Blocklist != "":
		out = append(out, say("blocklist_noip"), say("blocklist_action"))
	case d.RateLimit == "ours":
		out = append(out, say("rate_ours"))
	case d.RateLimit == "remote":
		out = append(out, say("rate_remote"))
	case d.AuthCheck != "":
		out = append(out, say("auth_check"))
	}
	if d.TypoDomain == "" && d.Blocklist == "" && d.RateLimit == "" && d.AuthCheck == "" {
		if key := c.rules.sentenceFor(v, &vars); key != "" {
			out = append(out, say(key))
		}
	}
	if v.RemoteHost != "" && v.Reason != "expired" {
		out = append(out, say("remote"))
	}
	switch {
	case v.Article != nil && v.Article.Persistence == knowledge.Outbox && !d.FromDSN &&
		(v.dialog || (d.RateLimit == "ours" && v.RemoteHost == "")):
		// The customer's own mail program said it (a failed connection to
		// the SMTP server, a refused login, the provider's E451 at
		// sending): no server holds the message, it is still in the Outbox.
		out = append(out, say("outbox"))
	case v.Temporary:
		out = append(out, say("temporary"))
	case v.ReplyCode == "" && v.Status == "" && !d.FromDSN && !d.SaysPermanent && v.Reason != "expired":
		out = append(out, say("unknown_persistence"))
	default:
		out = append(out, say("permanent"))
	}
	return out, keys
}
