package spanish_test

import (
	"reflect"
	"testing"

	"github.com/servinetwork/rebote/knowledge/search/spanish"
)

func TestTokenize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []spanish.Token
	}{
		{"Mailbox isn't FULL", []spanish.Token{{"mailbox", 0, 7}, {"isnt", 8, 13}, {"full", 14, 18}}},
		{"isn’t 'x' Dirección", []spanish.Token{{"isnt", 0, 7}, {"x", 9, 10}, {"direccion", 12, 22}}},
		{"550-5.1.1", []spanish.Token{{"550", 0, 3}, {"5", 4, 5}, {"1", 6, 7}, {"1", 8, 9}}},
		{"' ", nil},
	} {
		if got := spanish.Tokenize(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Tokenize(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
