package iamaccesskeyrotation

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/credreport"
	"github.com/secadvisor/secadvisor/internal/credreport/credreporttest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/scan"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// scanAt is a target for evaluator tests whose scan started at scanTime.
func scanAt(scanTime time.Time) check.Target { return checktest.TargetAt(check.GlobalRegion, scanTime) }

// oneKey is a report with one IAM user holding one active key in slot 1,
// shaped as credreport.Parse returns a real report's row.
func oneKey(lastRotated time.Time) *credreport.Report {
	return &credreport.Report{Users: []credreport.User{{
		Name: "alice", ARN: "arn:aws:iam::111122223333:user/alice", MFAActive: credreport.No,
		AccessKeys: [2]credreport.AccessKey{{Slot: 1, Active: credreport.Yes, LastRotated: lastRotated}, {Slot: 2, Active: credreport.No}},
	}}}
}

// TestJudgeBoundaries covers every edge of the alert criteria, judged as of the scan time.
func TestJudgeBoundaries(t *testing.T) {
	t.Parallel()
	const day = 24 * time.Hour
	now := at("2026-06-01T12:00:00Z")
	// Across a leap day: from 2023-03-01 two calendar years are 731 days.
	leapNow := at("2025-03-01T00:00:00Z")
	tests := []struct {
		name        string
		lastRotated time.Time
		now         time.Time
		want        check.Status
	}{
		{"rotated just now", now, now, check.Green},
		{"rotated in the future (clock skew)", now.Add(time.Hour), now, check.Green},
		{"89 days", now.Add(-89 * day), now, check.Green},
		{"90 days less a second", now.Add(-90*day + time.Second), now, check.Green},
		{"exactly 90 days", now.Add(-90 * day), now, check.Yellow},
		{"91 days", now.Add(-91 * day), now, check.Yellow},
		{"one year", now.AddDate(-1, 0, 0), now, check.Yellow},
		{"exactly 2 years", now.AddDate(-2, 0, 0), now, check.Yellow},
		{"2 years and a second", now.AddDate(-2, 0, 0).Add(-time.Second), now, check.Red},
		{"730 days across a leap year: still within 2 calendar years", leapNow.Add(-730 * day), leapNow, check.Yellow},
		{"731 days across a leap year: exactly 2 calendar years", leapNow.Add(-731 * day), leapNow, check.Yellow},
		{"731 days and a second across a leap year", leapNow.Add(-731*day - time.Second), leapNow, check.Red},
		{"rotated 29 Feb, checked 28 Feb two years on", at("2024-02-29T00:00:00Z"), at("2026-02-28T23:59:59Z"), check.Yellow},
		{"rotated 29 Feb, checked 1 Mar two years on at midnight", at("2024-02-29T00:00:00Z"), at("2026-03-01T00:00:00Z"), check.Yellow},
		{"rotated 29 Feb, checked 1 Mar two years on plus a second", at("2024-02-29T00:00:00Z"), at("2026-03-01T00:00:01Z"), check.Red},
		{"rotated 2020", at("2020-02-10T15:31:12Z"), now, check.Red},
		{"scan time in another time zone", now.Add(-90 * day), now.In(time.FixedZone("UTC+9", 9*3600)), check.Yellow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := evaluate(scanAt(tt.now), Input{Report: oneKey(tt.lastRotated)})
			if len(got) != 1 {
				t.Fatalf("evaluate(rotated %s, now %s) = %d findings, want 1: %+v", tt.lastRotated, tt.now, len(got), got)
			}
			checktest.ColumnsWithin(t, Meta, got)
			if got[0].Status != tt.want {
				t.Errorf("evaluate(rotated %s, now %s) status = %s (%q), want %s", tt.lastRotated, tt.now, got[0].Status, got[0].Reason, tt.want)
			}
		})
	}
}

