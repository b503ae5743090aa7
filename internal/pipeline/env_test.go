package pipeline

import (
	"slices"
	"testing"
)

// TestSplitList: spaces around items and empty items (a trailing comma, an
// empty value) are dropped; order and duplicates are kept.
func TestSplitList(t *testing.T) {
	t.Parallel()
	tests := map[string][]string{
		"":                        nil,
		" , ,":                    nil,
		"eu-west-1":               {"eu-west-1"},
		" eu-west-1 , us-east-1,": {"eu-west-1", "us-east-1"},
		"b,a,b":                   {"b", "a", "b"},
	}
	for in, want := range tests {
		if got := SplitList(in); !slices.Equal(got, want) {
			t.Errorf("SplitList(%q) = %q, want %q", in, got, want)
		}
	}
}
