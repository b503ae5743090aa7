package scan

import (
	"context"
	"slices"
	"testing"

	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
)

func TestDiscoveryOnEmulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, _ := emutest.Config(t)
	regions, err := EnabledRegions(ctx, cfg)
	if err != nil {
		t.Fatalf("EnabledRegions: %v", err)
	}
	for _, want := range []string{"us-east-1", "eu-west-1"} {
		if !slices.Contains(regions, want) {
			t.Errorf("EnabledRegions = %q, want it to include %s", regions, want)
		}
	}
	if !slices.IsSorted(regions) {
		t.Errorf("EnabledRegions = %q, want sorted", regions)
	}
}

func TestDiscoveryAccessDenied(t *testing.T) {
	t.Parallel()
	cfg, _ := emutest.Config(t)
	denied := emutest.Deny(cfg, "DescribeRegions")
	if _, err := EnabledRegions(context.Background(), denied); err == nil {
		t.Error("EnabledRegions with DescribeRegions denied: want an error")
	}
}
