package dnscheck_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/servinetwork/rebote/dnscheck"
	"github.com/servinetwork/rebote/dnscheck/dnstest"
)

// testConfig is the provider of the fixture zone.
func testConfig(server string) dnscheck.Config {
	return dnscheck.Config{
		Server:        server,
		Zones:         dnscheck.DefaultZones(),
		ProviderName:  "ServiNetwork",
		SPFInclude:    "_spf.servinetwork.com",
		DKIMSelectors: []string{"sn1"},
		ProviderMX:    []string{"mx1.servinetwork.com", "mx2.servinetwork.com"},
		OutboundIPs:   []netip.Addr{netip.MustParseAddr("45.80.10.1")},
	}
}

// newChecker starts the fixture's DNS server and a Checker asking it.
func newChecker(tb testing.TB) (*dnscheck.Checker, *dnstest.Server) {
	tb.Helper()
	srv := dnstest.NewServer(tb, dnstest.Fixture)
	srv.Fail("servfail.es", dns.RcodeServerFailure)
	srv.Fail("3.20.80.45.b.barracudacentral.org", dns.RcodeRefused)
	srv.Drop("lento.es")
	c, err := dnscheck.New(testConfig(srv.Addr))
	if err != nil {
		tb.Fatal(err)
	}
	return c, srv
}

func find(checks []dnscheck.Check, id string) dnscheck.Check {
	for _, c := range checks {
		if c.ID == id {
			return c
		}
	}
	return dnscheck.Check{}
}

