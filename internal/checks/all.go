// Package checks is the catalog: the explicit list of every check, in the
// order of the Trusted Advisor specification. Adding a check is one package
// and one entry in All() (with its import); the CLI, the IAM policy, the CDK
// stack, the Lambda bootstraps and the generated documents (make docs)
// derive from this list. See README.md here.
package checks

import (
	"github.com/secadvisor/secadvisor/internal/catalog"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks/cloudfrontiamcertificates"
	"github.com/secadvisor/secadvisor/internal/checks/cloudfrontorigincertificates"
	"github.com/secadvisor/secadvisor/internal/checks/cloudtraillogging"
	"github.com/secadvisor/secadvisor/internal/checks/ebspublicsnapshots"
	"github.com/secadvisor/secadvisor/internal/checks/elblistenersecurity"
	"github.com/secadvisor/secadvisor/internal/checks/elbsecuritygroups"
	"github.com/secadvisor/secadvisor/internal/checks/exposedaccesskeys"
	"github.com/secadvisor/secadvisor/internal/checks/iamaccesskeyrotation"
	"github.com/secadvisor/secadvisor/internal/checks/iampasswordpolicy"
	"github.com/secadvisor/secadvisor/internal/checks/iamuse"
	"github.com/secadvisor/secadvisor/internal/checks/lambdaruntimes"
	"github.com/secadvisor/secadvisor/internal/checks/rdspublicsnapshots"
	"github.com/secadvisor/secadvisor/internal/checks/rdssecuritygroups"
	"github.com/secadvisor/secadvisor/internal/checks/rootmfa"
	"github.com/secadvisor/secadvisor/internal/checks/route53spf"
	"github.com/secadvisor/secadvisor/internal/checks/s3bucketpermissions"
	"github.com/secadvisor/secadvisor/internal/checks/securitygroupports"
	"github.com/secadvisor/secadvisor/internal/checks/securitygroupunrestricted"
	"github.com/secadvisor/secadvisor/internal/checks/sqlserverendofsupport"
	"github.com/secadvisor/secadvisor/internal/checks/wellarchitected"
)

// All returns every check of the specification, in its order.
func All() []check.Check {
	return []check.Check{
		sqlserverendofsupport.Check,
		ebspublicsnapshots.Check,
		rdspublicsnapshots.Check,
		rdssecuritygroups.Check,
		route53spf.Check,
		s3bucketpermissions.Check,
		cloudtraillogging.Check,
		lambdaruntimes.Check,
		wellarchitected.Check,
		cloudfrontiamcertificates.Check,
		cloudfrontorigincertificates.Check,
		elblistenersecurity.Check,
		elbsecuritygroups.Check,
		exposedaccesskeys.Check,
		iamaccesskeyrotation.Check,
		iampasswordpolicy.Check,
		iamuse.Check,
		rootmfa.Check,
		securitygroupports.Check,
		securitygroupunrestricted.Check,
	}
}

// Select returns the catalog entries named by IDs or slugs (case-sensitive
// IDs, case-insensitive slugs), in catalog order. No names selects all.
func Select(names []string) ([]check.Check, error) {
	return SelectFrom(All(), names)
}

// SelectFrom is Select over another list of checks.
func SelectFrom(all []check.Check, names []string) ([]check.Check, error) {
	return catalog.Select(all, func(c check.Check) (string, string) { return c.Meta.ID, c.Meta.Slug }, names)
}

// Datasets returns the data files that age which the given checks judge by,
// each once, in catalog order.
func Datasets(all []check.Check) []check.Dataset {
	var out []check.Dataset
	seen := map[check.Dataset]bool{}
	for _, c := range all {
		for _, d := range c.Meta.Data {
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	return out
}
