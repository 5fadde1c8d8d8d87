package bounce_test

import (
	"testing"
	"unicode/utf8"
)

// FuzzClassify feeds arbitrary pastes to the classifier: any text must give
// a diagnosis without panicking, with an article and valid UTF-8 evidence
// for every failed recipient.
func FuzzClassify(f *testing.F) {
	rd := mustReader(f)
	for _, s := range []string{
		"550 5.1.1 <a@example.com>: User unknown",
		"From: MAILER-DAEMON@example.com\nSubject: Undelivered\nContent-Type: multipart/report; boundary=x\n\n--x\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; a@example.com\nAction: failed\nStatus: 5.1.1\n\n--x--",
		"Content-Type: multipart/mixed; boundary=\"\"\nFrom: a\nTo: b\n\n--\n--",
		"=?utf-8?B?w6k=?= =?iso-8859-1?Q?=E9?=",
		"{\"notificationType\":\"Bounce\",\"bounce\":{\"bouncedRecipients\":[{\"emailAddress\":\"x@example.com\"}]}}",
		"<html><body><p>550 5.7.1 blocked using zen.spamhaus.org</p></body></html>",
	} {
		f.Add(s)
	}
	// The shapes that once made the reader quadratic, small enough to
	// mutate quickly.
	for _, s := range adversarialPastes(4 << 10) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := rd.Classify(s)
		for _, v := range d.Recipients {
			if v.Article == nil || v.Reason == "" {
				t.Fatalf("verdict without article or reason: %+v", v)
			}
			for _, e := range v.Evidence {
				if !utf8.ValidString(e) {
					t.Fatalf("invalid UTF-8 evidence %q", e)
				}
			}
		}
		if d.IsBounce() != (len(d.Recipients) > 0) {
			t.Fatalf("kind %s with %d recipients", d.Kind, len(d.Recipients))
		}
	})
}
