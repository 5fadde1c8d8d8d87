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
	advice := make(map[string]string)
	if _, err := toml.Decode(string(raw), &advice); err != nil {
		return nil, fmt.Errorf("advice.toml: %w", err)
	}
	for _, key := range adviceKeys {
		if strings.TrimSpace(advice[key]) == "" {
			return nil, fmt.Errorf("advice.toml: %q is missing", key)
		}
	}
	return &classifier{rules: rs, advice: advice, domains: rs.domains}, nil
}

// adviceKeys are the sentences advice.toml must provide.
var adviceKeys = []string{"temporary", "permanent", "typo", "blocklist", "blocklist_noip", "blocklist_action", "size",
	"size_generic", "rate_ours", "rate_remote", "recipients", "auth_check", "relay", "security", "ptr", "user_unknown",
	"mailbox_full", "host_unknown", "expired", "remote"}

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
	say := func(key string) string {
		s := c.advice[key]
		for k, val := range vars {
			s = strings.ReplaceAll(s, "{"+k+"}", val)
		}
		return s
	}
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
		switch v.Reason {
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
	if v.Temporary {
		out = append(out, say("temporary"))
	} else {
		out = append(out, say("permanent"))
	}
	return out
}