// TestEvaluateRecordedReport evaluates a report shaped exactly like AWS's
// (testdata of the credreport package): the emulator cannot backdate keys.
func TestEvaluateRecordedReport(t *testing.T) {
	t.Parallel()
	content, err := os.ReadFile("../../credreport/testdata/aws-report.csv")
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Report: credreporttest.Parse(t, string(content)), Keys: map[string][]types.AccessKeyMetadata{
		"alice": {{AccessKeyId: aws.String("AKIAALICE00000000001"), Status: types.StatusTypeActive, CreateDate: aws.Time(at("2026-04-20T10:00:00Z")), UserName: aws.String("alice")}},
		"ci-deploy": {
			{AccessKeyId: aws.String("AKIACIDEPLOY00000001"), Status: types.StatusTypeActive, CreateDate: aws.Time(at("2020-02-10T15:31:12Z")), UserName: aws.String("ci-deploy")},
			{AccessKeyId: aws.String("AKIACIDEPLOY00000002"), Status: types.StatusTypeActive, CreateDate: aws.Time(at("2025-09-01T00:00:00Z")), UserName: aws.String("ci-deploy")},
		},
	}}
	got := evaluate(scanAt(at("2026-06-01T12:00:00Z")), in)
	checktest.ColumnsWithin(t, Meta, got)
	want := map[string]map[string]string{
		"AKIAALICE00000000001": {"IAM user": "alice", "Access Key": "AKIAALICE00000000001", "Key Last Rotated": "2026-04-20T10:00:00Z",
			"Reason": "Active key rotated 42 days ago: within the last 90 days."},
		"AKIACIDEPLOY00000001": {"IAM user": "ci-deploy", "Access Key": "AKIACIDEPLOY00000001", "Key Last Rotated": "2020-02-10T15:31:12Z",
			"Reason": "Active key rotated 2302 days ago: not rotated in the last 2 years."},
		"AKIACIDEPLOY00000002": {"IAM user": "ci-deploy", "Access Key": "AKIACIDEPLOY00000002", "Key Last Rotated": "2025-09-01T00:00:00Z",
			"Reason": "Active key rotated 273 days ago: more than 90 days ago, within the last 2 years."},
	}
	wantStatus := map[string]check.Status{"AKIAALICE00000000001": check.Green, "AKIACIDEPLOY00000001": check.Red, "AKIACIDEPLOY00000002": check.Yellow}
	byID := checktest.ByResource(got)
	if len(got) != len(want) {
		t.Errorf("evaluate(aws-report.csv) = %d findings, want %d (root and legacy-backup have no active key): %+v", len(got), len(want), got)
	}
	for id, cols := range want {
		f, ok := byID[id]
		if !ok {
			t.Errorf("evaluate(aws-report.csv): no finding for %s; got %+v", id, got)
			continue
		}
		if f.Status != wantStatus[id] || !maps.Equal(f.Columns, cols) {
			t.Errorf("evaluate(aws-report.csv) %s = %s %v, want %s %v", id, f.Status, f.Columns, wantStatus[id], cols)
		}
	}
}

