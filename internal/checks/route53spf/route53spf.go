// Package route53spf checks that every MX record set in Route 53 hosted zones
// has a TXT or SPF record set with a valid SPF value. Without SPF, anyone can
// send mail that claims to come from the domain.
//
// The specification's description says Trusted Advisor turns green "as long
// as each MX resource record set has at least one SPF or TXT record", but its
// alert criterion asks for a TXT or SPF record "that contains a valid SPF
// value". This check follows the alert criterion: a TXT record that is not
// an SPF policy (a site verification token, say) does not stop spoofing.
package route53spf

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/spec"
)

// Meta describes the check: its name, description, criteria,
// recommended action and columns are the specification's (spec.Meta).
var Meta = spec.Meta("c9D319e7sG", check.Meta{
	Slug:       "route53-mx-spf",
	IAMActions: []string{"route53:ListHostedZones", "route53:ListResourceRecordSets"},
	Scope:      check.Global,
	BeyondSpec: "Green needs a TXT or SPF record whose value starts with \"v=spf1\" (the alert criterion), not just any TXT record (the description). " +
		"Private hosted zones are skipped: receiving mail servers on the internet never see them, so SPF there cannot stop spoofing. " +
		"A TXT or SPF alias record is followed to its target in the same zone.",
	// Triggers: changing record sets or deleting a hosted zone can add or
	// remove an MX record set or its SPF record; a new zone has no MX record,
	// so it waits for the schedule.
	Triggers: []check.Trigger{
		{Source: "route53.amazonaws.com", Names: []string{"ChangeResourceRecordSets", "DeleteHostedZone"}},
	},
})

// Check is the catalog entry.
var Check = check.New(Meta, collectFrom, evaluate)

// API is the part of the Route 53 client the check calls.
type API interface {
	route53.ListHostedZonesAPIClient
	route53.ListResourceRecordSetsAPIClient
}

var _ API = (*route53.Client)(nil)

// Largest pages the APIs return.
const (
	zonesPageSize   = 100
	recordsPageSize = 300
)

// collectFrom collects for target with a Route 53 client of its account.
func collectFrom(ctx context.Context, target check.Target) ([]Zone, error) {
	return collect(ctx, route53.NewFromConfig(target.Config))
}

// Zone is one public hosted zone and what the check needs of its records.
type Zone struct {
	ID   string
	Name string
	// Records are the zone's MX, TXT and SPF record sets.
	Records []types.ResourceRecordSet
	// Err is set when the zone's records could not be listed.
	Err error
}

// collect lists the public hosted zones and, for each, its MX, TXT and SPF
// record sets. A zone whose records cannot be listed carries the error, so
// the other zones are still judged.
func collect(ctx context.Context, api API) ([]Zone, error) {
	var zones []Zone
	pages := route53.NewListHostedZonesPaginator(api, &route53.ListHostedZonesInput{MaxItems: aws.Int32(zonesPageSize)},
		func(o *route53.ListHostedZonesPaginatorOptions) { o.StopOnDuplicateToken = true })
	hostedZones, err := awsx.AllPages(ctx, pages, func(p *route53.ListHostedZonesOutput) []types.HostedZone { return p.HostedZones })
	if err != nil {
		return nil, check.WrapOp("route53 ListHostedZones", err)
	}
	for _, hz := range hostedZones {
		if hz.Config != nil && hz.Config.PrivateZone {
			continue
		}
		zones = append(zones, Zone{ID: strings.TrimPrefix(aws.ToString(hz.Id), "/hostedzone/"), Name: aws.ToString(hz.Name)})
	}
	for i := range zones {
		zones[i].Records, zones[i].Err = listMailRecords(ctx, api, zones[i].ID)
	}
	return zones, nil
}

func listMailRecords(ctx context.Context, api API, zoneID string) ([]types.ResourceRecordSet, error) {
	var out []types.ResourceRecordSet
	pages := route53.NewListResourceRecordSetsPaginator(api,
		&route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID), MaxItems: aws.Int32(recordsPageSize)},
		func(o *route53.ListResourceRecordSetsPaginatorOptions) { o.StopOnDuplicateToken = true })
	// Filter page by page: a large zone's other records are never kept.
	err := awsx.EachPage(ctx, pages, func(page *route53.ListResourceRecordSetsOutput) error {
		for _, rs := range page.ResourceRecordSets {
			switch rs.Type {
			case types.RRTypeMx, types.RRTypeTxt, types.RRTypeSpf:
				out = append(out, rs)
			}
		}
		return nil
	})
	if err != nil {
		return nil, check.WrapOp("route53 ListResourceRecordSets", err)
	}
	return out, nil
}

