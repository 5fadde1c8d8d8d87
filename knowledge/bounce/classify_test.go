package bounce_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/servinetwork/rebote/knowledge/bounce"
)

type expectedBounce struct {
	File       string `json:"file"`
	IsBounce   bool   `json:"is_bounce"`
	Recipients []struct {
		Address   string `json:"address"`
		Reason    string `json:"reason"`
		ReplyCode string `json:"reply_code"`
		Status    string `json:"status"`
		Temporary bool   `json:"temporary"`
	} `json:"recipients"`
}

// TestClassifyFixtures checks the classifier on bounces written for this
// project (testdata/bounces): whole messages, Spanish NDRs, client dialogs,
// single lines, several recipients, and texts that are not bounces.
func TestClassifyFixtures(t *testing.T) {
	classifyFixtures(t, "testdata/bounces")
}

// TestClassifyHoldout measures the classifier on sets of fixtures written
// by people who had not seen the rules (holdout first, then one set per
// writer; their first-run figures, before any fix they prompted, are in the
// README). They have been tuned on since, so they are regression sets now:
// every bounce/not-bounce decision must be right, and the share of
// recipients whose reason is right may not drop below today's (each floor
// is just under the set's score, so one more miss fails). The misses are
// logged (most are labels that name another reason than the article the
// knowledge base gives the same words, as the README lists).
func TestClassifyHoldout(t *testing.T) {
	for _, set := range []struct {
		dir   string
		floor float64 // today: 39/39, 43/44, 41/42, 43/43, 34/34, 71/72, 37/38, 32/32, 39/42
	}{
		{"testdata/holdout", 100},
		{"testdata/unseen", 97.5},
		{"testdata/unseen2", 97.5},
		{"testdata/unseen3", 100},
		{"testdata/unseen4", 100},
		{"testdata/unseen5", 98.5},
		{"testdata/unseen6", 97},
		{"testdata/unseen7", 100},
		{"testdata/unseen8", 92.5},
		{"testdata/unseen9", 90},
		{"testdata/unseen10", 100},
		{"testdata/unseen11", 97},
		{"testdata/unseen12", 97},
		{"testdata/unseen13", 95},
		{"testdata/unseen14", 80},
	} {
		t.Run(filepath.Base(set.dir), func(t *testing.T) { scoreHeldOut(t, set.dir, set.floor) })
	}
}

// scoreHeldOut classifies a folder of labelled bounces: every bounce or
// not-bounce decision must be right, and every recipient's reason right for
// at least floor percent of the recipients.
func scoreHeldOut(t *testing.T, dir string, floor float64) {
	rd := mustReader(t)
	var recipients, right int
	for _, want := range readExpected(t, dir) {
		raw, err := os.ReadFile(filepath.Join(dir, want.File))
		if err != nil {
			t.Fatal(err)
		}
		got := rd.Classify(string(raw))
		if got.IsBounce() != want.IsBounce {
			t.Errorf("%s: IsBounce = %v (kind %s), want %v", want.File, got.IsBounce(), got.Kind, want.IsBounce)
			continue
		}
		for i, w := range want.Recipients {
			recipients++
			// The verdict for the same address, wherever it is listed;
			// by position when the text names no address.
			var g *bounce.Verdict
			for j := range got.Recipients {
				if w.Address != "" && strings.EqualFold(got.Recipients[j].Address, w.Address) {
					g = &got.Recipients[j]
					break
				}
			}
			if g == nil && w.Address == "" && i < len(got.Recipients) {
				g = &got.Recipients[i]
			}
			if g == nil {
				t.Logf("%s: recipient %d (%s) missing", want.File, i, w.Address)
				continue
			}
			if g.Reason == w.Reason {
				right++
			} else {
				t.Logf("%s: recipient %d (%s) reason %s, want %s (evidence %q)", want.File, i, w.Address, g.Reason, w.Reason, g.Evidence)
			}
		}
	}
	pct := 100 * float64(right) / float64(recipients)
	t.Logf("%s: %d recipients, reason %.1f%%", dir, recipients, pct)
	if recipients < 30 || pct < floor {
		t.Errorf("reason accuracy %.1f%% over %d recipients, want at least %.0f%%", pct, recipients, floor)
	}
}

