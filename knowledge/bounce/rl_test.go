package bounce

import "testing"

func TestRequiredLiteral(t *testing.T) {
	tests := map[string]string{
		`\bdkim\b[^.\n]{0,60}\b(?:fail|x)\b`:  "dkim",
		`\bhost \S+ not found\b`:              "not found",
		`\bafter \d+ days?\b`:                 "after",
		`\b\d+ attempts\b`:                    "attempts",
		`a|b`:                                 "",
		`\bbl\.[a-z0-9-]+\.(?:org|net|com)\b`: "bl",
	}
	for in, want := range tests {
		if got := requiredLiteral(in); got != want {
			t.Errorf("requiredLiteral(%q) = %q, want %q", in, got, want)
		}
	}
}
