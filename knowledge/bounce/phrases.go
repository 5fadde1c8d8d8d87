package bounce

import (
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/servinetwork/rebote/knowledge/search/spanish"
)

// wording is what phrases.toml says about the parts of a paste: whether it
// is a bounce, which address is a failed recipient and which the sender's,
// which server answered. Each list is kept in the form it is compared in:
// lower-cased, or folded like the rules.
type wording struct {
	feedbackSubjects  []string // prefixes of a complaint's subject
	autoReplySubjects []string // prefixes of an automatic reply's subject
	autoReplyBody     []string // an automatic reply's words, in a paste without a header
	bounceSubjects    []string // in a delivery report's subject
	noticeSubjects    []string // in the subject of a provider's notice about the account
	dialogMarkers     []string // folded: words only a mail program's own error window writes
	bounceSignals     []string // folded: words of an error report
	mtaSenders        []string // in the From of a mail system
	automatedSenders  []string // in the From of other programs
	senderContexts    []senderContext
	notRecipients     map[string]bool // local parts that send bounces
	sending           []string        // what Outlook writes after the sending account, with its " - "
	recipientLabels   []string        // start a line that presents a recipient
	deliveryPhrases   []string        // end the prose before a recipient
	remoteMarkers     []string        // precede the remote server's name, with the space after them
	blocklists        []blocklist
	rateOurs          []string // folded: the provider's own rate limit notice
	retry             []string // folded: a server that will try again
	permanent         []string // folded: a failure called permanent
}

// senderContext is text that precedes the sender's address; trimmed is
// the same without a final "<", compared with the text trimmed likewise.
type senderContext struct{ text, trimmed string }

// blocklist is a list bounces mention: a key found in the folded text, and
// the name the advice gives it.
type blocklist struct{ key, name string }