// readExpected reads a fixture folder's expected.jsonl.
func readExpected(t *testing.T, dir string) []expectedBounce {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "expected.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []expectedBounce
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var want expectedBounce
		if err := json.Unmarshal(sc.Bytes(), &want); err != nil {
			t.Fatal(err)
		}
		out = append(out, want)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func classifyFixtures(t *testing.T, dir string) {
	rd := mustReader(t)
	n := 0
	for _, want := range readExpected(t, dir) {
		n++
		t.Run(want.File, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, want.File))
			if err != nil {
				t.Fatal(err)
			}
			got := rd.Classify(string(raw))
			if got.IsBounce() != want.IsBounce {
				t.Fatalf("IsBounce = %v (kind %s), want %v", got.IsBounce(), got.Kind, want.IsBounce)
			}
			if !want.IsBounce {
				return
			}
			if len(got.Recipients) != len(want.Recipients) {
				var addrs []string
				for _, r := range got.Recipients {
					addrs = append(addrs, r.Address+"="+r.Reason)
				}
				t.Errorf("%d recipients %v, want %d", len(got.Recipients), addrs, len(want.Recipients))
			}
			for i, w := range want.Recipients {
				if i >= len(got.Recipients) {
					break
				}
				g := got.Recipients[i]
				if !strings.EqualFold(g.Address, w.Address) || g.Reason != w.Reason || g.ReplyCode != w.ReplyCode || g.Status != w.Status || g.Temporary != w.Temporary {
					t.Errorf("recipient %d = {%s %s %s %s temp=%v}, want {%s %s %s %s temp=%v}\n evidence %q", i,
						g.Address, g.Reason, g.ReplyCode, g.Status, g.Temporary, w.Address, w.Reason, w.ReplyCode, w.Status, w.Temporary, g.Evidence)
				}
				if g.Article == nil || len(g.Advice) == 0 {
					t.Errorf("recipient %d has no article or advice", i)
				}
			}
		})
	}
	if n < 40 {
		t.Errorf("only %d fixtures", n)
	}
}

