package pipeline

import (
	"strings"
	"testing"
	"time"
)

func TestJobRoundTrip(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"", "Production (EU) – team@example.com"} {
		j := JobMessage{Version: JobVersion, ScanID: "scan-1", ScanTime: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC), CheckID: "ePs02jT06w",
			Account: "123456789012", AccountName: name, Region: "eu-west-1"}
		got, err := DecodeJobMessage(j.Encode())
		if err != nil || got != j {
			t.Errorf("DecodeJobMessage(Encode(%+v)) = %+v, %v", j, got, err)
		}
	}
}

func TestDecodeJobRejects(t *testing.T) {
	t.Parallel()
	valid := `{"v":1,"scanId":"s","scanTime":"2026-11-28T12:00:00Z","checkId":"ePs02jT06w","account":"123456789012","region":"eu-west-1"}`
	if _, err := DecodeJobMessage(valid); err != nil {
		t.Fatalf("valid job rejected: %v", err)
	}
	tests := []struct{ name, body, want string }{
		{"empty", "", "not a job"},
		{"not json", "hello", "not a job"},
		{"truncated", valid[:40], "not a job"},
		{"array", "[1,2]", "not a job"},
		{"wrong type", strings.Replace(valid, `"v":1`, `"v":"1"`, 1), "not a job"},
		{"unknown field", strings.Replace(valid, `"v":1`, `"v":1,"extra":true`, 1), "not a job"},
		{"trailing data", valid + `{}`, "after the job"},
		{"other version", strings.Replace(valid, `"v":1`, `"v":2`, 1), "version"},
		{"no scan time", strings.Replace(valid, `"scanTime":"2026-11-28T12:00:00Z",`, ``, 1), "scanTime"},
		{"bad account", strings.Replace(valid, `123456789012`, `12345`, 1), "account"},
		{"bad region", strings.Replace(valid, `eu-west-1`, `Mars`, 1), "region"},
		{"bad check", strings.Replace(valid, `ePs02jT06w`, `../../etc`, 1), "checkId"},
		{"line break in account name", strings.Replace(valid, `"account":`, `"accountName":"prod\nBcc: x","account":`, 1), "account name"},
		{"long account name", strings.Replace(valid, `"account":`, `"accountName":"`+strings.Repeat("n", 257)+`","account":`, 1), "account name"},
		{"oversized", `{"v":1,"scanId":"` + strings.Repeat("x", MaxJobBytes) + `"}`, "bytes"},
	}
	for _, tt := range tests {
		_, err := DecodeJobMessage(tt.body)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("DecodeJobMessage(%s) error = %v, want one mentioning %q", tt.name, err, tt.want)
		}
	}
	global := strings.Replace(valid, `eu-west-1`, `global`, 1)
	if _, err := DecodeJobMessage(global); err != nil {
		t.Errorf("DecodeJobMessage(global region) = %v, want ok", err)
	}
}

func FuzzDecodeJob(f *testing.F) {
	f.Add(`{"v":1,"scanId":"s","scanTime":"2026-11-28T12:00:00Z","checkId":"ePs02jT06w","account":"123456789012","region":"eu-west-1"}`)
	f.Add(`{"v":1}`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, body string) {
		j, err := DecodeJobMessage(body)
		if err != nil {
			return
		}
		// Whatever decodes must survive a round trip unchanged.
		again, err := DecodeJobMessage(j.Encode())
		if err != nil || !again.ScanTime.Equal(j.ScanTime) || again.CheckID != j.CheckID || again.Account != j.Account || again.Region != j.Region {
			t.Errorf("round trip of %q: %+v, %v; want %+v", body, again, err, j)
		}
	})
}
