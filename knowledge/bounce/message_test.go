package bounce

import "testing"

// FuzzParseMessage checks the MIME parser alone.
func FuzzParseMessage(f *testing.F) {
	f.Add("From: a@example.com\nTo: b@example.com\nContent-Type: multipart/report; boundary=b\n\n--b\n\ntext\n--b--\n")
	f.Add("Content-Transfer-Encoding: base64\nContent-Type: text/plain\nFrom: x\nTo: y\n\n====")
	f.Fuzz(func(t *testing.T, s string) {
		m := parseMessage(s)
		_ = m.body()
		_ = m.deliveryStatus(m.body())
	})
}

// TestHTMLToTextEmptyTag: a tag with no name ("<>", as a bounce quotes
// an empty Return-Path) is dropped like any other, without a panic.
func TestHTMLToTextEmptyTag(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a <> b", "a b"},
		{"a < > b", "a b"},
		{"<p>x<\t>y</p>", "\nxy\n"},
	} {
		if got := htmlToText(tc.in); got != tc.want {
			t.Errorf("htmlToText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
