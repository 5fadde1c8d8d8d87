package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/bounce"
	"github.com/servinetwork/rebote/knowledge/search"
)

// TestCorpusEval scores the classifier on the two labelled corpora beside
// the repository (CI puts them there): the Sisimai corpus it was tuned on
// and the other parsers' test suites, figures kept apart. The floors count
// the reviewed errata (testdata/errata.tsv of package bounce): reason 95%
// on whole Sisimai bounces and 92% on the other projects', status and
// reply code 97% on both, reason 92% on fragments (what a mail client
// shows, the diagnostic line alone); where the classifier already does
// better, just under today's figure, so a change that makes it worse fails.
func TestCorpusEval(t *testing.T) {
	kb, err := knowledge.Load(knowledge.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	reader, err := bounce.NewWithSearch(kb, search.Lazy(kb))
	if err != nil {
		t.Fatal(err)
	}
	errata := mustErrata(t)
	type floor struct {
		mode                  EvalMode
		reason, status, reply float64
	}
	for _, corpus := range []struct {
		name   string
		floors []floor
	}{
		// Today: 402/405 (status 396, reply 394), 380/387 (379, 377),
		// 376/386; 156/159 (156, 155), 154/158 (154, 154).
		{"sisimai", []floor{
			{EvalWhole, 99.1, 97.7, 97.2},
			{EvalVisible, 98.1, 97.8, 97.3},
			{EvalDiagnostic, 97.3, 0, 0},
		}},
		{"other-projects", []floor{
			{EvalWhole, 98, 98, 97.4},
			{EvalVisible, 97.4, 97.4, 97.4},
		}},
	} {
		t.Run(corpus.name, func(t *testing.T) {
			dir := corpusDir(t, corpus.name)
			if err := checkErrata(os.DirFS(dir), errata[corpus.name]); err != nil {
				t.Fatal(err)
			}
			for _, f := range corpus.floors {
				s, err := evaluate(reader, os.DirFS(dir), f.mode, errata[corpus.name])
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%s: %d files, reason %.1f%% right counting %d errata (%.1f%% agreement), status %.1f%%, reply code %.1f%% (%d skipped)",
					f.mode, s.Files, s.Pct(s.Right()), s.Errata, s.Pct(s.Reason), s.Pct(s.Status), s.Pct(s.Reply), s.Skipped)
				if testing.Verbose() {
					for _, m := range s.Misses {
						t.Logf("  miss %s", m)
					}
				}
				if s.Pct(s.Right()) < f.reason || s.Pct(s.Status) < f.status || s.Pct(s.Reply) < f.reply {
					t.Errorf("%s below the floor: reason %.1f%% (≥%.1f), status %.1f%% (≥%.1f), reply %.1f%% (≥%.1f)",
						f.mode, s.Pct(s.Right()), f.reason, s.Pct(s.Status), f.status, s.Pct(s.Reply), f.reply)
				}
			}
		})
	}
}

// mustErrata reads the reviewed errata of package bounce.
func mustErrata(tb testing.TB) map[string]Errata {
	tb.Helper()
	f, err := os.Open(filepath.Join("..", "..", "knowledge", "bounce", "testdata", "errata.tsv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	errata, err := readErrata(f)
	if err != nil {
		tb.Fatal(err)
	}
	return errata
}

// corpusDir returns a labelled corpus beside the repository. Without it
// the test is skipped on a developer's machine but fails under CI
// (REBOTE_REQUIRE_SHARED=1), where a missing corpus means no floor was
// checked.
func corpusDir(tb testing.TB, name string) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", name)
	if _, err := os.Stat(filepath.Join(dir, "labels.jsonl")); err != nil {
		if os.Getenv("REBOTE_REQUIRE_SHARED") != "" {
			tb.Fatalf("the corpus is required here (REBOTE_REQUIRE_SHARED is set): %v", err)
		}
		tb.Skipf("corpus not available: %v", err)
	}
	return dir
}

// The command prints each mode's figures and the confusions.
func TestEvalCommand(t *testing.T) {
	errataFile := filepath.Join("..", "..", "knowledge", "bounce", "testdata", "errata.tsv")
	for _, tt := range []struct {
		corpus string
		want   []string
	}{
		{"sisimai", []string{"whole", "visible", "diagnostic", "right counting", "agreement with the reference", "confusions"}},
		// Its labels have no diagnostic line: the command says so.
		{"other-projects", []string{"whole", "visible", "diagnostic    0 files  not scored"}},
	} {
		dir := corpusDir(t, tt.corpus)
		var out bytes.Buffer
		if err := evalCmd([]string{"--errata", errataFile, dir}, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		for _, want := range tt.want {
			if !strings.Contains(out.String(), want) {
				t.Errorf("eval %s output lacks %q:\n%s", tt.corpus, want, out.String())
			}
		}
	}
}

// An erratum counts only for the reading it gives; a malformed or
// self-contradicting line is an error.
func TestErrata(t *testing.T) {
	all, err := readErrata(strings.NewReader("# comment\nc\tf.eml\tfiltered\tuserunknown\t\"User unknown\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if e := all["c"]["f.eml"]; e.Reference != "filtered" || e.Rebote != "userunknown" {
		t.Errorf("readErrata = %+v", all)
	}
	for _, bad := range []string{
		"c\tf.eml\tfiltered\tuserunknown\n",                                    // no reason
		"c\tf.eml\tfiltered\tfiltered\tsame\n",                                 // agrees with the reference
		"c\tf.eml\tfiltered\tuserunknown\tx\nc\tf.eml\tfiltered\tblocked\ty\n", // twice
	} {
		if _, err := readErrata(strings.NewReader(bad)); err == nil {
			t.Errorf("readErrata(%q) accepted it", bad)
		}
	}
}

// The scoring rules: Sisimai's internal X.0.9NN codes match no status or
// the class's X.0.0; kinds that are not bounces score under Sisimai's names.
func TestEvalScoring(t *testing.T) {
	for _, tt := range []struct {
		want, got string
		match     bool
	}{
		{"5.1.1", "5.1.1", true},
		{"5.1.1", "5.1.10", false},
		{"5.0.910", "", true},
		{"5.0.910", "5.0.0", true},
		{"5.0.910", "5.1.1", false},
	} {
		if got := statusMatches(tt.want, tt.got); got != tt.match {
			t.Errorf("statusMatches(%q, %q) = %v, want %v", tt.want, tt.got, got, tt.match)
		}
	}
	if r, _, _ := firstVerdict(bounce.Diagnosis{Kind: bounce.KindAutoReply}); r != "vacation" {
		t.Errorf("an auto-reply scores as %q, want vacation", r)
	}
}
