// Package route53spf checks that every MX record set in Route 53 hosted zones
// has a TXT or SPF record set with a valid SPF value. Without SPF, anyone can
// send mail that claims to come from the domain.
package route53spf

import "github.com/secadvisor/secadvisor/internal/check"

// Meta describes the check, from the specification.
var Meta = check.Meta{
	ID:          "c9D319e7sG",
	Slug:        "route53-mx-spf",
	Name:        "Amazon Route 53 MX Resource Record Sets and Sender Policy Framework",
	Description: "For each MX resource record set, checks that the TXT or SPF resource record set contains a valid SPF record. The record must start with \"v=spf1\". The SPF record specifies the servers that are authorized to send email for your domain, which helps detect and stop email address spoofing and to reduce spam. Route 53 recommends that you use a TXT record instead of an SPF record. Trusted Advisor reports this check as green as long as each MX resource record set has at least one SPF or TXT record.",
	Criteria: []check.Criterion{
		{Status: check.Yellow, Text: "An MX resource record set doesn’t have a TXT or SPF resource record that contains a valid SPF value."},
	},
	RecommendedAction: "For each MX resource record set, create a TXT resource record set that contains a valid SPF value. For more information, see Sender Policy Framework: SPF Record Syntax and Creating Resource Record Sets By Using the Amazon Route 53 Console.",
	Columns:           []string{"Hosted Zone Name", "Hosted Zone ID", "Resource Record Set Name", "Status"},
	IAMActions:        []string{"route53:ListHostedZones", "route53:ListResourceRecordSets"},
	Scope:             check.Global,
}

// Check is the catalog entry. Not implemented yet (issue 6): the scanner reports it as "not implemented", never as green.
var Check = check.Check{Meta: Meta}