func loadWording(raw string) (*wording, error) {
	var file struct {
		Feedback struct {
			Subjects []string `toml:"subjects"`
		} `toml:"feedback"`
		AutoReply struct {
			Subjects []string `toml:"subjects"`
			Body     []string `toml:"body"`
		} `toml:"auto_reply"`
		Bounce struct {
			Subjects []string `toml:"subjects"`
			Signals  []string `toml:"signals"`
		} `toml:"bounce"`
		Notice struct {
			Subjects []string `toml:"subjects"`
		} `toml:"notice"`
		Dialog struct {
			Markers []string `toml:"markers"`
		} `toml:"dialog"`
		Senders struct {
			MTA           []string `toml:"mta"`
			Automated     []string `toml:"automated"`
			Contexts      []string `toml:"contexts"`
			NotRecipients []string `toml:"not_recipients"`
			Sending       []string `toml:"sending"`
		} `toml:"senders"`
		Recipients struct {
			Labels   []string `toml:"labels"`
			Delivery []string `toml:"delivery"`
		} `toml:"recipients"`
		Remote struct {
			Markers []string `toml:"markers"`
		} `toml:"remote"`
		Blocklists struct {
			Lists []struct {
				Key  string `toml:"key"`
				Name string `toml:"name"`
			} `toml:"lists"`
		} `toml:"blocklists"`
		Rate struct {
			Ours []string `toml:"ours"`
		} `toml:"rate"`
		Persistence struct {
			Retry     []string `toml:"retry"`
			Permanent []string `toml:"permanent"`
		} `toml:"persistence"`
	}
	md, err := toml.Decode(raw, &file)
	if err != nil {
		return nil, fmt.Errorf("phrases.toml: %w", err)
	}
	if extra := md.Undecoded(); len(extra) > 0 {
		return nil, fmt.Errorf("phrases.toml: unknown field %q", extra[0].String())
	}
	w := &wording{}
	var contexts, notRecipients, sending, markers []string
	for _, l := range []struct {
		name string
		in   []string
		out  *[]string
		fold bool
	}{
		{"[feedback] subjects", file.Feedback.Subjects, &w.feedbackSubjects, false},
		{"[auto_reply] subjects", file.AutoReply.Subjects, &w.autoReplySubjects, false},
		{"[auto_reply] body", file.AutoReply.Body, &w.autoReplyBody, false},
		{"[bounce] subjects", file.Bounce.Subjects, &w.bounceSubjects, false},
		{"[bounce] signals", file.Bounce.Signals, &w.bounceSignals, true},
		{"[notice] subjects", file.Notice.Subjects, &w.noticeSubjects, false},
		{"[dialog] markers", file.Dialog.Markers, &w.dialogMarkers, true},
		{"[senders] mta", file.Senders.MTA, &w.mtaSenders, false},
		{"[senders] automated", file.Senders.Automated, &w.automatedSenders, false},
		{"[senders] contexts", file.Senders.Contexts, &contexts, false},
		{"[senders] not_recipients", file.Senders.NotRecipients, &notRecipients, false},
		{"[senders] sending", file.Senders.Sending, &sending, false},
		{"[recipients] labels", file.Recipients.Labels, &w.recipientLabels, false},
		{"[recipients] delivery", file.Recipients.Delivery, &w.deliveryPhrases, false},
		{"[remote] markers", file.Remote.Markers, &markers, false},
		{"[rate] ours", file.Rate.Ours, &w.rateOurs, true},
		{"[persistence] retry", file.Persistence.Retry, &w.retry, true},
		{"[persistence] permanent", file.Persistence.Permanent, &w.permanent, true},
	} {
		if *l.out, err = wordList(l.in, l.fold); err != nil {
			return nil, fmt.Errorf("phrases.toml: %s: %w", l.name, err)
		}
	}
	for _, c := range contexts {
		// The text before an address loses its straight quotes before the
		// comparison (JSON keys then read like headers).
		if strings.Contains(c, `"`) {
			return nil, fmt.Errorf("phrases.toml: [senders] contexts: %q has a straight quote, which is never compared", c)
		}
		w.senderContexts = append(w.senderContexts, senderContext{c, strings.TrimRight(c, "<")})
	}
	w.notRecipients = make(map[string]bool, len(notRecipients))
	for _, n := range notRecipients {
		w.notRecipients[strings.TrimSpace(n)] = true
	}
	for _, s := range sending {
		w.sending = append(w.sending, " - "+strings.TrimSpace(s))
	}
	for _, m := range markers {
		w.remoteMarkers = append(w.remoteMarkers, strings.TrimSpace(m)+" ")
	}
	if len(file.Blocklists.Lists) == 0 {
		return nil, fmt.Errorf("phrases.toml: [blocklists] lists is empty")
	}
	for i, b := range file.Blocklists.Lists {
		key, name := spanish.Fold(strings.TrimSpace(b.Key)), strings.TrimSpace(b.Name)
		if key == "" || name == "" {
			return nil, fmt.Errorf("phrases.toml: [blocklists] list %d needs a key and a name", i+1)
		}
		for _, earlier := range w.blocklists {
			if key == earlier.key {
				return nil, fmt.Errorf("phrases.toml: [blocklists] key %q appears twice", key)
			}
			if strings.Contains(key, earlier.key) {
				return nil, fmt.Errorf("phrases.toml: [blocklists] key %q is never used: the earlier key %q is in it", key, earlier.key)
			}
		}
		w.blocklists = append(w.blocklists, blocklist{key, name})
	}
	return w, nil
}

// wordList returns a list of phrases.toml in the form it is compared in,
// lower-cased or folded; spaces are kept, for they may count (" desde").
// The same phrase twice is an error.
func wordList(in []string, fold bool) ([]string, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("the list is empty")
	}
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, s := range in {
		if fold {
			s = spanish.Fold(s)
		} else {
			s = strings.ToLower(s)
		}
		if strings.TrimSpace(s) == "" {
			return nil, fmt.Errorf("empty phrase")
		}
		if seen[s] {
			return nil, fmt.Errorf("phrase %q appears twice", s)
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, nil
}
