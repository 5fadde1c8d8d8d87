package knowledge

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
)

// Label is one line of a labels.jsonl file (the format of the Sisimai
// corpus): what a reference decoder read for one recipient of one file.
type Label struct {
	File       string `json:"file"`
	Recipient  string `json:"recipient"`
	Status     string `json:"status"`
	ReplyCode  string `json:"reply_code"`
	Reason     string `json:"reason"`
	HardBounce bool   `json:"hard_bounce"`
	Diagnostic string `json:"diagnostic"`
}

// EvalMode says which part of each labelled bounce is classified.
type EvalMode string

// Evaluation modes: the whole file, what a mail client shows (the
// human-readable text and delivery report, without headers or the returned
// message), and the diagnostic line alone.
const (
	EvalWhole      EvalMode = "whole"
	EvalVisible    EvalMode = "visible"
	EvalDiagnostic EvalMode = "diagnostic"
)

// EvalScore is the accuracy of one mode.
type EvalScore struct {
	Mode                   EvalMode
	Files                  int // files scored
	Reason, Status, Reply  int // correct answers
	Skipped                int // files without a usable reference
	Confusions             map[string]int
	Misses                 []string // "file: want X, got Y"
	StatusScored, ReplyScd int
}

// Pct returns n as a percentage of the files scored.
func (s EvalScore) Pct(n int) float64 {
	if s.Files == 0 {
		return 0
	}
	return 100 * float64(n) / float64(s.Files)
}

// internalStatusRe matches Sisimai's own X.0.9NN codes, which no server
// sends: Sisimai derives them from the reason when a bounce has no code.
var internalStatusRe = regexp.MustCompile(`^[245]\.0\.9\d\d$`)

// notScored are reference labels that say the reference decoder did not
// know: it could not read the file, or gave "undefined" or "onhold" (its
// words for "the reason is unclear"). They are no ground truth to score
// against, so such files are counted apart.
var notScored = map[string]bool{"(not-decoded)": true, "undefined": true, "onhold": true}

// Evaluate classifies every file of a labelled folder and scores the first
// recipient of each against its label, in the given mode.
//
// Scoring rules: the reason must be equal. Kinds that are not bounces score
// as Sisimai names them (autoreply = vacation, feedback, delivered). A
// reply code must be equal (both empty counts). A status must be equal,
// except that Sisimai's internal X.0.9NN codes, which are not in the
// bounce, are matched by no status or the class's X.0.0. Files Sisimai
// could not decode, or read as "undefined" or "onhold", are skipped.
func (kb *KB) Evaluate(fsys fs.FS, mode EvalMode) (EvalScore, error) {
	labels, order, err := readLabels(fsys)
	if err != nil {
		return EvalScore{}, err
	}
	score := EvalScore{Mode: mode, Confusions: make(map[string]int)}
	for _, file := range order {
		want := labels[file]
		if notScored[want.Reason] {
			score.Skipped++
			continue
		}
		var input string
		switch mode {
		case EvalDiagnostic:
			if want.Diagnostic == "" || !isBounceReason(want.Reason) {
				score.Skipped++
				continue
			}
			input = want.Diagnostic
		default:
			raw, err := fs.ReadFile(fsys, file)
			if err != nil {
				return score, err
			}
			input = string(raw)
			if mode == EvalVisible {
				if !isBounceReason(want.Reason) {
					score.Skipped++
					continue
				}
				input = visiblePart(input)
			}
		}
		got := kb.Classify(input)
		reason, status, reply := firstVerdict(got)
		score.Files++
		if reason == want.Reason {
			score.Reason++
		} else {
			score.Confusions[want.Reason+" -> "+orNone(reason)]++
			score.Misses = append(score.Misses, fmt.Sprintf("%s: want %s, got %s", file, want.Reason, orNone(reason)))
		}
		if statusMatches(want.Status, status) {
			score.Status++
		}
		if want.ReplyCode == reply {
			score.Reply++
		}
	}
	return score, nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func isBounceReason(r string) bool {
	return r != "feedback" && r != "vacation" && r != "delivered" && !notScored[r]
}

func firstVerdict(d Diagnosis) (reason, status, reply string) {
	switch d.Kind {
	case KindAutoReply:
		return "vacation", "", ""
	case KindFeedback:
		return "feedback", "", ""
	case KindDelivered:
		return "delivered", "", ""
	case KindBounce:
		v := d.Recipients[0]
		return v.Reason, v.Status, v.ReplyCode
	}
	return "", "", ""
}

func statusMatches(want, got string) bool {
	if internalStatusRe.MatchString(want) {
		return got == "" || got == want[:1]+".0.0"
	}
	return want == got
}

// readLabels reads labels.jsonl and returns the first label of each file,
// in file order.
func readLabels(fsys fs.FS) (map[string]Label, []string, error) {
	f, err := fsys.Open("labels.jsonl")
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	labels := make(map[string]Label)
	var order []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var l Label
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, nil, fmt.Errorf("labels.jsonl: %w", err)
		}
		if _, seen := labels[l.File]; !seen {
			labels[l.File] = l
			order = append(order, l.File)
		}
	}
	sort.Strings(order)
	return labels, order, sc.Err()
}

// visiblePart returns what a mail client shows of a bounce, as a customer
// would select and copy it: the human-readable text and the delivery report
// (which Thunderbird, Outlook and webmails show inline or as a text
// attachment), without the message headers or the returned original.
func visiblePart(raw string) string {
	m := parseMessage(raw)
	if len(m.text) == 0 && len(m.html) == 0 && len(m.status) == 0 {
		return raw
	}
	var b strings.Builder
	b.WriteString(m.body())
	for _, s := range m.status {
		b.WriteString(s)
		b.WriteString("\n")
	}
	return strings.TrimSpace(b.String())
}
