package knowledge_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	kb := mustLoad(t)
	f, err := os.Open("testdata/bounces/expected.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var want expectedBounce
		if err := json.Unmarshal(sc.Bytes(), &want); err != nil {
			t.Fatal(err)
		}
		n++
		t.Run(want.File, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata/bounces", want.File))
			if err != nil {
				t.Fatal(err)
			}
			got := kb.Classify(string(raw))
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
