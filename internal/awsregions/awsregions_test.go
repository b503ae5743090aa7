package awsregions

import (
	"strings"
	"testing"
)

func TestData(t *testing.T) {
	t.Parallel()
	if dataErr != nil {
		t.Fatalf("regions.json: %v", dataErr)
	}
	if !strings.Contains(Source(), "botocore/data/endpoints.json") || AsOf() != "2026-12-01" {
		t.Errorf("Source() = %q, AsOf() = %q, want botocore's endpoints.json read 2026-12-01", Source(), AsOf())
	}
	ids := map[string]bool{}
	for _, p := range Partitions() {
		ids[p.ID] = true
		if len(p.Regions) == 0 {
			t.Errorf("partition %s has no regions", p.ID)
		}
	}
	for _, want := range []string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b"} {
		if !ids[want] {
			t.Errorf("Partitions() lacks %s", want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw, wantErr string
	}{
		{"not JSON", `{`, "parse regions.json"},
		{"no source", `{"asOf":"2026-12-01"}`, "no source"},
		{"bad asOf", `{"source":"s","asOf":"December"}`, "asOf"},
		{"bad pattern", `{"source":"s","asOf":"2026-12-01","partitions":[{"id":"aws","regionRegex":"(","regions":["us-east-1"]}]}`, "partition aws"},
		{"service in unknown partition", `{"source":"s","asOf":"2026-12-01","partitions":[{"id":"aws","regionRegex":"^us-\\w+-\\d+$","regions":["us-east-1"]}],
			"services":{"health":{"aws-cn":{"regions":[],"globalRegion":"cn-northwest-1"}}}}`, "unknown partition aws-cn"},
		{"service region outside its partition", `{"source":"s","asOf":"2026-12-01","partitions":[{"id":"aws","regionRegex":"^us-\\w+-\\d+$","regions":["us-east-1"]}],
			"services":{"health":{"aws":{"regions":["us-east-2"]}}}}`, "region us-east-2 is not in partition aws"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parse([]byte(tt.raw))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parse(%s) error = %v, want one containing %q", tt.raw, err, tt.wantErr)
			}
		})
	}
}

func TestPartitionOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		region    string
		want      string
		wantOK    bool
		wantKnown bool
	}{
		{"us-east-1", "aws", true, true},
		{"eu-west-1", "aws", true, true},
		{"ap-northeast-3", "aws", true, true},
		{"cn-north-1", "aws-cn", true, true},
		{"cn-northwest-1", "aws-cn", true, true},
		{"us-gov-west-1", "aws-us-gov", true, true},
		{"us-iso-east-1", "aws-iso", true, true},
		{"us-isob-east-1", "aws-iso-b", true, true},
		// Newer than the data: the partition follows from the name's pattern,
		// but the data does not speak for the region.
		{"eu-south-9", "aws", true, false},
		{"cn-south-7", "aws-cn", true, false},
		{"us-gov-central-3", "aws-us-gov", true, false},
		{"moon-base-1", "", false, false},
		{"", "", false, false},
	}
	for _, tt := range tests {
		p, ok := PartitionOf(tt.region)
		if p.ID != tt.want || ok != tt.wantOK {
			t.Errorf("PartitionOf(%q) = %q, %v; want %q, %v", tt.region, p.ID, ok, tt.want, tt.wantOK)
		}
		if got := Known(tt.region); got != tt.wantKnown {
			t.Errorf("Known(%q) = %v, want %v", tt.region, got, tt.wantKnown)
		}
	}
}

func TestServiceAvailable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		service, region string
		wantAvailable   bool
		wantKnown       bool
	}{
		{"wellarchitected", "us-east-1", true, true},
		{"wellarchitected", "eu-west-1", true, true},
		{"wellarchitected", "us-gov-west-1", true, true},
		// No endpoint in Osaka nor in several opt-in regions.
		{"wellarchitected", "ap-northeast-3", false, true},
		{"wellarchitected", "ap-southeast-3", false, true},
		{"wellarchitected", "il-central-1", false, true},
		// Not offered in the China partition at all.
		{"wellarchitected", "cn-north-1", false, true},
		// A region the data does not list: the data cannot say, ask AWS.
		{"wellarchitected", "eu-south-9", false, false},
		{"wellarchitected", "moon-base-1", false, false},
		// A service the data does not carry.
		{"ec2", "us-east-1", false, false},
		// AWS Health's partition-wide endpoint serves every region of its partition.
		{"health", "ap-northeast-3", true, true},
		{"health", "cn-north-1", true, true},
	}
	for _, tt := range tests {
		available, known := ServiceAvailable(tt.service, tt.region)
		if available != tt.wantAvailable || known != tt.wantKnown {
			t.Errorf("ServiceAvailable(%q, %q) = %v, %v; want %v, %v", tt.service, tt.region, available, known, tt.wantAvailable, tt.wantKnown)
		}
	}
}

func TestGlobalRegion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		service, partition string
		want               string
		wantOK             bool
	}{
		{"health", "aws", "us-east-1", true},
		{"health", "aws-cn", "cn-northwest-1", true},
		{"health", "aws-us-gov", "us-gov-west-1", true},
		// Health in aws-iso has only a regional endpoint (us-iso-east-1).
		{"health", "aws-iso", "", false},
		{"health", "no-such-partition", "", false},
		// Well-Architected is regional: no partition-wide endpoint.
		{"wellarchitected", "aws", "", false},
	}
	for _, tt := range tests {
		got, ok := GlobalRegion(tt.service, tt.partition)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("GlobalRegion(%q, %q) = %q, %v; want %q, %v", tt.service, tt.partition, got, ok, tt.want, tt.wantOK)
		}
	}
}
