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