// TestCheckDomain runs the domain checks on one domain per case of the
// fixture zone.
func TestCheckDomain(t *testing.T) {
	c, _ := newChecker(t)
	type want struct {
		id, status string
		text       []string // in summary or detail
		fix        string   // in fix ("-": empty)
	}
	for _, tt := range []struct {
		domain string
		wants  []want
	}{
		{"bien.es", []want{
			{"mx", "ok", []string{"ServiNetwork", "mx1.servinetwork.com"}, "-"},
			{"spf", "ok", []string{"_spf.servinetwork.com", "1 de las 10", "«~all»"}, "-"},
			{"dkim", "ok", []string{"2048 bits", "sn1._domainkey.bien.es"}, "-"},
			{"dmarc", "ok", []string{"quarantine", "informes@bien.es"}, "-"},
		}},
		{"sin-spf.es", []want{
			{"spf", "fallo", []string{"no tiene registro SPF"}, `sin-spf.es.  TXT  "v=spf1 include:_spf.servinetwork.com ~all"`},
			{"dkim", "fallo", []string{"No hay clave DKIM en el selector sn1"}, "sn1._domainkey.sin-spf.es.  TXT"},
			{"dmarc", "fallo", []string{"no tiene DMARC", "2024"}, `_dmarc.sin-spf.es.  TXT  "v=DMARC1; p=none; rua=mailto:dmarc@sin-spf.es"`},
		}},
		{"dos-spf.es", []want{
			{"spf", "fallo", []string{"2 registros SPF"}, `"v=spf1 include:_spf.servinetwork.com include:_spf.google.com -all"`},
			{"dkim", "ok", nil, "-"},
			{"dmarc", "ok", []string{"p=none", "mínimo"}, "-"},
		}},
		{"once-consultas.es", []want{{"spf", "fallo", []string{"11 consultas", "máximo es 10"}, "-"}}},
		{"mas-todo.es", []want{{"spf", "fallo", []string{"+all"}, `"v=spf1 include:_spf.servinetwork.com ~all"`}}},
		{"bucle.es", []want{{"spf", "fallo", []string{"bucle", "a.bucle.es"}, "-"}}},
		{"sin-include.es", []want{{"spf", "fallo", []string{"no autoriza a los servidores de ServiNetwork", "?all"}, `"v=spf1 include:_spf.servinetwork.com mx ~all"`}}},
		{"estricto.es", []want{{"spf", "ok", []string{"-all", "reenvía"}, "-"}}},
		{"mal-escrito.es", []want{{"spf", "fallo", []string{"mal escrito", "inclde:_spf.servinetwork.com"}, `"v=spf1 include:_spf.servinetwork.com ~all"`}}},
		{"dkim-vacio.es", []want{{"dkim", "fallo", []string{"vacía", "revocada"}, "-"}}},
		{"dkim-corto.es", []want{{"dkim", "aviso", []string{"1024 bits", "2048"}, "-"}}},
		{"dmarc-none.es", []want{{"dmarc", "ok", []string{"p=none", "Gmail y Yahoo", "dmarc@dmarc-none.es"}, "-"}}},
		{"dmarc-reject.es", []want{{"dmarc", "ok", []string{"reject", "reenv"}, "-"}}},
		{"dmarc-sin-rua.es", []want{{"dmarc", "aviso", []string{"no pide informes"}, `"v=DMARC1; p=quarantine; rua=mailto:dmarc@dmarc-sin-rua.es"`}}},
		{"mx-fuera.es", []want{{"mx", "aviso", []string{"aspmx.l.google.com", "Google Workspace"}, "mx-fuera.es.  MX  10 mx1.servinetwork.com.\nmx-fuera.es.  MX  20 mx2.servinetwork.com."}}},
		{"mx-nulo.es", []want{{"mx", "aviso", []string{"MX nulo", "MX 0 ."}, "MX  10 mx1.servinetwork.com."}}},
		{"solo-a.es", []want{{"mx", "aviso", []string{"no tiene MX", "registro A"}, "MX  10 mx1.servinetwork.com."}}},
		{"sin-nada.es", []want{{"mx", "fallo", []string{"no puede recibir correo"}, "MX"}}},
		{"no-existe.es", []want{
			{"mx", "fallo", []string{"no existe"}, "-"},
			{"spf", "fallo", nil, ""},
		}},
		{"servfail.es", []want{
			{"mx", "error", []string{"SERVFAIL"}, "-"},
			{"spf", "error", []string{"SERVFAIL"}, "-"},
			{"dmarc", "ok", nil, ""}, // _dmarc.servfail.es is another name, and it answers
		}},
		{"españa.es", []want{{"mx", "ok", []string{"españa.es"}, "-"}, {"spf", "ok", nil, "-"}, {"dkim", "ok", nil, "-"}}},
		{"cname-bucle.es", []want{{"dmarc", "error", []string{"bucle", "cname-bucle.es"}, "-"}}},
	} {
		t.Run(tt.domain, func(t *testing.T) {
			rep, err := c.CheckDomain(context.Background(), tt.domain)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Checks) != 4 {
				t.Fatalf("%d checks, want 4", len(rep.Checks))
			}
			for _, w := range tt.wants {
				got := find(rep.Checks, w.id)
				if w.id == "dmarc" && tt.domain == "servfail.es" {
					// _dmarc.servfail.es does not exist: DMARC fails.
					w.status = "fallo"
				}
				if string(got.Status) != w.status {
					t.Errorf("%s: status %s, want %s (%s %s)", w.id, got.Status, w.status, got.Summary, got.Detail)
				}
				text := got.Summary + " " + got.Detail
				for _, s := range w.text {
					if !strings.Contains(text, s) {
						t.Errorf("%s: %q lacks %q", w.id, text, s)
					}
				}
				switch {
				case w.fix == "-" && got.Fix != "":
					t.Errorf("%s: fix %q, want none", w.id, got.Fix)
				case w.fix != "-" && !strings.Contains(got.Fix, w.fix):
					t.Errorf("%s: fix %q lacks %q", w.id, got.Fix, w.fix)
				}
				if strings.Contains(text+got.Fix, "{{") {
					t.Errorf("%s: placeholder left in %q", w.id, text+got.Fix)
				}
			}
		})
	}
}

