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
