package checks

import (
	"maps"
	"slices"

	"github.com/secadvisor/secadvisor/internal/check"
)

// PolicyDocument is an IAM policy document.
type PolicyDocument struct {
	Version   string            `json:"Version"`
	Statement []PolicyStatement `json:"Statement"`
}

// PolicyStatement is one statement of a PolicyDocument.
type PolicyStatement struct {
	Sid      string   `json:"Sid"`
	Effect   string   `json:"Effect"`
	Action   []string `json:"Action"`
	Resource string   `json:"Resource"`
}

// ReadOnlyPolicy returns the least-privilege policy that lets the implemented
// checks among cs run, plus the extra actions (the engine's own discovery).
// Only the actions the checks declare are granted: the scanner reads, never writes.
func ReadOnlyPolicy(cs []check.Check, extra ...string) PolicyDocument {
	set := map[string]bool{}
	for _, a := range extra {
		set[a] = true
	}
	for _, c := range cs {
		if !c.Implemented() {
			continue
		}
		for _, a := range c.Meta.IAMActions {
			set[a] = true
		}
	}
	actions := slices.Sorted(maps.Keys(set))
	return PolicyDocument{
		Version: "2012-10-17",
		Statement: []PolicyStatement{{
			Sid:      "SecadvisorReadOnlyChecks",
			Effect:   "Allow",
			Action:   actions,
			Resource: "*",
		}},
	}
}
