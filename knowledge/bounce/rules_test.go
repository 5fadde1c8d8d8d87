package bounce

import (
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