// evaluate reports each MX record set name of each zone: green when a TXT or
// SPF record set at the same name holds a value starting with "v=spf1",
// yellow otherwise. Several MX record sets at one name (routing policies)
// make one finding.
func evaluate(target check.Target, zones []Zone) []check.Finding {
	var findings []check.Finding
	for _, z := range zones {
		if z.Err != nil {
			findings = append(findings, Meta.ErrorFinding(target, z.ID, cmp.Or(check.OpOf(z.Err), "route53 ListResourceRecordSets"), z.Err))
			continue
		}
		mx := map[string]bool{}
		spf := map[string]string{} // record name → an SPF value found there
		byName := map[string][]types.ResourceRecordSet{}
		for _, rs := range z.Records {
			name := normalizeName(aws.ToString(rs.Name))
			if rs.Type == types.RRTypeMx {
				mx[name] = true
				continue
			}
			byName[name] = append(byName[name], rs)
		}
		for name, sets := range byName {
			if v, ok := spfValue(sets, byName); ok {
				spf[name] = v
			}
		}
		for _, name := range slices.Sorted(maps.Keys(mx)) {
			columns := map[string]string{"Hosted Zone Name": z.Name, "Hosted Zone ID": z.ID, "Resource Record Set Name": name}
			id := z.ID + "/" + name
			if v, ok := spf[name]; ok {
				findings = append(findings, Meta.NewFinding(target, id, check.Green,
					"The MX record set has a TXT or SPF record with a valid SPF value: "+quoteShort(v)+".", columns))
				continue
			}
			findings = append(findings, Meta.NewFinding(target, id, check.Yellow,
				"The MX record set doesn’t have a TXT or SPF resource record that contains a valid SPF value (one starting with \"v=spf1\").", columns))
		}
	}
	return findings
}

// spfValue returns the first SPF value among the TXT and SPF record sets
// sets. An alias record set is followed to its target in the same zone
// (byName), one step, as Route 53 allows aliases only to records of the same
// type in the same zone for these types.
func spfValue(sets []types.ResourceRecordSet, byName map[string][]types.ResourceRecordSet) (string, bool) {
	for _, rs := range sets {
		for _, rr := range rs.ResourceRecords {
			if v := JoinTXT(aws.ToString(rr.Value)); IsSPF(v) {
				return v, true
			}
		}
		if rs.AliasTarget == nil {
			continue
		}
		for _, target := range byName[normalizeName(aws.ToString(rs.AliasTarget.DNSName))] {
			if target.Type != rs.Type || target.AliasTarget != nil {
				continue
			}
			for _, rr := range target.ResourceRecords {
				if v := JoinTXT(aws.ToString(rr.Value)); IsSPF(v) {
					return v, true
				}
			}
		}
	}
	return "", false
}

// JoinTXT turns a TXT or SPF record value as Route 53 returns it — one or
// more quoted character strings, e.g. `"v=spf1 " "include:_spf.example.com
// ~all"` — into the text a mail server reads: the strings concatenated with
// nothing between them (RFC 7208 §3.3). Inside quotes, `\"` and `\\` stand
// for the character and `\DDD` (three octal digits, as Route 53 writes them)
// for a byte. Outside quotes, blanks separate strings, as in a zone file,
// so an unquoted "v=spf1 -all" reads "v=spf1-all", which is what resolvers
// would serve.
func JoinTXT(value string) string {
	var b strings.Builder
	inQuotes := false
	for i := 0; i < len(value); i++ {
		c := value[i]
		switch {
		case c == '"':
			inQuotes = !inQuotes
		case c == '\\' && i+3 < len(value) && isOctal(value[i+1]) && isOctal(value[i+2]) && isOctal(value[i+3]):
			n := int(value[i+1]-'0')<<6 | int(value[i+2]-'0')<<3 | int(value[i+3]-'0')
			if n > 0xff {
				b.WriteString(value[i : i+4])
			} else {
				b.WriteByte(byte(n))
			}
			i += 3
		case c == '\\' && i+1 < len(value):
			i++
			b.WriteByte(value[i])
		case !inQuotes && (c == ' ' || c == '\t'):
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// IsSPF reports whether text is an SPF record: "v=spf1" in any case,
// followed by a space or nothing (RFC 7208 §4.5; "v=spf10" is not SPF).
func IsSPF(text string) bool {
	const version = "v=spf1"
	if len(text) < len(version) || !strings.EqualFold(text[:len(version)], version) {
		return false
	}
	return len(text) == len(version) || text[len(version)] == ' '
}

// normalizeName compares record names as DNS does: case-insensitively,
// with the trailing dot Route 53 always returns.
func normalizeName(name string) string {
	name = strings.ToLower(name)
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	return name
}

func quoteShort(v string) string {
	const max = 120
	if len(v) > max {
		v = v[:max] + "…"
	}
	return `"` + v + `"`
}