// TestTailoredAdvice checks that the advice uses what the bounce says.
func TestTailoredAdvice(t *testing.T) {
	rd := mustReader(t)
	tests := []struct {
		name, paste string
		reason      string
		want        []string // phrases the advice must contain
	}{
		{"blocklist in a Spanish Outlook NDR",
			"No se pudo entregar a estos destinatarios o grupos:\n\ncompras@example.net\n\nInformación de diagnóstico para administradores:\nServidor de generación: mx.example.net\ncompras@example.net\nEl servidor remoto devolvió '550 5.7.1 Service unavailable; Client host [203.0.113.7] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.7'",
			"blocked", []string{"203.0.113.7", "Spamhaus ZEN", "ServiNetwork", "incidencia"}},
		{"T-Online's blocklist code",
			"<klaus@t-online.example>\n    (reason: 554 IP=203.0.113.7 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.example to clarify.) (BL))",
			"blocked", []string{"La IP 203.0.113.7 aparece en la lista de bloqueo de T-Online,"}},
		{"no cause, but said to be permanent",
			"This is an automatically generated Delivery Status Notification.\n\nDelivery to the following recipients failed permanently:\n\n   * ana.ruiz@example.org\n",
			"onhold", []string{"Es un rechazo definitivo"}},
		{"the provider's own rate limit", "E451 Rate limit has been exceeded. Try again later",
			"speeding", []string{"300 mensajes por hora", "una hora"}},
		{"a domain typo", "<pedro@hotmial.com>: Host or domain name not found. Name service error for name=hotmial.com type=A: Host not found",
			"hostunknown", []string{"pedro@hotmail.com"}},
		{"size limit stated", "552 5.3.4 Message size exceeds fixed maximum message size (10485760 bytes)",
			"mesgtoobig", []string{"10 MB"}},
		{"SPF named", "550 5.7.23 The message was rejected because of Sender Policy Framework violation",
			"authfailure", []string{"SPF"}},
		{"temporary", "451 4.7.1 Greylisting in action, please come back later",
			"blocked", []string{"temporal"}},
		// The text says the account does not exist: that decides, whatever
		// the stage (Sisimai's convention calls it "filtered").
		{"unknown address said after the message was read",
			"The following recipient(s) could not be reached:\n\n      ana.lopez@example.com on 28/11/2026 10:00\n            The e-mail account does not exist at the organization this message was sent to.\n",
			"userunknown", []string{"ana.lopez@example.com no existe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := rd.Classify(tt.paste)
			if !d.IsBounce() || len(d.Recipients) == 0 {
				t.Fatalf("not a bounce: %+v", d)
			}
			v := d.Recipients[0]
			if v.Reason != tt.reason {
				t.Errorf("reason %s, want %s", v.Reason, tt.reason)
			}
			advice := strings.Join(v.Advice, " ")
			for _, w := range tt.want {
				if !strings.Contains(advice, w) {
					t.Errorf("advice lacks %q: %s", w, advice)
				}
			}
		})
	}
	// "hotmail.es" is a real domain, not a typo of hotmail.com.
	if d := rd.Classify("<ana@hotmail.es>: 550 5.1.1 User unknown (in reply to RCPT TO command)"); len(d.Recipients) == 0 || d.Recipients[0].Details.Suggestion != "" {
		t.Errorf("hotmail.es flagged as a typo: %+v", d)
	}
}

// The sender a bounce was returned to is found, for the live checks of
// the customer's own domain.
func TestSender(t *testing.T) {
	rd := mustReader(t)
	d := rd.Classify("From: MAILER-DAEMON@mx.example.net\nTo: Ana <ana@tienda.example.es>\nSubject: Undelivered Mail Returned to Sender\n\n" +
		"<luis@example.org>: host mx.example.org said: 550 5.7.26 Unauthenticated email from tienda.example.es is not accepted due to domain's DMARC policy\n")
	if d.Sender != "ana@tienda.example.es" {
		t.Errorf("Sender = %q, want ana@tienda.example.es", d.Sender)
	}
	if d := rd.Classify("550 5.7.26 Unauthenticated email is not accepted"); d.Sender != "" {
		t.Errorf("a single line: Sender = %q, want none", d.Sender)
	}
}

// TestReviewWordings reads the wordings of the postmaster's review of
// December 2026 (knowledge/REVIEW-2026-12.md, section 5: codes and
// wordings customers meet since 2024): each must get its reason and the
// article the knowledge base has for it.
func TestReviewWordings(t *testing.T) {
	rd := mustReader(t)
	dir := "testdata/review2026"
	raw, err := os.ReadFile(filepath.Join(dir, "expected.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var want struct {
			expectedBounce
			Article string `json:"article"`
		}
		if err := json.Unmarshal([]byte(line), &want); err != nil {
			t.Fatal(err)
		}
		text, err := os.ReadFile(filepath.Join(dir, want.File))
		if err != nil {
			t.Fatal(err)
		}
		d := rd.Classify(string(text))
		if !d.IsBounce() || len(d.Recipients) == 0 {
			t.Errorf("%s: not read as a bounce (kind %s)", want.File, d.Kind)
			continue
		}
		got := d.Recipients[0]
		slug := ""
		if got.Article != nil {
			slug = got.Article.Slug
		}
		if got.Reason != want.Recipients[0].Reason || slug != want.Article {
			t.Errorf("%s: %s, %s; want %s, %s (evidence %q)", want.File, got.Reason, slug, want.Recipients[0].Reason, want.Article, got.Evidence)
		}
	}
}
