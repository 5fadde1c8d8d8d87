package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/dnscheck"
	"github.com/servinetwork/rebote/knowledge/bounce"
	"github.com/servinetwork/rebote/locales"
	"github.com/servinetwork/rebote/web"
)

// The live DNS checks (/comprobar and /api/v1/check/*). What is checked is
// never stored or logged: analytics get only the kind of check and each
// check's outcome class, and the request log has the route pattern, not
// the URL.

// handleCheckPage handles the "GET /comprobar" route: the forms, and with
// ?dominio= (a customer's domain), ?destino= (a recipient's domain) or
// ?ip= (&lista= for one list) the checks, run before the page is sent so
// that it works without JavaScript.
func (s *Server) handleCheckPage(w http.ResponseWriter, r *http.Request) error {
	if s.checks == nil {
		return errUnavailable
	}
	ctx := r.Context()
	q := r.URL.Query()
	v := web.CheckView{
		Domain: strings.TrimSpace(q.Get("dominio")), Recipient: strings.TrimSpace(q.Get("destino")),
		IP: strings.TrimSpace(q.Get("ip")), Zone: q.Get("lista"), ProviderName: s.kb.Policy().ProviderName,
	}
	status := http.StatusOK
	refuse := func(field string, err error) error {
		var ie *dnscheck.InputError
		if !errors.As(err, &ie) {
			return err
		}
		v.ErrorField, v.Error = field, locales.T(ctx, "CheckInput_"+ie.Code)
		status = http.StatusBadRequest
		return nil
	}
	switch {
	case v.Domain != "" || q.Has("dominio") && v.IP == "" && v.Recipient == "":
		// The provider's sending IPs are checked alongside, within the
		// same deadline.
		var outbound []dnscheck.Check
		var wg sync.WaitGroup
		if _, err := dnscheck.ValidDomain(v.Domain); err == nil {
			wg.Go(func() { outbound = s.checks.CheckOutbound(ctx) })
		}
		rep, err := s.checks.CheckDomain(ctx, v.Domain)
		wg.Wait()
		if err != nil {
			if err := refuse("dominio", err); err != nil {
				return err
			}
			break
		}
		v.Checked, v.Lines = rep.Unicode, checkLines(r, rep.Checks)
		v.Outbound = checkLines(r, outbound)
		s.recordCheck(r, "domain", rep.Checks, nil)
	case v.Recipient != "":
		rep, err := s.checks.CheckRecipientDomain(ctx, v.Recipient)
		if err != nil {
			if err := refuse("dominio", err); err != nil {
				return err
			}
			v.Domain = v.Recipient
			break
		}
		v.Checked, v.Lines = rep.Unicode, checkLines(r, rep.Checks)
		s.recordCheck(r, "recipient", rep.Checks, nil)
	case v.IP != "" || q.Has("ip"):
		rep, err := s.checks.CheckIP(ctx, v.IP, s.zones(v.Zone))
		if err != nil {
			if err := refuse("ip", err); err != nil {
				return err
			}
			break
		}
		v.Checked, v.Lines = rep.IP, checkLines(r, []dnscheck.Check{rep.Check})
		for _, l := range rep.Lists {
			v.Lists = append(v.Lists, web.CheckLine{ID: "dnsbl", Status: string(l.Status), Label: l.Name, Summary: l.Summary, Detail: l.Detail})
		}
		s.recordCheck(r, "ip", []dnscheck.Check{rep.Check}, rep.Lists)
	}
	title := locales.T(ctx, "CheckTitle")
	if v.Checked != "" {
		title = locales.T(ctx, "CheckResultsFor") + " " + v.Checked
	}
	s.render(w, r, status, web.CheckPage(s.page(r, title), v))
	return nil
}

// zones is the list a diagnosis asks an IP to be checked in, if it is one
// Rebote knows or was configured with; else nil, for every configured
// zone.
func (s *Server) zones(list string) []string {
	if z := s.checks.ZoneFor(list); z != "" {
		return []string{z}
	}
	return nil
}

