package cli

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/dev/emulator"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/store"
	"github.com/secadvisor/secadvisor/internal/store/storetest"
)

func TestParseSince(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	tests := []struct {
		in   string
		want time.Duration // 0: an error
	}{
		{"36h", 36 * time.Hour},
		{"90m", 90 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"1d", day},
		{"7d", 7 * day},
		{"2w", 14 * day},
		{"", 0},
		{"d", 0},
		{"w", 0},
		{"7", 0},
		{"7x", 0},
		{"0d", 0},
		{"0h", 0},
		{"-1d", 0},
		{"-36h", 0},
		{"1.5d", 0},
		{"7 d", 0},
		{"99999999999999999w", 0},
	}
	for _, tt := range tests {
		got, err := parseSince(tt.in)
		if got != tt.want || (err != nil) != (tt.want == 0) {
			t.Errorf("parseSince(%q) = %v, %v; want %v (0: an error)", tt.in, got, err, tt.want)
		}
	}
}

func TestFindingsSinceUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"findings", "--table", "t", "--since", "7x"},
		{"findings", "--table", "t", "--since", "0d"},
		{"findings", "--table", "t", "--since", "-7d"},
		{"findings", "--table", "t", "--by-account", "--since", "7d"},
	} {
		if code, _, stderr := run(t, args...); code != ExitUsage || !strings.Contains(stderr, "--since") {
			t.Errorf("secadvisor %q exit = %d (stderr %q), want %d with a message naming --since", args, code, stderr, ExitUsage)
		}
	}
}

// TestFindingsSinceOnEmulator stores findings whose status changed at
// different scan times, as store.Apply records them, and lists them with
// --since alone and with the other filters.
func TestFindingsSinceOnEmulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	server := emutest.Server(t)
	const (
		table   = "secadvisor-findings-since-test"
		account = "210987654321"
	)
	db := storetest.Table(t, emulator.Config(server.URL, emulator.DefaultAccount), table)
	selected, err := checks.Select([]string{"ebs-public-snapshots", "iam-password-policy"})
	if err != nil {
		t.Fatal(err)
	}
	snapshots, policy := selected[0].Meta, selected[1].Meta
	now := time.Now().UTC()
	apply := func(m check.Meta, region string, ago time.Duration, resources map[string]check.Status) {
		t.Helper()
		r := store.JobResult{Account: account, CheckID: m.ID, Region: region, ScanID: "test-" + ago.String(), ScanTime: now.Add(-ago)}
		for id, st := range resources {
			r.Findings = append(r.Findings, m.NewFinding(check.Target{Account: account, Region: region}, id, st, "reason", nil))
		}
		if _, err := db.Apply(ctx, r); err != nil {
			t.Fatalf("Apply %s %s %s ago: %v", m.Slug, region, ago, err)
		}
	}
	day := 24 * time.Hour
	// statusChangedAt: snap-stay and snap-green 10 days ago, snap-flip 2
	// hours ago (green until then; its item was rewritten), snap-mid 3
	// days ago, the password policy 30 minutes ago.
	apply(snapshots, "eu-west-1", 10*day, map[string]check.Status{"snap-stay": check.Red, "snap-flip": check.Green, "snap-green": check.Green})
	apply(snapshots, "us-east-1", 3*day, map[string]check.Status{"snap-mid": check.Red})
	apply(snapshots, "eu-west-1", 2*time.Hour, map[string]check.Status{"snap-stay": check.Red, "snap-flip": check.Red, "snap-green": check.Green})
	apply(policy, check.GlobalRegion, 30*time.Minute, map[string]check.Status{account: check.Yellow})

	tests := []struct {
		args []string
		want []string // resource IDs, in the table's order: by check ID (Yw2K9puPzl, the policy's, first), region, resource
	}{
		{[]string{"--since", "90m"}, []string{account}},
		{[]string{"--since", "1d"}, []string{account, "snap-flip"}},
		{[]string{"--since", "36h"}, []string{account, "snap-flip"}},
		{[]string{"--since", "4d"}, []string{account, "snap-flip", "snap-mid"}},
		{[]string{"--since", "2w"}, []string{account, "snap-flip", "snap-green", "snap-stay", "snap-mid"}},
		{nil, []string{account, "snap-flip", "snap-green", "snap-stay", "snap-mid"}},
		{[]string{"--since", "7d", "--status", "red"}, []string{"snap-flip", "snap-mid"}},
		{[]string{"--since", "2w", "--status", "green"}, []string{"snap-green"}},
		{[]string{"--since", "1d", "--region", check.GlobalRegion}, []string{account}},
		{[]string{"--since", "1w", "--check", "ebs-public-snapshots", "--account", account}, []string{"snap-flip", "snap-mid"}},
		{[]string{"--since", "1w", "--account", account, "--region", "eu-west-1"}, []string{"snap-flip"}},
		{[]string{"--since", "1m"}, nil},
	}
	for _, tt := range tests {
		args := append([]string{"findings", "--endpoint-url", server.URL, "--emulator", "--table", table, "--format", "json"}, tt.args...)
		code, out, stderr := run(t, args...)
		if code != ExitOK {
			t.Errorf("findings %q: exit %d; stderr:\n%s", tt.args, code, stderr)
			continue
		}
		var got struct {
			Findings []store.Record `json:"findings"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Errorf("findings %q: decode JSON: %v\n%s", tt.args, err, out)
			continue
		}
		var ids []string
		for _, r := range got.Findings {
			ids = append(ids, r.ResourceID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("findings %q = %q, want %q; JSON:\n%s", tt.args, ids, tt.want, out)
		}
	}

	// The table says since when, for each finding it lists.
	code, out, stderr := run(t, "findings", "--endpoint-url", server.URL, "--emulator", "--table", table, "--since", "1d")
	if flip := now.Add(-2 * time.Hour).Format(time.RFC3339); code != ExitOK || !strings.Contains(out, flip) || !strings.Contains(out, "2 findings") {
		t.Errorf("findings --since 1d: exit %d, table:\n%s\nstderr:\n%s\nwant snap-flip since %s and 2 findings", code, out, stderr, flip)
	}
}