func TestEvaluateRowsAndKeyIDs(t *testing.T) {
	t.Parallel()
	now := at("2026-06-01T12:00:00Z")
	recent := at("2026-05-01T08:00:00Z")
	older := at("2026-02-01T08:00:00Z")
	key := func(id string, created time.Time, status types.StatusType) types.AccessKeyMetadata {
		return types.AccessKeyMetadata{AccessKeyId: aws.String(id), CreateDate: aws.Time(created), Status: status}
	}
	user := func(name string, k1, k2 credreport.AccessKey) credreport.User {
		k1.Slot, k2.Slot = 1, 2
		return credreport.User{Name: name, Root: name == credreport.RootUser, AccessKeys: [2]credreport.AccessKey{k1, k2}}
	}
	active := func(t time.Time) credreport.AccessKey {
		return credreport.AccessKey{Active: credreport.Yes, LastRotated: t}
	}
	inactive := func(t time.Time) credreport.AccessKey {
		return credreport.AccessKey{Active: credreport.No, LastRotated: t}
	}
	none := credreport.AccessKey{Active: credreport.No}
	tests := []struct {
		name string
		in   Input
		// want maps resource ID to "status Access-Key-column".
		want map[string]string
	}{
		{"no keys: no rows", Input{Report: &credreport.Report{Users: []credreport.User{user("bob", none, none)}}}, map[string]string{}},
		{"inactive key: no row", Input{Report: &credreport.Report{Users: []credreport.User{user("bob", inactive(older), none)}},
			Keys: map[string][]types.AccessKeyMetadata{}}, map[string]string{}},
		{"one active key, one inactive: matched by being the only active one",
			Input{Report: &credreport.Report{Users: []credreport.User{user("bob", inactive(older), active(recent.Add(time.Hour)))}},
				Keys: map[string][]types.AccessKeyMetadata{"bob": {key("AKIAOLD", older, types.StatusTypeInactive), key("AKIANEW", recent, types.StatusTypeActive)}}},
			map[string]string{"AKIANEW": "green AKIANEW"}},
		{"two active keys: matched by creation time",
			Input{Report: &credreport.Report{Users: []credreport.User{user("bob", active(older), active(recent))}},
				Keys: map[string][]types.AccessKeyMetadata{"bob": {key("AKIANEW", recent, types.StatusTypeActive), key("AKIAOLD", older, types.StatusTypeActive)}}},
			map[string]string{"AKIAOLD": "yellow AKIAOLD", "AKIANEW": "green AKIANEW"}},
		{"two active keys, reactivated since creation: slots named by number",
			Input{Report: &credreport.Report{Users: []credreport.User{user("bob", active(older.Add(time.Hour)), active(recent.Add(time.Hour)))}},
				Keys: map[string][]types.AccessKeyMetadata{"bob": {key("AKIANEW", recent, types.StatusTypeActive), key("AKIAOLD", older, types.StatusTypeActive)}}},
			map[string]string{"bob/access_key_1": "yellow access_key_1", "bob/access_key_2": "green access_key_2"}},
		{"root user's key: reported by slot",
			Input{Report: &credreport.Report{Users: []credreport.User{user(credreport.RootUser, active(at("2019-01-01T00:00:00Z")), none)}}},
			map[string]string{"<root_account>/access_key_1": "red access_key_1"}},
		{"keys could not be listed: an error finding, and the rows by slot",
			Input{Report: &credreport.Report{Users: []credreport.User{user("bob", active(recent), none)}},
				ListErrors: map[string]error{"bob": check.WrapOp("iam ListAccessKeys", os.ErrPermission)}},
			map[string]string{"bob/key-ids": "error ", "bob/access_key_1": "green access_key_1"}},
		{"active without a date: error, never green",
			Input{Report: &credreport.Report{Users: []credreport.User{user("bob", credreport.AccessKey{Active: credreport.Yes}, none)}}},
			map[string]string{"bob/access_key_1": "error access_key_1"}},
		{"activity unknown but a date: error",
			Input{Report: &credreport.Report{Users: []credreport.User{user("bob", credreport.AccessKey{Active: credreport.Unknown, LastRotated: older}, none)}}},
			map[string]string{"bob/access_key_1": "error access_key_1"}},
		{"all N/A: an empty slot, no row",
			Input{Report: &credreport.Report{Users: []credreport.User{user("bob", credreport.AccessKey{Active: credreport.Unknown}, none)}}},
			map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			findings := evaluate(scanAt(now), tt.in)
			checktest.ColumnsWithin(t, Meta, findings)
			got := map[string]string{}
			for _, f := range findings {
				got[f.ResourceID] = string(f.Status) + " " + f.Columns["Access Key"]
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("evaluate(%s) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

// TestCollectOnEmulator seeds users the way an account looks: a user with
// one fresh key, one with a fresh active and a deactivated key, one without
// keys. The emulator's last_rotated is the creation time, so every active
// key is green here; older keys are covered by the evaluator tests.
func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, account := emutest.Config(t)
	client := iam.NewFromConfig(cfg)
	keyIDs := map[string][]string{}
	for user, keys := range map[string]int{"app-deployer": 1, "backup-agent": 2, "console-only": 0} {
		if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user)}); err != nil {
			t.Fatal(err)
		}
		for range keys {
			out, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})
			if err != nil {
				t.Fatal(err)
			}
			keyIDs[user] = append(keyIDs[user], aws.ToString(out.AccessKey.AccessKeyId))
		}
	}
	if _, err := client.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("backup-agent"),
		AccessKeyId: aws.String(keyIDs["backup-agent"][0]), Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	// The emulator dates keys by the wall clock: the scan starts now.
	job := scan.Job{Check: Check, Account: account, Region: check.GlobalRegion, ScanTime: time.Now().UTC()}
	findings := scan.RunJob(ctx, cfg, job, 0)
	checktest.ColumnsWithin(t, Meta, findings)
	want := map[string]string{keyIDs["app-deployer"][0]: "app-deployer", keyIDs["backup-agent"][1]: "backup-agent"}
	byID := checktest.ByResource(findings)
	if len(findings) != len(want) {
		t.Errorf("got %d findings, want %d (one per active key): %+v", len(findings), len(want), findings)
	}
	for id, user := range want {
		f, ok := byID[id]
		if !ok || f.Status != check.Green || f.Columns["IAM user"] != user || f.Columns["Access Key"] != id || f.Columns["Status"] != "Green" || f.Columns["Key Last Rotated"] == "" {
			t.Errorf("finding for %s = %+v, want green for %s with its key ID and rotation date", id, f, user)
		}
	}
}

