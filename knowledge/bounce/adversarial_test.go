package bounce_test

import (
	"fmt"
	"strings"
	"testing"
)

// adversarialPastes are the shapes that once made the reader slow or hungry:
// one line repeating one address thousands of times, thousands of
// recipients (as text and as an Amazon SES notification), one huge line,
// many short lines and deeply nested MIME. Each is about size bytes.
func adversarialPastes(size int) map[string]string {
	out := make(map[string]string)

	var b strings.Builder
	b.WriteString("550 5.1.1 user unknown")
	for b.Len() < size {
		b.WriteString(" z@example.com")
	}
	out["repeated-address"] = b.String()

	b.Reset()
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "<user%d@example.net>: host mx.example.net said: 550 5.1.1 User unknown\n", i)
	}
	out["many-recipients"] = b.String()

	b.Reset()
	b.WriteString(`{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"emailAddress":"user%d@example.net","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}`, i)
	}
	b.WriteString(`],"reportingMTA":"dsn; a.example.com"}}`)
	out["ses-recipients"] = b.String()

	b.Reset()
	b.WriteString("550 5.7.1 ")
	for b.Len() < size {
		b.WriteString("blocked spam rejected denied 550 5.7.1 ")
	}
	out["one-huge-line"] = b.String()

	b.Reset()
	for b.Len() < size {
		b.WriteString("550\n5.1.1\n<a@b.c>\n")
	}
	out["many-short-lines"] = b.String()

	b.Reset()
	b.WriteString("From: MAILER-DAEMON@example.com\nSubject: Undelivered\n")
	depth := 0
	for b.Len() < size/2 {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", depth, depth)
		depth++
	}
	b.WriteString("Content-Type: text/plain\n\n550 5.1.1 <x@example.com>: User unknown\n")
	for depth > 0 {
		depth--
		fmt.Fprintf(&b, "--b%d--\n", depth)
	}
	for b.Len() < size {
		b.WriteString("x")
	}
	out["nested-mime"] = b.String()
	return out
}

// BenchmarkClassifyAdversarial reads each adversarial shape at 64 KiB and
// 1 MiB (the largest paste the web form takes); time and memory must grow
// linearly with the size.
func BenchmarkClassifyAdversarial(b *testing.B) {
	rd := mustReader(b)
	for _, size := range []int{64 << 10, 1 << 20} {
		for name, text := range adversarialPastes(size) {
			b.Run(fmt.Sprintf("%s/%dKiB", name, size>>10), func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				b.ReportAllocs()
				for b.Loop() {
					rd.Classify(text)
				}
			})
		}
	}
}

// A paste with more failed recipients than the reader judges one by one
// gives the first ones and counts the rest, as text and as an SES
// notification.
func TestManyRecipientsAreCounted(t *testing.T) {
	rd := mustReader(t)
	var text, ses strings.Builder
	ses.WriteString(`{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[`)
	for i := range 150 {
		fmt.Fprintf(&text, "<user%d@example.net>: host mx.example.net said: 550 5.1.1 User unknown\n", i)
		if i > 0 {
			ses.WriteString(",")
		}
		fmt.Fprintf(&ses, `{"emailAddress":"user%d@example.net","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}`, i)
	}
	ses.WriteString(`],"reportingMTA":"dsn; a.example.com"}}`)
	for name, paste := range map[string]string{"text": text.String(), "ses": ses.String()} {
		d := rd.Classify(paste)
		if len(d.Recipients) != 100 || d.Omitted != 50 {
			t.Errorf("%s: %d recipients and %d omitted, want 100 and 50", name, len(d.Recipients), d.Omitted)
			continue
		}
		if v := d.Recipients[99]; v.Address != "user99@example.net" || v.Reason != "userunknown" {
			t.Errorf("%s: the 100th recipient is %s (%s), want user99@example.net (userunknown)", name, v.Address, v.Reason)
		}
	}
}
