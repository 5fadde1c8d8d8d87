package bounce

import (
	"fmt"
	"strings"
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
func (t template) fill(vars, policyVars map[string]string) string {
	var b strings.Builder
	for _, p := range t {
		switch {
		case !p.name:
			b.WriteString(p.text)
		case vars[p.text] != "" || !hasKey(policyVars, p.text):
			b.WriteString(vars[p.text])
		default:
			b.WriteString(policyVars[p.text])
		}
	}
	return b.String()
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

// adviceKeys are the sentences advice.toml must provide.
var adviceKeys = []string{"temporary", "permanent", "typo", "blocklist", "blocklist_noip", "blocklist_action", "size",
	"size_generic", "rate_ours", "rate_remote", "recipients", "auth_check", "relay", "security", "ptr", "user_unknown",
	"mailbox_full", "host_unknown", "expired", "remote", "unknown_persistence"}

// adviseFor writes the advice of a verdict: what its specifics mean for
// this customer, then whether it fixes itself; keys are the advice.toml
// entries used, in order.
func (c *Reader) adviseFor(v Verdict) (advice, keys []string) {
	vars := map[string]string{
		"direccion":    v.Address,
		"dominio":      domainOf(v.Address),
		"ip":           v.Details.ListedIP,
		"lista":        v.Details.Blocklist,
		"sugerencia":   v.Details.Suggestion,
		"limite":       v.Details.SizeLimit,
		"comprobacion": v.Details.AuthCheck,
		"host":         v.RemoteHost,
	}

	var out []string
	say := func(key string) string {
		keys = append(keys, key)
		return c.advice[key].fill(vars, c.policyVars)
	}
	d := v.Details
	switch {
	case d.TypoDomain != "":
		vars["dominio"] = d.TypoDomain
		vars["sugerencia"] = strings.Replace(v.Address, "@"+d.TypoDomain, "@"+d.Suggestion, 1)
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
		reason := v.Reason
		if reason == "filtered" && v.Article != nil && v.Article.Slug == "direccion-no-existe" {
			// "User unknown" said after the message was read: Sisimai calls
			// it filtered, but the customer still has an address to check.
			reason = "userunknown"
		}
		switch reason {
		case "userunknown":
			if v.Address != "" {
				out = append(out, say("user_unknown"))
			}
		case "mailboxfull":
			if v.Address != "" {
				out = append(out, say("mailbox_full"))
			}
		case "hostunknown":
			if v.Address != "" {
				out = append(out, say("host_unknown"))
			}
		case "mesgtoobig", "exceedlimit":
			if d.SizeLimit != "" {
				out = append(out, say("size"))
			} else {
				out = append(out, say("size_generic"))
			}
		case "toomanyconn":
			if v.Article != nil && v.Article.Slug == "demasiados-destinatarios" {
				out = append(out, say("recipients"))
			}
		case "norelaying":
			out = append(out, say("relay"))
		case "securityerror":
			out = append(out, say("security"))
		case "requireptr":
			out = append(out, say("ptr"))
		case "expired":
			out = append(out, say("expired"))
		}
	}
	if v.RemoteHost != "" && v.Reason != "expired" {
		out = append(out, say("remote"))
	}
	switch {
	case v.Temporary:
		out = append(out, say("temporary"))
	case v.ReplyCode == "" && v.Status == "" && !d.FromDSN && !d.SaysPermanent && v.Reason != "expired":
		out = append(out, say("unknown_persistence"))
	default:
		out = append(out, say("permanent"))
	}
	return out, keys
}
