package datafile

import (
	"strings"
	"testing"
	"time"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	type file struct {
		AsOf string `json:"asOf"`
	}
	tests := []struct {
		raw, wantErr string
	}{
		{`{"asOf": "2026-12-01"}`, ""},
		{`{"asOf": "2026-12-01", "asOff": "x"}`, "unknown field"},
		{`{"asOf": "2026-12-01"} {}`, "after the first JSON value"},
		{`{"asOf": `, "unexpected EOF"},
	}
	for _, tt := range tests {
		var f file
		err := Decode("test data", []byte(tt.raw), &f)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("Decode(%s) = %v, want no error", tt.raw, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("Decode(%s) = %v, want an error containing %q", tt.raw, err, tt.wantErr)
		}
	}
}

func TestAsOfAndOrUnknown(t *testing.T) {
	t.Parallel()
	if got, err := AsOf("d", "2026-12-01"); err != nil || !got.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("AsOf(2026-12-01) = %v, %v", got, err)
	}
	if _, err := AsOf("d", "01/12/2026"); err == nil {
		t.Error("AsOf(01/12/2026): want an error")
	}
	if got := OrUnknown("2026-12-01", nil); got != "2026-12-01" {
		t.Errorf("OrUnknown(value, nil) = %q", got)
	}
	if got := OrUnknown("", errBroken{}); got != "unknown (broken)" {
		t.Errorf("OrUnknown(err) = %q, want unknown (broken)", got)
	}
}

func TestDataset(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		err                  error
		wantSource, wantAsOf string
	}{
		{nil, "the docs", "2026-12-01"},
		{errBroken{}, "unknown (broken)", "unknown (broken)"},
	}
	for _, tt := range tests {
		got := Dataset("table", "the docs", day, tt.err)
		if got.Name != "table" || got.Source != tt.wantSource || got.AsOf != tt.wantAsOf {
			t.Errorf("Dataset(table, the docs, 2026-12-01, %v) = %+v, want source %q, asOf %q", tt.err, got, tt.wantSource, tt.wantAsOf)
		}
	}
}

type errBroken struct{}

func (errBroken) Error() string { return "broken" }

// TestRead: a data file with a header decodes strictly, and its header must
// name a source and a dated asOf; the rows stay the caller's to check.
func TestRead(t *testing.T) {
	t.Parallel()
	type file struct {
		Header
		Rows []string `json:"rows"`
	}
	tests := []struct {
		name, raw, wantErr string
	}{
		{"complete", `{"source": "https://example.com/list", "asOf": "2026-11-30", "rows": ["a"]}`, ""},
		{"cross-checked and notes", `{"source": "s", "asOf": "2026-11-30", "crossChecked": ["t"], "notes": ["n"], "rows": []}`, ""},
		{"no source", `{"asOf": "2026-11-30", "rows": []}`, "source is required"},
		{"asOf not a date", `{"source": "s", "asOf": "last week", "rows": []}`, "asOf"},
		{"no asOf", `{"source": "s", "rows": []}`, "asOf"},
		{"unknown field beside the header", `{"source": "s", "asOf": "2026-11-30", "sourceURL": "x"}`, "sourceURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f file
			asOf, err := Read("test.json", []byte(tt.raw), &f)
			if tt.wantErr == "" {
				if err != nil || !asOf.Equal(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)) {
					t.Fatalf("Read = %v, %v; want 2026-11-30, no error", asOf, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "test.json") {
				t.Errorf("Read error = %v, want one naming test.json and containing %q", err, tt.wantErr)
			}
		})
	}
}