// TestListAccessKeysDeniedKeepsRows: ListAccessKeys only names the keys, so
// with it denied every key is still judged from the report, named by its
// slot, beside one error for the names (the other operations' denials are
// covered by internal/failclosed).
func TestListAccessKeysDeniedKeepsRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, account := emutest.Config(t)
	client := iam.NewFromConfig(cfg)
	if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("app-deployer")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("app-deployer")}); err != nil {
		t.Fatal(err)
	}
	job := scan.Job{Check: Check, Account: account, Region: check.GlobalRegion, ScanTime: time.Now().UTC()}
	findings := scan.RunJob(ctx, emutest.Deny(cfg, "ListAccessKeys"), job, 0)
	byID := checktest.ByResource(findings)
	if f := byID["app-deployer/key-ids"]; f.Status != check.Error || !strings.Contains(f.Reason, "iam ListAccessKeys: access denied (AccessDenied") {
		t.Errorf("with ListAccessKeys denied, key-ids finding = %+v, want an error naming iam ListAccessKeys and AccessDenied", f)
	}
	if f := byID["app-deployer/access_key_1"]; f.Status != check.Green {
		t.Errorf("with ListAccessKeys denied, the key's row = %+v, want it still judged (green) from the report", f)
	}
}

// keyRow is a credential report row, as AWS writes it, of an IAM user whose
// only key (slot 1) is active and was last rotated at rotated.
func keyRow(user string, rotated time.Time) string {
	return fmt.Sprintf("%s,arn:aws:iam::111122223333:user/%s,2019-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,"+
		"true,%s,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A", user, user, credreporttest.Date(rotated))
}

