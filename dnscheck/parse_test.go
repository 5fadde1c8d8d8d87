package dnscheck_test

import (
	"errors"
	"testing"

	"github.com/servinetwork/rebote/dnscheck"
)

func TestParseSPF(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    string // String() of the result
		lookups int
		err     string // SyntaxError kind
	}{
		{"v=spf1 include:_spf.example.com ~all", "v=spf1 include:_spf.example.com ~all", 1, ""},
		{"V=SPF1  +a mx/24 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all", "v=spf1 a mx/24 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all", 2, ""},
		{"v=spf1 a:mail.example.com/24//64 ptr exists:%{i}.x.example.com redirect=_spf.example.com", "v=spf1 a:mail.example.com/24//64 ptr exists:%{i}.x.example.com redirect=_spf.example.com", 4, ""},
		{"v=spf1 x-custom=foo ?all", "v=spf1 x-custom=foo ?all", 0, ""},
		{"v=spf10 a", "", 0, "version"},
		{"spf1 a", "", 0, "version"},
		{"v=spf1 inclde:x.com", "", 0, "unknown"},
		{"v=spf1 include:", "", 0, "missing_domain"},
		{"v=spf1 include:nodot", "", 0, "missing_domain"},
		{"v=spf1 ip4:1.2.3", "", 0, "bad_ip"},
		{"v=spf1 ip4:2001:db8::1", "", 0, "bad_ip"},
		{"v=spf1 ip4:1.2.3.4/33", "", 0, "bad_cidr"},
		{"v=spf1 redirect=a.com redirect=b.com", "", 0, "duplicate"},
		{"v=spf1 all:x", "", 0, "unknown"},
	} {
		got, err := dnscheck.ParseSPF(tt.in)
		var se *dnscheck.SyntaxError
		switch {
		case tt.err != "":
			if !errors.As(err, &se) || se.Kind != tt.err {
				t.Errorf("ParseSPF(%q) error %v, want %s", tt.in, err, tt.err)
			}
		case err != nil:
			t.Errorf("ParseSPF(%q): %v", tt.in, err)
		default:
			n := 0
			for _, term := range got.Terms {
				n += term.Lookups()
			}
			if got.String() != tt.want || n != tt.lookups {
				t.Errorf("ParseSPF(%q) = %q with %d lookups, want %q with %d", tt.in, got, n, tt.want, tt.lookups)
			}
		}
	}
}

func TestParseDMARC(t *testing.T) {
	for _, tt := range []struct{ in, want, err string }{
		{"v=DMARC1; p=reject; rua=mailto:a@example.com, mailto:b@example.com; pct=50", "v=DMARC1; p=reject; rua=mailto:a@example.com,mailto:b@example.com; pct=50", ""},
		{"v=DMARC1;p=None;sp=quarantine", "v=DMARC1; p=none; sp=quarantine", ""},
		{"v=DMARC1; rua=mailto:a@example.com", "", "missing_policy"},
		{"v=DMARC1; p=block", "", "bad_policy"},
		{"p=none; v=DMARC1", "", "version"},
		{"v=DMARC1; p=none; p=reject", "", "duplicate"},
		{"v=DMARC1; p=none; pct=150", "", "bad_tag"},
		{"v=DMARC1; p", "", "bad_tag"},
	} {
		got, err := dnscheck.ParseDMARC(tt.in)
		var se *dnscheck.SyntaxError
		switch {
		case tt.err != "":
			if !errors.As(err, &se) || se.Kind != tt.err {
				t.Errorf("ParseDMARC(%q) error %v, want %s", tt.in, err, tt.err)
			}
		case err != nil:
			t.Errorf("ParseDMARC(%q): %v", tt.in, err)
		case got.String() != tt.want:
			t.Errorf("ParseDMARC(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseDKIM(t *testing.T) {
	k, err := dnscheck.ParseDKIM("v=DKIM1; k=rsa; p=MIIB IjAN\tBgkq")
	if err != nil || k.PublicKey != "MIIBIjANBgkq" || k.KeyType != "rsa" {
		t.Errorf("ParseDKIM = %+v, %v", k, err)
	}
	if _, err := dnscheck.ParseDKIM("k=rsa; v=DKIM1; p=x"); err == nil {
		t.Error("v= not first: accepted")
	}
	if _, err := dnscheck.ParseDKIM("v=DKIM1; k=rsa"); err == nil {
		t.Error("no p=: accepted")
	}
}

// FuzzParseSPF: any text parses without panicking, and a record that
// parses writes back to one that parses to the same.
func FuzzParseSPF(f *testing.F) {
	for _, s := range []string{"v=spf1 include:_spf.example.com ~all", "v=spf1 a:x.com/24//64 -all", "v=spf1 redirect=x.com",
		"v=spf1 ip6:::1/128 ?all", "v=spf1 exists:%{i}.%{d} +mx:x.y", "v=spf1 =", "v=spf1 a/", "v=spf1 -"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spf, err := dnscheck.ParseSPF(s)
		if err != nil {
			return
		}
		again, err := dnscheck.ParseSPF(spf.String())
		if err != nil || again.String() != spf.String() {
			t.Fatalf("%q → %q → %q, %v", s, spf, again, err)
		}
	})
}

// FuzzParseDMARC: the same for DMARC records.
func FuzzParseDMARC(f *testing.F) {
	for _, s := range []string{"v=DMARC1; p=none; rua=mailto:a@x.com", "v=DMARC1;p=reject;sp=none;pct=10", "v=DMARC1; p=quarantine; ruf=", "v=DMARC1;;p=none"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := dnscheck.ParseDMARC(s)
		if err != nil {
			return
		}
		again, err := dnscheck.ParseDMARC(d.String())
		if err != nil || again.String() != d.String() {
			t.Fatalf("%q → %q → %q, %v", s, d, again, err)
		}
	})
}

// FuzzParseDKIM: any text parses without panicking.
func FuzzParseDKIM(f *testing.F) {
	f.Add("v=DKIM1; k=rsa; p=MIIBIjAN")
	f.Fuzz(func(t *testing.T, s string) { dnscheck.ParseDKIM(s) })
}
