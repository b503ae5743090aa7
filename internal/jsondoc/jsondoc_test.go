package jsondoc

import (
	"math"
	"testing"
)

// TestMarshal: one document shows each property: two-space indent at every
// level, <, > and & as written, a final newline.
func TestMarshal(t *testing.T) {
	t.Parallel()
	doc := map[string]any{
		"criteria": "age > 90 days & <none>",
		"columns":  []string{"Region", "Reason"},
		"empty":    []string{},
	}
	want := `{
  "columns": [
    "Region",
    "Reason"
  ],
  "criteria": "age > 90 days & <none>",
  "empty": []
}
`
	got, err := Marshal(doc)
	if err != nil {
		t.Fatalf("Marshal(%v) error = %v, want none", doc, err)
	}
	if string(got) != want {
		t.Errorf("Marshal(%v) =\n%s\nwant\n%s", doc, got, want)
	}
}

func TestMarshalError(t *testing.T) {
	t.Parallel()
	if got, err := Marshal(math.NaN()); err == nil {
		t.Errorf("Marshal(NaN) = %q, want an error (JSON has no NaN)", got)
	}
}
