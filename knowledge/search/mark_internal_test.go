package search

import "testing"

func TestIndexFold(t *testing.T) {
	tests := []struct {
		s, needle string
		want      int
	}{
		{"Hello World", "world", 6},
		{"abc", "abcd", -1},
		{"xx----- Original Message -----", "----- original message -----", 2},
		{"cccccccC", "cc", 0},
		{"nothing here", "zz", -1},
		{"CONTENT-TYPE: message/rfc822", "content-type: message/rfc822", 0},
	}
	for _, tt := range tests {
		if got := indexFold(tt.s, tt.needle); got != tt.want {
			t.Errorf("indexFold(%q, %q) = %d, want %d", tt.s, tt.needle, got, tt.want)
		}
	}
}