// A domain whose DNS never answers gets "no se pudo comprobar" within the
// deadline, not a hang.
func TestNeverAnswers(t *testing.T) {
	c, _ := newChecker(t)
	start := time.Now()
	rep, err := c.CheckDomain(context.Background(), "lento.es")
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v, want under 2 s", d)
	}
	for _, ch := range rep.Checks {
		if ch.ID == "mx" || ch.ID == "spf" {
			if ch.Status != dnscheck.StatusError || !strings.Contains(ch.Detail, "a tiempo") {
				t.Errorf("%s: %s %q, want error: no answer in time", ch.ID, ch.Status, ch.Detail)
			}
		}
	}

	// A server that answers nothing at all.
	silent := dnstest.NewServer(t, "")
	silent.Drop("")
	cfg := testConfig(silent.Addr)
	sc, err := dnscheck.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	rep, _ = sc.CheckDomain(context.Background(), "bien.es")
	ip, _ := sc.CheckIP(context.Background(), "45.80.20.2", nil)
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("a domain and an IP took %v, want under 2 s each", d)
	}
	for _, ch := range append(rep.Checks, ip.Check) {
		if ch.Status != dnscheck.StatusError {
			t.Errorf("%s: %s, want error", ch.ID, ch.Status)
		}
	}
	for _, l := range ip.Lists {
		if l.Listed || l.Status != dnscheck.StatusError {
			t.Errorf("%s: listed %v, status %s; want error, not listed", l.Zone, l.Listed, l.Status)
		}
	}
}

