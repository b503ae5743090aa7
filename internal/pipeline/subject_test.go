package pipeline

import (
	"strings"
	"testing"
)

func TestNoControl(t *testing.T) {
	t.Parallel()
	if got, want := NoControl("line one\nline two\r\tend"), "line one line two  end"; got != want {
		t.Errorf("NoControl = %q, want %q", got, want)
	}
}

// TestCutSubject: 99 characters stay whole, 100 are cut to 98 and an
// ellipsis; characters count as runes, not bytes.
func TestCutSubject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, subject, want string
	}{
		{"99 characters: whole", strings.Repeat("a", 99), strings.Repeat("a", 99)},
		{"100 characters: cut", strings.Repeat("a", 100), strings.Repeat("a", 98) + "…"},
		{"99 multi-byte characters: whole", strings.Repeat("é", 99), strings.Repeat("é", 99)},
		{"short", "secadvisor: 1 red", "secadvisor: 1 red"},
	}
	for _, tt := range tests {
		if got := CutSubject(tt.subject); got != tt.want {
			t.Errorf("%s: CutSubject(%q) = %q, want %q", tt.name, tt.subject, got, tt.want)
		}
	}
}
