package docgen

import (
	"strings"
	"testing"
)

func TestReplaceTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, readme, want, wantErr string
	}{
		{"replaced, hand-written text kept", "intro\n<!-- checks:begin (old note) -->\nold table\n<!-- checks:end -->\nafter\n",
			"intro\n" + beginLine + "\nnew table\n<!-- checks:end -->\nafter\n", ""},
		{"no markers", "intro\n", "", "no check table"},
		{"end before begin", "<!-- checks:end -->\n<!-- checks:begin -->\n", "", "no check table"},
	}
	for _, tt := range tests {
		got, err := replaceTable(tt.readme, "new table\n")
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error = %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: replaceTable = %q, %v;\nwant %q", tt.name, got, err, tt.want)
		}
	}
}
