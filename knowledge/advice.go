package knowledge

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/BurntSushi/toml"
)

// loadClassifier reads rules.toml and advice.toml.
func loadClassifier(fsys fs.FS, kb *KB) (*classifier, error) {
	raw, err := fs.ReadFile(fsys, "rules.toml")
	if err != nil {
		return nil, err
	}
	rs, err := loadRules(string(raw), kb)
	if err != nil {
		return nil, err
	}
	raw, err = fs.ReadFile(fsys, "advice.toml")
	if err != nil {
		return nil, err
	}
	texts := make(map[string]string)
	if _, err := toml.Decode(string(raw), &texts); err != nil {
		return nil, fmt.Errorf("advice.toml: %w", err)
	}
	advice := make(map[string]template, len(texts))
	for _, key := range adviceKeys {
		if strings.TrimSpace(texts[key]) == "" {
			return nil, fmt.Errorf("advice.toml: %q is missing", key)
		}
		t, err := parseTemplate(texts[key])
		if err != nil {
			return nil, fmt.Errorf("advice.toml: %s: %w", key, err)
		}
		advice[key] = t
	}
	return &classifier{rules: rs, advice: advice, domains: rs.domains}, nil
}

// template is an advice sentence split into literal text and {names}.
type template []struct {
	text string
	name bool
}

// adviceVars are the names advice sentences may use.
var adviceVars = toSet(`proveedor mensajes_por_hora destinatarios_por_mensaje servidor_smtp url_soporte direccion dominio
ip lista sugerencia limite comprobacion host`)

func parseTemplate(s string) (template, error) {
	var t template
	for s != "" {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			t = append(t, struct {
				text string
				name bool
			}{s, false})
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("unclosed { in %q", s)
		}
		name := s[i+1 : i+j]
		if !adviceVars[name] {
			return nil, fmt.Errorf("unknown mark {%s}", name)
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
		s = s[i+j+1:]
	}
	return t, nil
}

func (t template) fill(vars map[string]string) string {
	var b strings.Builder
	for _, p := range t {
		if p.name {
			b.WriteString(vars[p.text])
		} else {
			b.WriteString(p.text)
		}
	}
	return b.String()
}

// adviceKeys are the sentences advice.toml must provide.
var adviceKeys = []string{"temporary", "permanent", "typo", "blocklist", "blocklist_noip", "blocklist_action", "size",
	"size_generic", "rate_ours", "rate_remote", "recipients", "auth_check", "relay", "security", "ptr", "user_unknown",
	"mailbox_full", "host_unknown", "expired", "remote", "unknown_persistence"}

// adviseFor writes the advice of a verdict: what its specifics mean for
// this customer, then whether it fixes itself.
func (c *classifier) adviseFor(kb *KB, v Verdict) []string {
	p := kb.policy
	vars := map[string]string{
		"proveedor":                 p.ProviderName,
		"mensajes_por_hora":         fmt.Sprint(p.MessagesPerHour),
		"destinatarios_por_mensaje": fmt.Sprint(p.RecipientsPerMessage),
		"servidor_smtp":             p.SMTPHost,
		"url_soporte":               p.SupportURL,
		"direccion":                 v.Address,
		"dominio":                   domainOf(v.Address),
		"ip":                        v.Details.ListedIP,
		"lista":                     v.Details.Blocklist,
		"sugerencia":                v.Details.Suggestion,
		"limite":                    v.Details.SizeLimit,
		"comprobacion":              v.Details.AuthCheck,
		"host":                      v.RemoteHost,
	}
	say := func(key string) string { return c.advice[key].fill(vars) }
	var out []string
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
		if dom := vars["dominio"]; dom != "" {
			vars["dominio"] = ""
		}
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
	return out
}
