package main

// The classifier's evaluation against a labelled corpus: "rebote-bench eval
// DIR" and the floors of eval_test.go. It lives with the developer tools,
// not in the bounce package's API, because only developers score the rules.

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/bounce"
	"github.com/servinetwork/rebote/knowledge/search"
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
	Mode                  EvalMode
	Files                 int // files scored
	Reason, Status, Reply int // answers equal to the reference
	// Errata counts the reasons that differ from the reference where a
	// reviewed erratum says the text supports Rebote's reading; Reason +
	// Errata is the number of right reasons.
	Errata     int
	Skipped    int // files without a usable reference
	Confusions map[string]int
	Misses     []string // "file: want X, got Y"
}

// Pct returns n as a percentage of the files scored.
func (s EvalScore) Pct(n int) float64 {
	if s.Files == 0 {
		return 0
	}
	return 100 * float64(n) / float64(s.Files)
}

// Right is the number of right reasons: equal to the reference, or to a
// reviewed erratum's reading.
func (s EvalScore) Right() int { return s.Reason + s.Errata }

// Erratum is a reviewed disagreement with a reference label: a file where
// the label contradicts what the text plainly says, and what Rebote reads
// there instead (knowledge/bounce/testdata/errata.tsv).
type Erratum struct {
	Corpus, File      string
	Reference, Rebote string // the reference label and Rebote's reading
	Why               string // the words of the text that support Rebote's reading
}

// Errata are the errata of one corpus, by file.
type Errata map[string]Erratum

// readErrata reads an errata file: lines "corpus, file, reference label,
// Rebote's reading, why" separated by tabs; "#" starts a comment line. It
// returns the errata of each corpus.
func readErrata(r io.Reader) (map[string]Errata, error) {
	out := make(map[string]Errata)
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 || f[0] == "" || f[1] == "" || f[2] == "" || f[3] == "" || strings.TrimSpace(f[4]) == "" {
			return nil, fmt.Errorf("errata line %d: want 5 tab-separated fields (corpus, file, reference, rebote, why)", n)
		}
		e := Erratum{Corpus: f[0], File: f[1], Reference: f[2], Rebote: f[3], Why: f[4]}
		if e.Reference == e.Rebote {
			return nil, fmt.Errorf("errata line %d: %s agrees with the reference", n, e.File)
		}
		if out[e.Corpus] == nil {
			out[e.Corpus] = make(Errata)
		}
		if _, dup := out[e.Corpus][e.File]; dup {
			return nil, fmt.Errorf("errata line %d: %s %s is listed twice", n, e.Corpus, e.File)
		}
		out[e.Corpus][e.File] = e
	}
	return out, sc.Err()
}

// checkErrata reports the errata that no longer fit the corpus: a file
// it does not label, or a reference label that has changed.
func checkErrata(fsys fs.FS, errata Errata) error {
	labels, _, err := readLabels(fsys)
	if err != nil {
		return err
	}
	for _, e := range errata {
		l, ok := labels[e.File]
		switch {
		case !ok:
			return fmt.Errorf("erratum for %s: the corpus has no such file", e.File)
		case l.Reason != e.Reference:
			return fmt.Errorf("erratum for %s: the reference says %s, not %s", e.File, l.Reason, e.Reference)
		}
	}
	return nil
}

// internalStatusRe matches Sisimai's own X.0.9NN codes, which no server
// sends: Sisimai derives them from the reason when a bounce has no code.
var internalStatusRe = regexp.MustCompile(`^[245]\.0\.9\d\d$`)

// notScored are reference labels that say the reference decoder did not
// know: it could not read the file, or gave "undefined" or "onhold" (its
// words for "the reason is unclear"). They are no ground truth to score
// against, so such files are counted apart.
var notScored = map[string]bool{"(not-decoded)": true, "undefined": true, "onhold": true}