// TestCheckIP reads PTRs and DNSBL answers.
func TestCheckIP(t *testing.T) {
	c, _ := newChecker(t)
	type list struct {
		zone   string
		listed bool
		status string
		text   string
	}
	for _, tt := range []struct {
		ip        string
		ptr       string
		confirmed bool
		status    string
		text      string
		lists     []list
	}{
		{"45.80.20.2", "mail.bien.es", true, "ok", "apunta de vuelta", []list{
			{"zen.spamhaus.org", true, "fallo", "127.0.0.2, 127.0.0.10: La IP está en la SBL"},
			{"bl.spamcop.net", false, "ok", "no aparece"},
			{"b.barracudacentral.org", false, "ok", "no aparece"},
		}},
		{"45.80.20.3", "mail.bien.es", false, "fallo", "no apunta de vuelta", []list{
			{"zen.spamhaus.org", false, "error", "127.255.255.254 (no responde a consultas que llegan por servidores DNS públicos)"},
			{"b.barracudacentral.org", false, "error", "REFUSED"},
		}},
		{"45.80.20.4", "", false, "fallo", "no tiene DNS inverso", nil},
		{"45.80.20.5", "mail.otro.es", false, "fallo", "mail.otro.es", nil},
		{"45.80.20.6", "45-80-20-6.dyn.isp.es", true, "aviso", "genérico", nil},
		{"45.80.20.7", "mail.bien.es", false, "fallo", "", []list{{"bl.spamcop.net", true, "fallo", "denunciado como spam"}}},
		{"45.80.10.1", "out1.servinetwork.com", true, "ok", "", nil},
	} {
		t.Run(tt.ip, func(t *testing.T) {
			rep, err := c.CheckIP(context.Background(), tt.ip, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rep.PTR != tt.ptr || rep.ForwardConfirmed != tt.confirmed || string(rep.Check.Status) != tt.status {
				t.Errorf("PTR %q confirmed %v status %s, want %q %v %s", rep.PTR, rep.ForwardConfirmed, rep.Check.Status, tt.ptr, tt.confirmed, tt.status)
			}
			if !strings.Contains(rep.Check.Summary+" "+rep.Check.Detail, tt.text) {
				t.Errorf("PTR text %q lacks %q", rep.Check.Summary+" "+rep.Check.Detail, tt.text)
			}
			if len(rep.Lists) != 3 {
				t.Fatalf("%d lists, want the 3 configured", len(rep.Lists))
			}
			for _, w := range tt.lists {
				for _, l := range rep.Lists {
					if l.Zone != w.zone {
						continue
					}
					if l.Listed != w.listed || string(l.Status) != w.status || !strings.Contains(l.Summary+" "+l.Detail, w.text) {
						t.Errorf("%s: listed %v status %s %q %q; want %v %s with %q", l.Zone, l.Listed, l.Status, l.Summary, l.Detail, w.listed, w.status, w.text)
					}
				}
			}
		})
	}
	// One named list only, as the diagnosis asks.
	rep, err := c.CheckIP(context.Background(), "45.80.20.2", []string{"zen.spamhaus.org"})
	if err != nil || len(rep.Lists) != 1 || !rep.Lists[0].Listed {
		t.Errorf("zen only: %+v, %v", rep.Lists, err)
	}
}

// The provider's own IPs get advice for the provider, not the customer.
func TestCheckOutbound(t *testing.T) {
	c, _ := newChecker(t)
	got := c.CheckOutbound(context.Background())
	if len(got) != 1 || got[0].Status != dnscheck.StatusOK {
		t.Fatalf("outbound %+v", got)
	}
}

func TestCheckRecipientDomain(t *testing.T) {
	c, _ := newChecker(t)
	for _, tt := range []struct{ domain, status, text string }{
		{"gmial.com", "fallo", "sigue sin existir"},
		{"gmail.com", "ok", "existe y recibe correo"},
		{"mx-nulo.es", "fallo", "no recibe correo"},
		{"solo-a.es", "aviso", "no tiene MX"},
		{"servfail.es", "error", "SERVFAIL"},
	} {
		rep, err := c.CheckRecipientDomain(context.Background(), tt.domain)
		if err != nil {
			t.Fatal(err)
		}
		ch := rep.Checks[0]
		if ch.ID != "mx" || string(ch.Status) != tt.status || !strings.Contains(ch.Summary+" "+ch.Detail, tt.text) {
			t.Errorf("%s: %s %s %q, want mx %s with %q", tt.domain, ch.ID, ch.Status, ch.Summary+" "+ch.Detail, tt.status, tt.text)
		}
	}
}

// Names and IPs are refused before any query.
func TestInputRefused(t *testing.T) {
	c, srv := newChecker(t)
	for _, tt := range []struct{ in, code string }{
		{"", dnscheck.InputEmpty},
		{"localhost", dnscheck.InputNoTLD},
		{"intranet.local", dnscheck.InputSpecialUse},
		{"router.internal", dnscheck.InputSpecialUse},
		{"1.2.3.4", dnscheck.InputIsIP},
		{"mal_dominio-.es", dnscheck.InputSyntax},
		{"-x.es", dnscheck.InputSyntax},
		{"a b.es", dnscheck.InputSyntax},
		{strings.Repeat("a", 64) + ".es", dnscheck.InputSyntax},
		{strings.Repeat("abcdefghi.", 26) + "es", dnscheck.InputTooLong},
	} {
		_, err := c.CheckDomain(context.Background(), tt.in)
		var ie *dnscheck.InputError
		if !errors.As(err, &ie) || ie.Code != tt.code {
			t.Errorf("CheckDomain(%q) = %v, want %s", tt.in, err, tt.code)
		}
	}
	for _, tt := range []struct{ in, code string }{
		{"10.1.2.3", dnscheck.InputReservedIP},
		{"192.168.1.1", dnscheck.InputReservedIP},
		{"127.0.0.1", dnscheck.InputReservedIP},
		{"100.64.0.1", dnscheck.InputReservedIP},
		{"169.254.1.1", dnscheck.InputReservedIP},
		{"203.0.113.7", dnscheck.InputReservedIP},
		{"::1", dnscheck.InputReservedIP},
		{"fd00::1", dnscheck.InputReservedIP},
		{"::ffff:10.0.0.1", dnscheck.InputReservedIP},
		{"fe80::1%eth0", dnscheck.InputBadIP},
		{"999.1.1.1", dnscheck.InputBadIP},
		{"bien.es", dnscheck.InputBadIP},
	} {
		_, err := c.CheckIP(context.Background(), tt.in, nil)
		var ie *dnscheck.InputError
		if !errors.As(err, &ie) || ie.Code != tt.code {
			t.Errorf("CheckIP(%q) = %v, want %s", tt.in, err, tt.code)
		}
	}
	if n := srv.Queries(); n != 0 {
		t.Errorf("%d queries sent for refused input, want 0", n)
	}
	for in, want := range map[string]string{
		"Bien.ES.":                   "bien.es",
		"ana@bien.es":                "bien.es",
		"https://www.bien.es/tienda": "www.bien.es",
		"ESPAÑA.es":                  "xn--espaa-rta.es",
	} {
		if got, err := dnscheck.ValidDomain(in); got != want || err != nil {
			t.Errorf("ValidDomain(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// Answers are cached no longer than their TTL, and the cache is bounded.
func TestCache(t *testing.T) {
	srv := dnstest.NewServer(t, dnstest.Fixture)
	now := time.Now()
	cfg := testConfig(srv.Addr)
	cfg.Now = func() time.Time { return now }
	cfg.CacheSize = 64
	c, err := dnscheck.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c.CheckDomain(ctx, "bien.es")
	cold := srv.Queries()
	c.CheckDomain(ctx, "bien.es")
	if warm := srv.Queries() - cold; warm != 0 {
		t.Errorf("warm check sent %d queries, want 0", warm)
	}
	now = now.Add(301 * time.Second) // the fixture's TTL is 300 s
	c.CheckDomain(ctx, "bien.es")
	if again := srv.Queries() - cold; again == 0 {
		t.Error("answers outlived their TTL")
	}
	// More names than the cache holds: the first ones are asked again.
	before := srv.Queries()
	for i := range 100 {
		c.CheckRecipientDomain(ctx, fmt.Sprintf("n%d.es", i))
	}
	c.CheckRecipientDomain(ctx, "n0.es")
	if srv.Queries()-before < 101 {
		t.Errorf("cache kept more than its bound")
	}
}

// CNAMEs are followed when the answer stops at the alias, and loops are
// still caught across queries.
func TestCNAMEAcrossQueries(t *testing.T) {
	srv := dnstest.NewServer(t, dnstest.Fixture)
	srv.StopAtCNAME()
	c, err := dnscheck.New(testConfig(srv.Addr))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := c.CheckDomain(context.Background(), "bien.es")
	if err != nil {
		t.Fatal(err)
	}
	if ch := find(rep.Checks, "dkim"); ch.Status != dnscheck.StatusOK {
		t.Errorf("DKIM through a CNAME: %s %q", ch.Status, ch.Detail)
	}
	rep, _ = c.CheckDomain(context.Background(), "cname-bucle.es")
	if ch := find(rep.Checks, "dmarc"); ch.Status != dnscheck.StatusError || !strings.Contains(ch.Detail, "bucle") {
		t.Errorf("CNAME loop: %s %q", ch.Status, ch.Detail)
	}
}

// An answer too long for UDP is fetched again over TCP.
func TestTruncatedAnswerOverTCP(t *testing.T) {
	srv := dnstest.NewServer(t, dnstest.Fixture)
	var spf strings.Builder
	spf.WriteString("v=spf1 include:_spf.servinetwork.com")
	for i := range 80 {
		fmt.Fprintf(&spf, " ip4:45.81.%d.0/24", i)
	}
	spf.WriteString(" ~all")
	var parts []string
	for s := spf.String(); s != ""; {
		n := min(len(s), 250)
		parts = append(parts, `"`+s[:n]+`"`)
		s = s[n:]
	}
	if err := srv.Add("grande.es. 300 IN TXT " + strings.Join(parts, " ")); err != nil {
		t.Fatal(err)
	}
	c, err := dnscheck.New(testConfig(srv.Addr))
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := c.CheckDomain(context.Background(), "grande.es")
	if ch := find(rep.Checks, "spf"); ch.Status != dnscheck.StatusOK {
		t.Errorf("a %d-byte SPF record: %s %q", spf.Len(), ch.Status, ch.Summary+" "+ch.Detail)
	}
}

// The provider's include counts wherever the SPF reaches it: directly, by
// redirect, or through the customer's own include.
func TestSPFIncludeReachedIndirectly(t *testing.T) {
	srv := dnstest.NewServer(t, dnstest.Fixture+`
redirige.es.        TXT "v=spf1 redirect=_spf.servinetwork.com"
anidado.es.         TXT "v=spf1 include:_spf.anidado.es -all"
_spf.anidado.es.    TXT "v=spf1 ip4:45.82.0.1 include:_spf.servinetwork.com -all"
`)
	c, err := dnscheck.New(testConfig(srv.Addr))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"redirige.es", "anidado.es"} {
		rep, _ := c.CheckDomain(context.Background(), d)
		if ch := find(rep.Checks, "spf"); ch.Status != dnscheck.StatusOK {
			t.Errorf("%s: %s %q", d, ch.Status, ch.Summary+" "+ch.Detail)
		}
	}
	if z := c.ZoneFor("Spamhaus ZEN"); z != "zen.spamhaus.org" {
		t.Errorf("ZoneFor(Spamhaus ZEN) = %q", z)
	}
	if z := c.ZoneFor("de Outlook.com"); z != "" {
		t.Errorf("ZoneFor(de Outlook.com) = %q, want none", z)
	}
}
