package bounce

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/servinetwork/rebote/knowledge"
)

// TestFindCommand checks how the [stage] phrases place a rejection: the
// phrase that comes first in the text wins, found as a plain substring.
func TestFindCommand(t *testing.T) {
	kb, err := knowledge.Load(knowledge.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	rd, err := New(kb)
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"550 5.1.1 user unknown":                                              "",
		"550 5.1.1 user unknown (in reply to rcpt to command)":                "RCPT",
		"553 sender rejected (in reply to mail from command)":                 "MAIL",
		"554 rejected (in reply to end of data command) after rcpt to <x>":    "DATA",
		"451 timeout after rcpt to <x>, in reply to end of data command":      "RCPT",
		"421 too many connections after initial connection":                   "CONNECT",
		"conversation with mx.example.com failed after database lookup error": "DATA",
		">>> rcpt to:<ana@example.com> <<< 550 no such user":                  "RCPT",
	}
	for in, want := range tests {
		if got := rd.rules.findCommand(in); got != want {
			t.Errorf("findCommand(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestGuardedRegexpFind checks that an expression searched through its
// lead (without the \b it starts with) finds what the expression finds.
func TestGuardedRegexpFind(t *testing.T) {
	exprs := []string{
		`\bofr(?:_|\d{3}[-_])?(?:416|418)\b`,
		`\bafter \d+ days?\b`,
		`\bdkim\b[^.\n]{0,60}\b(?:fail\w*|invalid)\b`,
		`\bx(?:y|$)`,
		`\bab|cd`,
		`(?i)\bhost \S+ not found\b`,
	}
	texts := []string{
		"", "ofr416", "xofr416 ofr416", "_ofr416 ofr_418", "éofr416", "ofr4166 ofr416",
		strings.Repeat("xofr416 ", 10) + "ofr418", strings.Repeat("zafter 3 days ", 6) + "after 2 days",
		"dkim=fail", "the dkim signature is invalid", "xdkim invalid. dkim invalid",
		"ax x\nx", "zab cd ab", "host mx.example.org not found", "ghost a not found host b not found",
	}
	for _, e := range exprs {
		g, err := newGuardedRegexp(e, -1)
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range texts {
			if got, want := g.find(text), g.re.FindStringIndex(text); !slices.Equal(got, want) {
				t.Errorf("find(%q) with %s = %v, want %v (lead %v)", text, e, got, want, g.lead())
			}
		}
	}
	if g, _ := newGuardedRegexp(`\bofr(?:_|\d{3}[-_])?(?:416|418)\b`, -1); g.lead() == nil {
		t.Error(`\bofr... has no lead`)
	}
}

// TestPhraseMatcherLimit: phrases that need more states than a
// phraseMatcher can number are refused, not wrapped around.
func TestPhraseMatcherLimit(t *testing.T) {
	var ps []phrase
	for i := 0; i < 700; i++ {
		ps = append(ps, phrase{text: fmt.Sprintf("%04d%s", i, strings.Repeat("x", 96))})
	}
	if _, err := newPhraseMatcher(ps, nil); err == nil {
		t.Error("newPhraseMatcher took 70,001 states")
	}
	m, err := newPhraseMatcher(ps[:650], nil)
	if err != nil {
		t.Fatalf("newPhraseMatcher refused 65,001 states: %v", err)
	}
	var found []int32
	m.each("a "+ps[649].text+" "+ps[0].text, func(id int32, start int) bool {
		found = append(found, id)
		return true
	})
	if !slices.Equal(found, []int32{649, 0}) {
		t.Errorf("found phrases %v, want [649 0]", found)
	}
}

// TestFindInlineContinuation compares the scanner with the expression it
// stands for, searched over the whole text.
func TestFindInlineContinuation(t *testing.T) {
	re := regexp.MustCompile(`[245]\d\d-[245]\.\d{1,3}\.\d{1,3} `)
	for _, s := range []string{
		"", "550-5.7.1 ", "x 550-5.7.1 y 550 5.7.1 z", "5550-5.7.1 ", "550-5.7.1234 550-5.7.12 a",
		"550-5.1 550-4.2.2 ", "-----550-", "421-4.7.0 [1.2.3.4 15] Our system", "550-5.7.1\n550-5.7.1 x",
	} {
		if got, want := findInlineContinuation(s), re.FindString(s); got != want {
			t.Errorf("findInlineContinuation(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestAdviceVarsCoverVerdictVars: every name an advice sentence may use
// for the verdict has a value in adviceVars.
func TestAdviceVarsCoverVerdictVars(t *testing.T) {
	a := adviceVars{"1", "2", "3", "4", "5", "6", "7", "8"}
	seen := make(map[string]bool)
	for name := range verdictVars {
		v := a.get(name)
		if v == "" || seen[v] {
			t.Errorf("adviceVars.get(%q) = %q", name, v)
		}
		seen[v] = true
	}
	if len(verdictVars) != 8 {
		t.Errorf("verdictVars has %d names, adviceVars 8 fields", len(verdictVars))
	}
}
