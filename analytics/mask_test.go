package analytics_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/servinetwork/rebote/analytics"
)

func TestMaskLine(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"550 5.1.1 <ana.lopez@example.com>: Recipient address rejected: User unknown",
			"550 5.1.1 <***@***>: Recipient address rejected: User unknown"},
		{"host mx1.example.org[203.0.113.7] said: 554 5.7.1 Service unavailable; Client host [203.0.113.7] blocked using zen.spamhaus.org",
			"host ***[***] said: 554 5.7.1 Service unavailable; Client host [***] blocked using ***"},
		{"421 4.7.0 [2001:db8::25] Try again later, closing connection at 23:34:45",
			"421 4.7.0 [***] Try again later, closing connection at 23:34:45"},
		{"550 ana@example.com... No such user\n  (in reply to RCPT TO command)",
			"550 ***@***... No such user (in reply to RCPT TO command)"},
		{"452 4.5.3 Too many recipients", "452 4.5.3 Too many recipients"},
	}
	for _, tt := range tests {
		if got := analytics.MaskLine(tt.in); got != tt.want {
			t.Errorf("MaskLine(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

var leakRe = regexp.MustCompile(`[\pL\pN]@[\pL\pN]`)

func FuzzMaskLine(f *testing.F) {
	f.Add("550 5.1.1 <ana@example.com>: User unknown")
	f.Add("host mx.example.org[192.0.2.1]: 554 blocked")
	f.Add("\xff\xfe@@@..::")
	f.Fuzz(func(t *testing.T, s string) {
		got := analytics.MaskLine(s)
		if len(got) > analytics.MaxLineLen || !utf8.ValidString(got) || strings.ContainsAny(got, "\n\r") {
			t.Fatalf("MaskLine(%q) = %q: too long, invalid UTF-8 or several lines", s, got)
		}
		// No address survives masking.
		if leakRe.MatchString(got) {
			t.Fatalf("MaskLine(%q) = %q keeps an @", s, got)
		}
	})
}

func TestMaskQuery(t *testing.T) {
	got := analytics.MaskQuery("  Buzón   LLENO ana.lopez@example.com 203.0.113.9 gmial.com ")
	if want := "buzón lleno ***@*** *** gmial.com"; got != want {
		t.Errorf("MaskQuery = %q, want %q", got, want)
	}
}

// Issue 13 item 5: every IPv6 form is masked, in searches, lines and
// comments alike; clock times and codes are not addresses.
func TestMaskIPv6(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"error con 2001:db8::1", "error con ***"},
		{"desde ::1 y ::", "desde *** y ***"},
		{"fe80::1%eth0 rechaza", "*** rechaza"},
		{"fe80::a00:27ff:fe4e:66a1 link-local", "*** link-local"},
		{"::ffff:192.0.2.1 mapeada", "*** mapeada"},
		{"2001:0db8:0000:0000:0000:ff00:0042:8329 completa", "*** completa"},
		{"[2001:db8:85a3::8a2e:370:7334]:25", "[***]:25"},
		{"a las 23:34:45 y 10:30", "a las 23:34:45 y 10:30"},
		{"550 5.1.1 user unknown", "550 5.1.1 user unknown"},
	} {
		if got := analytics.MaskQuery(tt.in); got != tt.want {
			t.Errorf("MaskQuery(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := analytics.MaskComment(tt.in); got != tt.want {
			t.Errorf("MaskComment(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Issue 13 item 5: addresses written out to dodge filters are masked too;
// prose keeps its words.
func TestMaskSpelledAddresses(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"escribe a ana(at)example.com ya", "escribe a ***@*** ya"},
		{"ana [at] example [dot] com", "***@***"},
		{"ana {at} example {punto} es", "***@***"},
		{"ana (arroba) example.es", "***@***"},
		{"pepe arroba empresa punto es", "***@***"},
		{"pepe at empresa.es falla", "***@*** falla"},
		{"PEPE (AT) EMPRESA (DOT) ES", "***@***"},
		{"look at this error", "look at this error"},
		{"at least 5 minutes", "at least 5 minutes"},
	} {
		if got := analytics.MaskComment(tt.in); got != tt.want {
			t.Errorf("MaskComment(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := analytics.MaskQuery("No llega a ana(at)example.com"); got != "no llega a ***@***" {
		t.Errorf("MaskQuery of a written-out address = %q", got)
	}
}

// Issue 13 item 5: comments lose addresses, IPs and host names, and any
// control character, but keep their words.
func TestMaskComment(t *testing.T) {
	got := analytics.MaskComment("  No llega a ana.lopez@example.com\r\ndesde 203.0.113.9 por mx1.empresa.es,\x00 p.ej. ayer\x1b[31m ")
	if want := "No llega a ***@*** desde *** por ***, p.ej. ayer [31m"; got != want {
		t.Errorf("MaskComment = %q, want %q", got, want)
	}
}

func FuzzMaskComment(f *testing.F) {
	f.Add("escribe a ana@example.com")
	f.Add("pepe (at) empresa (dot) es")
	f.Add("fe80::1%eth0 \x00\x1b\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		got := analytics.MaskComment(s)
		if len(got) > analytics.MaxCommentLen || !utf8.ValidString(got) {
			t.Fatalf("MaskComment(%q) = %q: too long or invalid UTF-8", s, got)
		}
		for _, r := range got {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				t.Fatalf("MaskComment(%q) = %q keeps control character %U", s, got, r)
			}
		}
		if leakRe.MatchString(got) {
			t.Fatalf("MaskComment(%q) = %q keeps an @", s, got)
		}
	})
}
