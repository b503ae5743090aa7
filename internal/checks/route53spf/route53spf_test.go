package route53spf

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
)

func TestJoinTXT(t *testing.T) {
	t.Parallel()
	tests := []struct{ value, want string }{
		{`"v=spf1 -all"`, "v=spf1 -all"},
		{`"v=spf1 " "include:_spf.example.com ~all"`, "v=spf1 include:_spf.example.com ~all"},
		{`"v=spf1" " -all"`, "v=spf1 -all"},
		{`"say \"hi\""`, `say "hi"`},
		{`"back\\slash"`, `back\slash`},
		{`"semi\073colon"`, "semi;colon"},
		{`"\777"`, `\777`}, // not a byte: kept as written
		{`v=spf1`, "v=spf1"},
		{`v=spf1 -all`, "v=spf1-all"}, // unquoted: two strings, as a zone file reads them
		{`""`, ""},
		{`"unterminated`, "unterminated"},
		{`"trailing\`, `trailing\`},
	}
	for _, tt := range tests {
		if got := JoinTXT(tt.value); got != tt.want {
			t.Errorf("JoinTXT(%s) = %q, want %q", tt.value, got, tt.want)
		}
	}
}

func TestIsSPF(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want bool
	}{
		{"v=spf1 -all", true},
		{"v=spf1", true},
		{"V=SPF1 include:_spf.example.com ~all", true},
		{"v=spf10 -all", false},
		{"v=spf1-all", false},
		{" v=spf1 -all", false},
		{"spf1 -all", false},
		{"google-site-verification=abc", false},
		{"v=DMARC1; p=reject", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsSPF(tt.text); got != tt.want {
			t.Errorf("IsSPF(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

// FuzzJoinTXT runs the record value parser on arbitrary values (seed corpus
// in testdata/fuzz/FuzzJoinTXT plus the cases below): it must not panic, a
// single quoted string of plain characters must come back unchanged, and the
// result is never longer than the value.
func FuzzJoinTXT(f *testing.F) {
	for _, seed := range []string{`"v=spf1 -all"`, `"v=spf1 " "include:x ~all"`, `"\"\\\073"`, `\`, `"\12`, `v=spf1 a mx`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		got := JoinTXT(value)
		if len(got) > len(value) {
			t.Fatalf("JoinTXT(%q) = %q, longer than the value", value, got)
		}
		if !strings.ContainsAny(value, `"\`) {
			plain := strings.Join(strings.Fields(strings.ReplaceAll(value, "\t", " ")), "")
			if strings.ContainsAny(value, "\n\r\v\f\u0085\u00a0") {
				return // only blanks separate strings; other white space is kept
			}
			if got != plain {
				t.Fatalf("JoinTXT(%q) = %q, want %q", value, got, plain)
			}
			if quoted := JoinTXT(`"` + value + `"`); quoted != value {
				t.Fatalf("JoinTXT(quoted %q) = %q, want the text unchanged", value, quoted)
			}
		}
		_ = IsSPF(got)
	})
}

func recordSet(name string, typ types.RRType, values ...string) types.ResourceRecordSet {
	rs := types.ResourceRecordSet{Name: aws.String(name), Type: typ, TTL: aws.Int64(300)}
	for _, v := range values {
		rs.ResourceRecords = append(rs.ResourceRecords, types.ResourceRecord{Value: aws.String(v)})
	}
	return rs
}

// weighted returns rs as one record set of a weighted routing policy.
func weighted(rs types.ResourceRecordSet, id string) types.ResourceRecordSet {
	rs.SetIdentifier, rs.Weight = aws.String(id), aws.Int64(1)
	return rs
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	mx := recordSet("example.com.", types.RRTypeMx, "10 mail.example.com.")
	tests := []struct {
		name    string
		records []types.ResourceRecordSet
		want    map[string]check.Status // resource ID → status
	}{
		{"no MX: nothing to evaluate", []types.ResourceRecordSet{recordSet("example.com.", types.RRTypeTxt, `"v=spf1 -all"`)}, map[string]check.Status{}},
		{"MX without TXT", []types.ResourceRecordSet{mx}, map[string]check.Status{"Z1/example.com.": check.Yellow}},
		{"MX with TXT SPF", []types.ResourceRecordSet{mx, recordSet("example.com.", types.RRTypeTxt, `"v=spf1 include:_spf.example.com ~all"`)},
			map[string]check.Status{"Z1/example.com.": check.Green}},
		{"MX with SPF split over strings", []types.ResourceRecordSet{mx, recordSet("example.com.", types.RRTypeTxt, `"v=spf1 " "include:_spf.example.com ~all"`)},
			map[string]check.Status{"Z1/example.com.": check.Green}},
		{"MX with SPF among other TXT values", []types.ResourceRecordSet{mx, recordSet("example.com.", types.RRTypeTxt, `"google-site-verification=abc"`, `"v=spf1 mx -all"`)},
			map[string]check.Status{"Z1/example.com.": check.Green}},
		{"MX with SPF-type record", []types.ResourceRecordSet{mx, recordSet("example.com.", types.RRTypeSpf, `"v=spf1 mx -all"`)},
			map[string]check.Status{"Z1/example.com.": check.Green}},
		{"upper-case version tag", []types.ResourceRecordSet{mx, recordSet("example.com.", types.RRTypeTxt, `"V=SPF1 -all"`)},
			map[string]check.Status{"Z1/example.com.": check.Green}},
		// The description would call this green (a TXT record exists); the alert criterion does not.
		{"MX with a TXT record that is not SPF", []types.ResourceRecordSet{mx, recordSet("example.com.", types.RRTypeTxt, `"google-site-verification=abc"`)},
			map[string]check.Status{"Z1/example.com.": check.Yellow}},
		{"v=spf10 is not SPF", []types.ResourceRecordSet{mx, recordSet("example.com.", types.RRTypeTxt, `"v=spf10 -all"`)},
			map[string]check.Status{"Z1/example.com.": check.Yellow}},
		{"SPF at another name", []types.ResourceRecordSet{mx, recordSet("www.example.com.", types.RRTypeTxt, `"v=spf1 -all"`)},
			map[string]check.Status{"Z1/example.com.": check.Yellow}},
		{"names compare case-insensitively", []types.ResourceRecordSet{recordSet("Mail.Example.com.", types.RRTypeMx, "10 mx."), recordSet("mail.example.com.", types.RRTypeTxt, `"v=spf1 -all"`)},
			map[string]check.Status{"Z1/mail.example.com.": check.Green}},
		{"two MX sets at one name (weighted) make one finding", []types.ResourceRecordSet{
			weighted(mx, "a"), weighted(mx, "b"),
		}, map[string]check.Status{"Z1/example.com.": check.Yellow}},
		{"TXT alias to an SPF record in the zone", []types.ResourceRecordSet{mx,
			{Name: aws.String("example.com."), Type: types.RRTypeTxt, AliasTarget: &types.AliasTarget{DNSName: aws.String("spf.example.com."), HostedZoneId: aws.String("Z1")}},
			recordSet("spf.example.com.", types.RRTypeTxt, `"v=spf1 -all"`)},
			map[string]check.Status{"Z1/example.com.": check.Green}},
		{"two MX names, one with SPF", []types.ResourceRecordSet{mx, recordSet("example.com.", types.RRTypeTxt, `"v=spf1 -all"`), recordSet("eu.example.com.", types.RRTypeMx, "10 mx.")},
			map[string]check.Status{"Z1/example.com.": check.Green, "Z1/eu.example.com.": check.Yellow}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := evaluate(checktest.Target(check.GlobalRegion), []Zone{{ID: "Z1", Name: "example.com.", Records: tt.records}})
			checktest.ColumnsWithin(t, Meta, got)
			checktest.WantStatuses(t, fmt.Sprintf("evaluate(%v)", tt.records), got, tt.want)
			for _, f := range got {
				if f.Columns["Hosted Zone ID"] != "Z1" || f.Columns["Hosted Zone Name"] != "example.com." || !strings.HasSuffix(f.ResourceID, "/"+f.Columns["Resource Record Set Name"]) {
					t.Errorf("evaluate(%v) %s columns = %v, want zone and record set", tt.records, f.ResourceID, f.Columns)
				}
			}
		})
	}
}

func TestEvaluateZoneErrorIsAnErrorFinding(t *testing.T) {
	t.Parallel()
	err := check.WrapOp("route53 ListResourceRecordSets", &smithy.GenericAPIError{Code: "Throttling", Message: "slow down"})
	got := evaluate(checktest.Target(check.GlobalRegion), []Zone{{ID: "Z1", Name: "example.com.", Err: err},
		{ID: "Z2", Name: "example.org.", Records: []types.ResourceRecordSet{recordSet("example.org.", types.RRTypeMx, "10 mx.")}}})
	byID := checktest.ByResource(got)
	if f := byID["Z1"]; f.Status != check.Error || !strings.Contains(f.Reason, "route53 ListResourceRecordSets") || !strings.Contains(f.Reason, "Throttling") {
		t.Errorf("zone Z1 finding = %+v, want an error naming the operation and code", f)
	}
	if f := byID["Z2/example.org."]; f.Status != check.Yellow {
		t.Errorf("zone Z2 finding = %+v, want yellow: one zone's error must not hide the others", f)
	}
}

// seedZone creates a public hosted zone with the given record sets.
func seedZone(t *testing.T, client *route53.Client, name string, vpc *types.VPC, sets ...types.ResourceRecordSet) string {
	t.Helper()
	ctx := context.Background()
	in := &route53.CreateHostedZoneInput{Name: aws.String(name), CallerReference: aws.String(name + t.Name())}
	if vpc != nil {
		in.VPC = vpc
		in.HostedZoneConfig = &types.HostedZoneConfig{PrivateZone: true}
	}
	zone, err := client.CreateHostedZone(ctx, in)
	if err != nil {
		t.Fatalf("create hosted zone %s: %v", name, err)
	}
	id := strings.TrimPrefix(aws.ToString(zone.HostedZone.Id), "/hostedzone/")
	var changes []types.Change
	for _, rs := range sets {
		changes = append(changes, types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &rs})
	}
	if len(changes) > 0 {
		if _, err := client.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{
			HostedZoneId: aws.String(id), ChangeBatch: &types.ChangeBatch{Changes: changes},
		}); err != nil {
			t.Fatalf("create record sets in %s: %v", name, err)
		}
	}
	return id
}

func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, account := emutest.Config(t)
	client := route53.NewFromConfig(cfg)
	good := seedZone(t, client, "example.com.", nil,
		recordSet("example.com.", types.RRTypeMx, "10 inbound-smtp.us-east-1.amazonaws.com."),
		recordSet("example.com.", types.RRTypeTxt, `"v=spf1 " "include:amazonses.com ~all"`, `"google-site-verification=abc"`),
		recordSet("www.example.com.", types.RRTypeA, "192.0.2.10"))
	bad := seedZone(t, client, "example.org.", nil,
		recordSet("example.org.", types.RRTypeMx, "10 mx1.example.net.", "20 mx2.example.net."),
		recordSet("example.org.", types.RRTypeTxt, `"google-site-verification=xyz"`),
		recordSet("news.example.org.", types.RRTypeMx, "10 mx1.example.net."))
	// A private zone's MX records are not seen by mail servers on the internet: skipped.
	vpc, err := ec2VPC(ctx, cfg)
	if err != nil {
		t.Fatalf("create VPC: %v", err)
	}
	seedZone(t, client, "corp.internal.", &types.VPC{VPCId: aws.String(vpc), VPCRegion: types.VPCRegionUsEast1},
		recordSet("corp.internal.", types.RRTypeMx, "10 mail.corp.internal."))

	findings, recorder := checktest.ScanRecorded(t, cfg, account, Check, check.GlobalRegion)
	checktest.WantStatuses(t, "scan of two public zones and a private one", findings,
		map[string]check.Status{good + "/example.com.": check.Green, bad + "/example.org.": check.Yellow, bad + "/news.example.org.": check.Yellow})
	for _, f := range findings {
		if f.Region != check.GlobalRegion {
			t.Errorf("finding %s in %s, want it in global", f.ResourceID, f.Region)
		}
	}
	if got := checktest.ByResource(findings)[bad+"/example.org."].Columns; got["Hosted Zone Name"] != "example.org." || got["Hosted Zone ID"] != bad || got["Resource Record Set Name"] != "example.org." || got["Status"] != "Yellow" {
		t.Errorf("example.org columns = %v, want zone name, zone ID, record set name and status", got)
	}
	checktest.WantCalls(t, recorder, checktest.Call("Route 53", "ListResourceRecordSets", 2, "the two public zones; the private one skipped"))
}

// ec2VPC creates the VPC a private hosted zone is associated with.
func ec2VPC(ctx context.Context, cfg aws.Config) (string, error) {
	out, err := ec2.NewFromConfig(awsx.InRegion(cfg, "us-east-1")).CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Vpc.VpcId), nil
}

// pagedRoute53 answers both listings in the pages given, shaped like Route
// 53's answers; listing the records of a zone in failing fails.
type pagedRoute53 struct {
	zones   [][]types.HostedZone
	records map[string][][]types.ResourceRecordSet // by zone ID
	failing map[string]bool
}

func (f pagedRoute53) ListHostedZones(_ context.Context, in *route53.ListHostedZonesInput, _ ...func(*route53.Options)) (*route53.ListHostedZonesOutput, error) {
	zones, next := checktest.Page(f.zones, in.Marker)
	return &route53.ListHostedZonesOutput{HostedZones: zones, Marker: in.Marker, NextMarker: next, IsTruncated: next != nil, MaxItems: in.MaxItems}, nil
}

func (f pagedRoute53) ListResourceRecordSets(_ context.Context, in *route53.ListResourceRecordSetsInput, _ ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error) {
	id := aws.ToString(in.HostedZoneId)
	if f.failing[id] {
		return nil, &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
	}
	sets, next := checktest.Page(f.records[id], in.StartRecordName)
	out := &route53.ListResourceRecordSetsOutput{ResourceRecordSets: sets, IsTruncated: next != nil, MaxItems: in.MaxItems}
	if next != nil {
		out.NextRecordName, out.NextRecordType = next, types.RRTypeTxt
	}
	return out, nil
}

// TestCollectReadsEveryPage: the emulator answers in one page; accounts with
// many zones or records get several. A zone and an SPF record that decide a
// finding are on second pages, so reading only the first fails. A zone whose
// records cannot be listed is an error finding; the others are still judged.
func TestCollectReadsEveryPage(t *testing.T) {
	t.Parallel()
	zone := func(id, name string, private bool) types.HostedZone {
		return types.HostedZone{Id: aws.String("/hostedzone/" + id), Name: aws.String(name), CallerReference: aws.String(id),
			Config: &types.HostedZoneConfig{PrivateZone: private}}
	}
	api := pagedRoute53{
		zones: [][]types.HostedZone{
			{zone("Z1", "example.com.", false)},
			{zone("Z2", "corp.internal.", true), zone("Z3", "example.org.", false), zone("Z4", "example.net.", false)},
		},
		records: map[string][][]types.ResourceRecordSet{
			"Z1": {{recordSet("example.com.", types.RRTypeMx, "10 mx.example.com.")}, {recordSet("example.com.", types.RRTypeTxt, `"v=spf1 -all"`)}},
			"Z2": {{recordSet("corp.internal.", types.RRTypeMx, "10 mail.corp.internal.")}},
			"Z3": {{recordSet("example.org.", types.RRTypeTxt, `"v=spf1 -all"`)}, {recordSet("mail.example.org.", types.RRTypeMx, "10 mx.example.org.")}},
		},
		failing: map[string]bool{"Z4": true},
	}
	zones, err := collect(context.Background(), api)
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	findings := evaluate(checktest.Target(check.GlobalRegion), zones)
	checktest.WantStatuses(t, "evaluate(collect over two pages)", findings, map[string]check.Status{
		"Z1/example.com.":      check.Green,
		"Z3/mail.example.org.": check.Yellow,
		"Z4":                   check.Error,
	})
	for _, f := range findings {
		if f.Status == check.Error && (!strings.Contains(f.Reason, "route53 ListResourceRecordSets") || !strings.Contains(f.Reason, "Throttling")) {
			t.Errorf("%s reason = %q, want the operation and the error code", f.ResourceID, f.Reason)
		}
	}
}
