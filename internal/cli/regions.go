package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/secadvisor/secadvisor/internal/awsregions"
	"github.com/secadvisor/secadvisor/internal/check"
)

// regionList is the value of --regions: region names that AWS's endpoint
// metadata knows, each once, in the order given. It refuses, before any AWS
// call, what would scan the wrong thing: an unknown or mis-cased name, the
// pseudo-region "global" (global checks run once per account by
// themselves), a duplicate that would double every finding, and an empty
// value (leave the flag out to scan every enabled region).
type regionList []string

func (r *regionList) String() string { return strings.Join(*r, ",") }

func (r *regionList) Set(value string) error {
	var out []string
	for _, name := range strings.Split(value, ",") {
		name = strings.TrimSpace(name)
		switch {
		case name == "":
			return fmt.Errorf("empty region name in %q (leave --regions out to scan every enabled region)", value)
		case name == check.GlobalRegion:
			return fmt.Errorf("%q is not a region: global checks run once per account whatever the regions", name)
		case !awsregions.Known(name):
			return fmt.Errorf("unknown region %q (AWS's endpoint metadata as of %s lists no such region)", name, awsregions.AsOf())
		case slices.Contains(out, name):
			return fmt.Errorf("region %q given twice", name)
		}
		out = append(out, name)
	}
	*r = out
	return nil
}