// TestEvaluateParsedReport judges keys at each edge of the criteria from a
// report written as AWS writes it and read by credreport.Parse, so a
// parser and an evaluator that disagree on dates or flags show here. The
// emulator cannot backdate keys.
func TestEvaluateParsedReport(t *testing.T) {
	t.Parallel()
	const day = 24 * time.Hour
	scanTime := at("2026-06-01T12:00:00Z")
	content := credreporttest.Content(
		// The root user without keys, as the classic report shows it.
		"<root_account>,arn:aws:iam::111122223333:root,2016-03-14T09:12:01+00:00,not_supported,2026-05-02T07:45:10+00:00,not_supported,not_supported,true,"+
			"false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
		keyRow("rotated-89-days", scanTime.Add(-89*day)),
		keyRow("rotated-90-days", scanTime.Add(-90*day)),
		keyRow("rotated-91-days", scanTime.Add(-91*day)),
		keyRow("rotated-2-years", scanTime.AddDate(-2, 0, 0)),
		keyRow("rotated-2-years-and-a-day", scanTime.AddDate(-2, 0, -1)),
		// An old key, deactivated: not reported.
		"retired,arn:aws:iam::111122223333:user/retired,2017-08-08T08:08:08+00:00,false,N/A,N/A,N/A,false,"+
			"false,2017-08-08T08:10:00+00:00,2018-01-01T00:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
	)
	findings := evaluate(scanAt(scanTime), Input{Report: credreporttest.Parse(t, content)})
	checktest.ColumnsWithin(t, Meta, findings)
	got := map[string]string{}
	for _, f := range findings {
		got[f.ResourceID] = string(f.Status) + " " + f.Reason
	}
	want := map[string]string{
		"rotated-89-days/access_key_1":           "green Active key rotated 89 days ago: within the last 90 days.",
		"rotated-90-days/access_key_1":           "yellow Active key rotated 90 days ago: more than 90 days ago, within the last 2 years.",
		"rotated-91-days/access_key_1":           "yellow Active key rotated 91 days ago: more than 90 days ago, within the last 2 years.",
		"rotated-2-years/access_key_1":           "yellow Active key rotated 730 days ago: more than 90 days ago, within the last 2 years.",
		"rotated-2-years-and-a-day/access_key_1": "red Active key rotated 731 days ago: not rotated in the last 2 years.",
	}
	if !maps.Equal(got, want) {
		t.Errorf("evaluate(parsed report, scan at %s) =\n%v\nwant\n%v", scanTime, got, want)
	}
}

// pagedKeys is the check's API over an AWS-shaped credential report, whose
// ListAccessKeys answers in the pages given as IAM may (IsTruncated and a
// Marker); it records the markers asked for.
type pagedKeys struct {
	credreporttest.Reports
	pages   [][]types.AccessKeyMetadata
	markers []string
}

func (p *pagedKeys) ListAccessKeys(_ context.Context, in *iam.ListAccessKeysInput, _ ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error) {
	p.markers = append(p.markers, aws.ToString(in.Marker))
	keys, next := checktest.Page(p.pages, in.Marker)
	return &iam.ListAccessKeysOutput{AccessKeyMetadata: keys, IsTruncated: next != nil, Marker: next}, nil
}

// TestCollectFollowsListAccessKeysPages: the key matching slot 2 is only on
// ListAccessKeys' second page; read from the first page alone it would be
// named by its slot, not its ID.
func TestCollectFollowsListAccessKeysPages(t *testing.T) {
	t.Parallel()
	scanTime := at("2026-06-01T12:00:00Z")
	first, second := at("2026-05-02T12:00:00Z"), at("2025-04-27T12:00:00Z")
	key := func(id string, created time.Time) types.AccessKeyMetadata {
		return types.AccessKeyMetadata{AccessKeyId: aws.String(id), CreateDate: aws.Time(created), Status: types.StatusTypeActive, UserName: aws.String("ci-deploy")}
	}
	api := &pagedKeys{
		Reports: credreporttest.Reports{Content: credreporttest.Content(fmt.Sprintf(
			"ci-deploy,arn:aws:iam::111122223333:user/ci-deploy,2019-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,"+
				"true,%s,N/A,N/A,N/A,true,%s,N/A,N/A,N/A,false,N/A,false,N/A", credreporttest.Date(first), credreporttest.Date(second)))},
		pages: [][]types.AccessKeyMetadata{{key("AKIACIDEPLOY00000001", first)}, {key("AKIACIDEPLOY00000002", second)}},
	}
	in, err := collect(context.Background(), api)
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	checktest.WantStatuses(t, "collect then evaluate, the second key on page 2", evaluate(scanAt(scanTime), in),
		map[string]check.Status{"AKIACIDEPLOY00000001": check.Green, "AKIACIDEPLOY00000002": check.Yellow})
	if wantMarkers := []string{"", "page-1"}; !slices.Equal(api.markers, wantMarkers) {
		t.Errorf("ListAccessKeys markers = %q, want %q", api.markers, wantMarkers)
	}
}
