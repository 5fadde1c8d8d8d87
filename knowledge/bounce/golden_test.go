package bounce_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/servinetwork/rebote/knowledge/bounce"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the classifier's current verdicts")

// goldenVerdict is everything a customer would see change for one
// recipient: reason, codes, article, retry, the advice chosen and the
// evidence lines. Advice is recorded by its advice.toml keys, so a reworded
// sentence does not churn the files but a different choice of advice does.
type goldenVerdict struct {
	Address    string         `json:"address,omitempty"`
	Reason     string         `json:"reason"`
	ReplyCode  string         `json:"reply_code,omitempty"`
	Status     string         `json:"status,omitempty"`
	Article    string         `json:"article"`
	Temporary  bool           `json:"temporary"`
	Confidence float64        `json:"confidence"`
	RemoteHost string         `json:"remote_host,omitempty"`
	RemoteIP   string         `json:"remote_ip,omitempty"`
	Phrase     string         `json:"phrase,omitempty"`
	Details    map[string]any `json:"details,omitempty"` // the non-empty fields of bounce.Details
	Advice     []string       `json:"advice"`
	Evidence   []string       `json:"evidence"`
}

type goldenFile struct {
	File       string          `json:"file"`
	Kind       bounce.Kind     `json:"kind"`
	Recipients []goldenVerdict `json:"recipients,omitempty"`
}

// TestGolden compares the full verdict of every fixture with
// testdata/golden/SET.json. After a deliberate change, run
//
//	go test ./knowledge/bounce -run TestGolden -update
//
// and review the diff of the golden files with the change: it shows every
// fixture whose reason, article, advice or evidence moved.
func TestGolden(t *testing.T) {
	rd := mustReader(t)
	sets, err := filepath.Glob("testdata/*/expected.jsonl")
	if err != nil || len(sets) < 9 {
		t.Fatalf("fixture sets: %v (%d found)", err, len(sets))
	}
	for _, set := range sets {
		dir := filepath.Dir(set)
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			var got []goldenFile
			for _, want := range readExpected(t, dir) {
				raw, err := os.ReadFile(filepath.Join(dir, want.File))
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, goldenOf(want.File, rd.Classify(string(raw))))
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(got); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			wantRaw, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			var want []goldenFile
			if err := json.Unmarshal(wantRaw, &want); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			compareGolden(t, want, got)
		})
	}
}

func goldenOf(file string, d bounce.Diagnosis) goldenFile {
	g := goldenFile{File: file, Kind: d.Kind}
	for _, v := range d.Recipients {
		gv := goldenVerdict{
			Address: v.Address, Reason: v.Reason, ReplyCode: v.ReplyCode, Status: v.Status,
			Temporary: v.Temporary, Confidence: v.Confidence, RemoteHost: v.RemoteHost, RemoteIP: v.RemoteIP,
			Phrase: v.Phrase, Details: nonEmpty(v.Details), Advice: v.AdviceKeys, Evidence: v.Evidence,
		}
		if v.Article != nil {
			gv.Article = v.Article.Slug
		}
		g.Recipients = append(g.Recipients, gv)
	}
	return g
}

// nonEmpty returns the fields of d that are set, so the golden files show
// what a verdict found rather than ten empty fields.
func nonEmpty(d bounce.Details) map[string]any {
	raw, _ := json.Marshal(d)
	var all map[string]any
	_ = json.Unmarshal(raw, &all)
	for k, v := range all {
		if v == "" || v == false {
			delete(all, k)
		}
	}
	if len(all) == 0 {
		return nil
	}
	return all
}

// compareGolden reports, per fixture, what changed, so a failure reads as
// a review of the change rather than a wall of JSON.
func compareGolden(t *testing.T, want, got []goldenFile) {
	t.Helper()
	byFile := make(map[string]goldenFile, len(want))
	for _, w := range want {
		byFile[w.File] = w
	}
	for _, g := range got {
		w, ok := byFile[g.File]
		if !ok {
			t.Errorf("%s: not in the golden file (run with -update)", g.File)
			continue
		}
		delete(byFile, g.File)
		wj, _ := json.Marshal(w)
		gj, _ := json.Marshal(g)
		if !bytes.Equal(wj, gj) {
			t.Errorf("%s changed:\n  was %s\n  now %s", g.File, wj, gj)
		}
	}
	for f := range byFile {
		t.Errorf("%s: in the golden file but no longer a fixture", f)
	}
}

// The golden files must not be trivially empty: every set has bounces with
// advice and evidence.
func TestGoldenFilesHaveSubstance(t *testing.T) {
	paths, _ := filepath.Glob("testdata/golden/*.json")
	if len(paths) < 9 {
		t.Fatalf("%d golden files, want one per fixture set", len(paths))
	}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), `"advice": [`) || !strings.Contains(string(raw), `"evidence": [`) {
			t.Errorf("%s records no advice or evidence", p)
		}
	}
}