// evaluate classifies every file of a labelled folder and scores the first
// recipient of each against its label, in the given mode. A reason that
// differs from the label counts as right when an erratum gives exactly
// that reading for the file (errata may be nil).
//
// Scoring rules: the reason must be equal. Kinds that are not bounces score
// as Sisimai names them (autoreply = vacation, feedback, delivered). A
// reply code must be equal (both empty counts). A status must be equal,
// except that Sisimai's internal X.0.9NN codes, which are not in the
// bounce, are matched by no status or the class's X.0.0. Files Sisimai
// could not decode, or read as "undefined" or "onhold", are skipped.
func evaluate(reader *bounce.Reader, fsys fs.FS, mode EvalMode, errata Errata) (EvalScore, error) {
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
				input = bounce.VisiblePart(input)
			}
		}
		got := reader.Classify(input)
		reason, status, reply := firstVerdict(got)
		score.Files++
		if reason == want.Reason {
			score.Reason++
		} else if e, ok := errata[file]; ok && e.Reference == want.Reason && e.Rebote == reason {
			score.Errata++
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

func firstVerdict(d bounce.Diagnosis) (reason, status, reply string) {
	switch d.Kind {
	case bounce.KindAutoReply:
		return "vacation", "", ""
	case bounce.KindFeedback:
		return "feedback", "", ""
	case bounce.KindDelivered:
		return "delivered", "", ""
	case bounce.KindBounce:
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

// evalCmd is "rebote-bench eval DIR": it scores the classifier against a folder
// of bounces with a labels.jsonl and prints the accuracy and confusions.
func evalCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rebote-bench eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	misses := fs.Bool("misses", false, "also list every file whose reason differs (errata aside)")
	errataPath := fs.String("errata", filepath.Join("knowledge", "bounce", "testdata", "errata.tsv"),
		"the reviewed errata to the reference labels (tab-separated; the corpus is DIR's base name)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: rebote-bench eval [--misses] [--errata FILE] DIR (a folder with labels.jsonl)")
	}
	var errata Errata
	if f, err := os.Open(*errataPath); err == nil {
		all, err := readErrata(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", *errataPath, err)
		}
		errata = all[filepath.Base(filepath.Clean(fs.Arg(0)))]
	} else {
		fmt.Fprintf(stderr, "no errata read (%v): the figures are agreement with the reference only\n", err)
	}
	kb, err := knowledge.Load(knowledge.DefaultPolicy())
	if err != nil {
		return err
	}
	reader, err := bounce.NewWithSearch(kb, search.Lazy(kb))
	if err != nil {
		return err
	}
	dir := os.DirFS(fs.Arg(0))
	if err := checkErrata(dir, errata); err != nil {
		return fmt.Errorf("%s: %w", *errataPath, err)
	}
	for _, mode := range []EvalMode{EvalWhole, EvalVisible, EvalDiagnostic} {
		s, err := evaluate(reader, dir, mode, errata)
		if err != nil {
			return err
		}
		if s.Files == 0 {
			// The labels have nothing to classify in this mode (the
			// other-projects corpus has no diagnostic lines): say so
			// rather than print 0.0%.
			fmt.Fprintf(stdout, "%-10s %4d files  not scored: the labels give nothing to classify in this mode (%d skipped)\n",
				mode, s.Files, s.Skipped)
			continue
		}
		fmt.Fprintf(stdout, "%-10s %4d files  reason %5.1f%% right counting %d reviewed errata, %5.1f%% agreement with the reference  status %5.1f%%  reply code %5.1f%%  (%d skipped)\n",
			mode, s.Files, s.Pct(s.Right()), s.Errata, s.Pct(s.Reason), s.Pct(s.Status), s.Pct(s.Reply), s.Skipped)
		if mode != EvalWhole {
			continue
		}
		keys := make([]string, 0, len(s.Confusions))
		for k := range s.Confusions {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if s.Confusions[keys[i]] != s.Confusions[keys[j]] {
				return s.Confusions[keys[i]] > s.Confusions[keys[j]]
			}
			return keys[i] < keys[j]
		})
		fmt.Fprintln(stdout, "confusions, errata aside (label -> classifier):")
		for _, k := range keys {
			fmt.Fprintf(stdout, "  %3d  %s\n", s.Confusions[k], k)
		}
		if *misses {
			for _, m := range s.Misses {
				fmt.Fprintln(stdout, "  miss "+m)
			}
		}
	}
	return nil
}