func checkLines(r *http.Request, checks []dnscheck.Check) []web.CheckLine {
	out := make([]web.CheckLine, 0, len(checks))
	for _, c := range checks {
		out = append(out, web.CheckLine{ID: c.ID, Status: string(c.Status), Label: locales.T(r.Context(), "CheckLabel_"+c.ID),
			Summary: c.Summary, Detail: c.Detail, Fix: c.Fix})
	}
	return out
}

// recordCheck counts a check for analytics: its kind and outcome classes,
// never its target.
func (s *Server) recordCheck(r *http.Request, kind string, checks []dnscheck.Check, lists []dnscheck.Listing) {
	e := analytics.Event{Kind: analytics.KindCheck, Source: s.visitSource(r), Check: kind}
	for _, c := range checks {
		e.Outcomes = append(e.Outcomes, c.ID+":"+string(c.Status))
	}
	for _, l := range lists {
		e.Outcomes = append(e.Outcomes, "dnsbl:"+string(l.Status))
	}
	s.record(r, e)
}

// checkJSON is one check in the JSON API.
type checkJSON struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Summary string `json:"summary"`
	Detail  string `json:"detail"`
	Fix     string `json:"fix"`
}

func toCheckJSON(c dnscheck.Check) checkJSON {
	return checkJSON{ID: c.ID, Status: string(c.Status), Summary: c.Summary, Detail: c.Detail, Fix: c.Fix}
}

// domainCheckResponse is the body of GET /api/v1/check/domain.
type domainCheckResponse struct {
	Domain  string      `json:"domain"`  // as queried (IDN as xn--)
	Display string      `json:"display"` // as written (IDN decoded)
	Checks  []checkJSON `json:"checks"`
}

// handleAPICheckDomain handles the "GET /api/v1/check/domain" route:
// ?domain=D runs the MX, SPF, DKIM and DMARC checks of a domain the
// customer sends from; with &as=recipient, only whether it receives mail
// (for a bounce that said it does not exist).
func (s *Server) handleAPICheckDomain(w http.ResponseWriter, r *http.Request) error {
	if s.checks == nil {
		return errUnavailable
	}
	q := r.URL.Query()
	check, kind := s.checks.CheckDomain, "domain"
	if q.Get("as") == "recipient" {
		check, kind = s.checks.CheckRecipientDomain, "recipient"
	}
	rep, err := check(r.Context(), q.Get("domain"))
	if err != nil {
		return inputError(err)
	}
	s.recordCheck(r, kind, rep.Checks, nil)
	resp := domainCheckResponse{Domain: rep.Domain, Display: rep.Unicode, Checks: make([]checkJSON, 0, len(rep.Checks))}
	for _, c := range rep.Checks {
		resp.Checks = append(resp.Checks, toCheckJSON(c))
	}
	s.writeJSON(w, r, http.StatusOK, resp)
	return nil
}

// listJSON is one DNSBL's answer in the JSON API.
type listJSON struct {
	Zone    string   `json:"zone"`
	Name    string   `json:"name"`
	Listed  bool     `json:"listed"`
	Status  string   `json:"status"`
	Codes   []string `json:"codes"`
	Summary string   `json:"summary"`
	Detail  string   `json:"detail"`
}

// ipCheckResponse is the body of GET /api/v1/check/ip.
type ipCheckResponse struct {
	IP               string     `json:"ip"`
	PTR              string     `json:"ptr"`
	ForwardConfirmed bool       `json:"forward_confirmed"`
	PTRCheck         checkJSON  `json:"ptr_check"`
	Lists            []listJSON `json:"lists"`
}

