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