// handleAPICheckIP handles the "GET /api/v1/check/ip" route: ?ip=A checks
// the IP's PTR and the configured DNSBLs (&zone=Z: that list only).
func (s *Server) handleAPICheckIP(w http.ResponseWriter, r *http.Request) error {
	if s.checks == nil {
		return errUnavailable
	}
	q := r.URL.Query()
	rep, err := s.checks.CheckIP(r.Context(), q.Get("ip"), s.zones(q.Get("zone")))
	if err != nil {
		return inputError(err)
	}
	s.recordCheck(r, "ip", []dnscheck.Check{rep.Check}, rep.Lists)
	resp := ipCheckResponse{IP: rep.IP, PTR: rep.PTR, ForwardConfirmed: rep.ForwardConfirmed, PTRCheck: toCheckJSON(rep.Check),
		Lists: make([]listJSON, 0, len(rep.Lists))}
	for _, l := range rep.Lists {
		resp.Lists = append(resp.Lists, listJSON{Zone: l.Zone, Name: l.Name, Listed: l.Listed, Status: string(l.Status),
			Codes: l.Codes, Summary: l.Summary, Detail: l.Detail})
	}
	s.writeJSON(w, r, http.StatusOK, resp)
	return nil
}

// inputError turns a refused domain or IP into a 400 that says why.
func inputError(err error) error {
	var ie *dnscheck.InputError
	if errors.As(err, &ie) {
		return newUserError(codeBadRequest, "BadRequestTitle", "CheckInput_"+ie.Code)
	}
	return err
}

// The diagnosis links to the check of what its bounce names.

// clientIPRe finds IPv4 addresses in a bounce's lines.
var clientIPRe = regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}\b`)

// publicIP returns the first address in lines that could be a sending IP
// (public, not the receiving server's).
func publicIP(lines []string, skip string) string {
	for _, l := range lines {
		for _, m := range clientIPRe.FindAllString(l, -1) {
			if m == skip {
				continue
			}
			if ip, err := dnscheck.ValidIP(m); err == nil {
				return ip.String()
			}
		}
	}
	return ""
}

// liveCheck chooses the check a verdict's bounce calls for: the listed IP
// against the list it named, the recipient domain said not to exist, the
// sender's domain after an authentication failure, the IP a PTR
// requirement refused. Nil when there is none (or no checker).
func (s *Server) liveCheck(v bounce.Verdict, sender string) *web.LiveCheck {
	if s.checks == nil {
		return nil
	}
	slug := ""
	if v.Article != nil {
		slug = v.Article.Slug
	}
	d := v.Details
	switch {
	case d.Blocklist != "" && d.ListedIP != "":
		ip, err := dnscheck.ValidIP(d.ListedIP)
		if err != nil {
			return nil
		}
		zone := s.checks.ZoneFor(d.Blocklist)
		q := url.Values{"ip": {ip.String()}}
		if zone != "" {
			q.Set("lista", zone)
		}
		return &web.LiveCheck{Kind: "ip", Target: ip.String(), Zone: zone, List: d.Blocklist, Link: "/comprobar?" + q.Encode()}
	case v.Reason == "hostunknown" && domainPart(v.Address) != "":
		domain := domainPart(v.Address)
		if _, err := dnscheck.ValidDomain(domain); err != nil {
			return nil
		}
		return &web.LiveCheck{Kind: "recipient", Target: domain, Link: "/comprobar?" + url.Values{"destino": {domain}}.Encode()}
	case d.AuthCheck != "" || slices.Contains([]string{"spf-fallido", "dkim-fallido", "dmarc-fallido", "remitente-no-autenticado"}, slug):
		domain := domainPart(sender)
		if _, err := dnscheck.ValidDomain(domain); err != nil {
			return &web.LiveCheck{Kind: "domain", Link: "/comprobar"}
		}
		return &web.LiveCheck{Kind: "domain", Target: domain, Link: "/comprobar?" + url.Values{"dominio": {domain}}.Encode()}
	case slug == "requiere-ptr" || slug == "ip-dinamica-o-residencial":
		ip := publicIP(v.Evidence, v.RemoteIP)
		if ip == "" {
			return &web.LiveCheck{Kind: "ptr", Link: "/comprobar#comprobar-ip"}
		}
		return &web.LiveCheck{Kind: "ptr", Target: ip, Link: "/comprobar?" + url.Values{"ip": {ip}}.Encode()}
	}
	return nil
}

func domainPart(addr string) string {
	_, d, ok := strings.Cut(addr, "@")
	if !ok {
		return ""
	}
	return strings.ToLower(strings.Trim(d, "<> "))
}
