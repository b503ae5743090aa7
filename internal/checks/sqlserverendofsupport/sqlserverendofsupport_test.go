package sqlserverendofsupport

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
)

const (
	sql2014AMI   = "Windows_Server-2016-English-Full-SQL_2014_SP3_Standard-2024.01.10"
	sql2016AMI   = "Windows_Server-2016-English-Full-SQL_2016_SP3_Enterprise-2024.01.10"
	sql2019AMI   = "Windows_Server-2019-English-Full-SQL_2019_Enterprise-2024.01.10"
	baseWindows  = "Windows_Server-2022-English-Full-Base-2024.01.10"
	testInstance = "i-0123456789abcdef0"
	testImage    = "ami-0abcdef1234567890"
)

// scanTime is when the evaluator tests scan, unless they walk the clock.
var scanTime = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// at is the target of an evaluator test, scanned at now.
func at(now time.Time) check.Target { return checktest.TargetAt("eu-west-1", now) }

func running(id, image string) ec2types.Instance {
	return ec2types.Instance{
		InstanceId: aws.String(id),
		ImageId:    aws.String(image),
		State:      &ec2types.InstanceState{Name: ec2types.InstanceStateNameRunning},
		LaunchTime: aws.Time(time.Date(2024, 2, 1, 9, 0, 0, 0, time.UTC)),
	}
}

func image(id, name, description, platformDetails string) ec2types.Image {
	return ec2types.Image{ImageId: aws.String(id), Name: aws.String(name), Description: aws.String(description), PlatformDetails: aws.String(platformDetails)}
}

// TestStatusBoundaries walks now across SQL Server 2016's end of support
// (2026-07-14): green until 12 months before, yellow from the day the end
// date is exactly today + 12 months, red from the end date itself.
func TestStatusBoundaries(t *testing.T) {
	t.Parallel()
	in := Input{
		Instances: []ec2types.Instance{running(testInstance, testImage)},
		Images:    map[string]ec2types.Image{testImage: image(testImage, sql2016AMI, "", "Windows with SQL Server Enterprise")},
	}
	tests := []struct {
		now       time.Time
		want      check.Status
		wantCycle string
	}{
		{time.Date(2021, 7, 12, 12, 0, 0, 0, time.UTC), check.Green, "Mainstream support"},
		{time.Date(2021, 7, 13, 0, 0, 0, 0, time.UTC), check.Green, "Extended support"},
		{time.Date(2025, 7, 13, 23, 59, 59, 0, time.UTC), check.Green, "Extended support"}, // end is 12 months and 1 day away
		{time.Date(2025, 7, 14, 0, 0, 0, 0, time.UTC), check.Yellow, "Extended support"},   // end == today + 12 months
		{time.Date(2025, 7, 15, 0, 0, 0, 0, time.UTC), check.Yellow, "Extended support"},
		{time.Date(2026, 7, 13, 23, 59, 59, 0, time.UTC), check.Yellow, "Extended support"},
		{time.Date(2026, 7, 14, 0, 0, 0, 0, time.UTC), check.Red, "End of support"},
		{time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), check.Red, "End of support"},
	}
	for _, tt := range tests {
		got := evaluate(at(tt.now), in)
		checktest.ColumnsWithin(t, Meta, got)
		if len(got) != 1 {
			t.Fatalf("evaluate(now=%s) = %+v, want one finding", tt.now, got)
		}
		f := got[0]
		if f.Status != tt.want || f.Columns["Support Cycle"] != tt.wantCycle {
			t.Errorf("evaluate(now=%s) = %s, %q; want %s, %q (reason %q)", tt.now, f.Status, f.Columns["Support Cycle"], tt.want, tt.wantCycle, f.Reason)
		}
		if f.Columns["End of Support"] != "2026-07-14" || f.Columns["SQL Server Version"] != "SQL Server 2016 SP3 Enterprise" || f.Columns["Instance ID"] != testInstance {
			t.Errorf("evaluate(now=%s) columns = %v, want 2016 SP3 Enterprise ending 2026-07-14", tt.now, f.Columns)
		}
	}
}

// TestEvaluateSources feeds data shaped like real DescribeImages and
// GetInventory answers. The emulator cannot show most of these: moto has no
// PlatformDetails on images or instances, and no SSM inventory.
func TestEvaluateSources(t *testing.T) {
	t.Parallel()
	sqlInventory := func(names ...string) map[string]Inventory {
		inv := Inventory{CaptureTime: "2026-11-27T22:10:05Z"}
		for _, n := range names {
			inv.Applications = append(inv.Applications, Application{Name: n, Version: "x"})
		}
		return map[string]Inventory{testInstance: inv}
	}
	withPlatform := func(inst ec2types.Instance, details string) ec2types.Instance {
		inst.PlatformDetails = aws.String(details)
		return inst
	}
	tests := []struct {
		name        string
		in          Input
		want        check.Status // "" = no finding
		wantVersion string
		wantReason  string
	}{
		{"license-included AMI name", Input{
			Instances: []ec2types.Instance{running(testInstance, testImage)},
			Images:    map[string]ec2types.Image{testImage: image(testImage, sql2014AMI, "Microsoft Windows Server 2016 with SQL Server 2014 SP3 Standard", "Windows with SQL Server Standard")},
		}, check.Red, "SQL Server 2014 SP3 Standard", `AMI name "Windows_Server-2016`},
		{"2008 R2 AMI name", Input{
			Instances: []ec2types.Instance{running(testInstance, testImage)},
			Images:    map[string]ec2types.Image{testImage: image(testImage, "Windows_Server-2008-R2_SP1-English-64Bit-SQL_2008_R2_SP3_Web-2019.01.09", "", "Windows with SQL Server Web")},
		}, check.Red, "SQL Server 2008 R2 SP3 Web", "2019-07-09"},
		{"Linux license-included AMI", Input{
			Instances: []ec2types.Instance{running(testInstance, testImage)},
			Images:    map[string]ec2types.Image{testImage: image(testImage, "amzn2-x86_64-SQL_2019_Standard-2024.01.10", "", "Linux/UNIX with SQL Server Standard")},
		}, check.Green, "SQL Server 2019 Standard", "2030-01-08"},
		{"copied AMI: only the description names SQL Server", Input{
			Instances: []ec2types.Instance{running(testInstance, testImage)},
			Images:    map[string]ec2types.Image{testImage: image(testImage, "golden-db-image-v7", "Microsoft Windows Server 2019 with SQL Server 2017 Enterprise", "Windows with SQL Server Enterprise")},
		}, check.Yellow, "SQL Server 2017 Enterprise", "2027-10-12"},
		{"self-installed on a base Windows AMI: inventory", Input{
			Instances:    []ec2types.Instance{running(testInstance, testImage)},
			Images:       map[string]ec2types.Image{testImage: image(testImage, baseWindows, "Microsoft Windows Server 2022 Full Locale English AMI", "Windows")},
			Applications: sqlInventory("Microsoft SQL Server 2012 Native Client", "Microsoft SQL Server 2016 (64-bit)", "Microsoft SQL Server 2016 Setup (English)"),
		}, check.Red, "SQL Server 2016", "Systems Manager inventory"},
		{"in-place upgrade: inventory wins over the AMI", Input{
			Instances:    []ec2types.Instance{running(testInstance, testImage)},
			Images:       map[string]ec2types.Image{testImage: image(testImage, sql2014AMI, "", "Windows with SQL Server Standard")},
			Applications: sqlInventory("Microsoft SQL Server 2019 (64-bit)"),
		}, check.Green, "SQL Server 2019 Standard", "Systems Manager inventory"},
		{"two instances of SQL Server: the least supported decides", Input{
			Instances:    []ec2types.Instance{running(testInstance, testImage)},
			Images:       map[string]ec2types.Image{testImage: image(testImage, baseWindows, "", "Windows")},
			Applications: sqlInventory("Microsoft SQL Server 2022 (64-bit)", "Microsoft SQL Server 2014 (64-bit)"),
		}, check.Red, "SQL Server 2014", "Also installed: SQL Server 2022"},
		{"only SQL tools installed: not a SQL Server instance", Input{
			Instances:    []ec2types.Instance{running(testInstance, testImage)},
			Images:       map[string]ec2types.Image{testImage: image(testImage, baseWindows, "", "Windows")},
			Applications: sqlInventory("Microsoft SQL Server Management Studio - 19.3", "Microsoft SQL Server 2012 Native Client"),
		}, "", "", ""},
		{"plain Windows: no finding", Input{
			Instances: []ec2types.Instance{running(testInstance, testImage)},
			Images:    map[string]ec2types.Image{testImage: image(testImage, baseWindows, "", "Windows")},
		}, "", "", ""},
		{"deregistered license-included AMI: version unknown is an error", Input{
			Instances: []ec2types.Instance{withPlatform(running(testInstance, testImage), "Windows with SQL Server Enterprise")},
		}, check.Error, "SQL Server Enterprise", "version is unknown"},
		{"version newer than the table: error, never green", Input{
			Instances: []ec2types.Instance{running(testInstance, testImage)},
			Images:    map[string]ec2types.Image{testImage: image(testImage, "Windows_Server-2025-English-Full-SQL_2029_Standard-2030.01.14", "", "Windows with SQL Server Standard")},
		}, check.Error, "SQL Server 2029 Standard", "not in the lifecycle table (read from Microsoft's lifecycle pages on 2026-12-01)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := evaluate(at(scanTime), tt.in)
			checktest.ColumnsWithin(t, Meta, got)
			if tt.want == "" {
				if len(got) != 0 {
					t.Errorf("evaluate(%s) = %+v, want no finding", tt.name, got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("evaluate(%s) = %+v, want one finding", tt.name, got)
			}
			f := got[0]
			if f.Status != tt.want || f.Columns["SQL Server Version"] != tt.wantVersion || !strings.Contains(f.Reason, tt.wantReason) {
				t.Errorf("evaluate(%s) = %s, %q, reason %q; want %s, %q, reason mentioning %q", tt.name, f.Status, f.Columns["SQL Server Version"], f.Reason, tt.want, tt.wantVersion, tt.wantReason)
			}
		})
	}
}

func TestRanRecently(t *testing.T) {
	t.Parallel()
	stopped := func(reason string) ec2types.Instance {
		return ec2types.Instance{State: &ec2types.InstanceState{Name: ec2types.InstanceStateNameStopped}, StateTransitionReason: aws.String(reason)}
	}
	tests := []struct {
		name string
		inst ec2types.Instance
		want bool
	}{
		{"running", running(testInstance, testImage), true},
		{"stopped 23 hours ago", stopped("User initiated (2026-11-27 13:00:00 GMT)"), true},
		{"stopped exactly 24 hours ago", stopped("User initiated (2026-11-27 12:00:00 GMT)"), true},
		{"stopped 24 hours and 1 second ago", stopped("User initiated (2026-11-27 11:59:59 GMT)"), false},
		{"stopped last month", stopped("User initiated (2026-10-01 08:00:00 GMT)"), false},
		{"stopped, emulator's UTC form", stopped("User initiated (2026-11-28 11:00:00 UTC)"), true},
		{"stopped, no time in the reason: kept", stopped("Server.ScheduledStop: Stopped due to scheduled retirement"), true},
	}
	for _, tt := range tests {
		if got := ranRecently(tt.inst, scanTime); got != tt.want {
			t.Errorf("ranRecently(%s: %q) = %v, want %v", tt.name, aws.ToString(tt.inst.StateTransitionReason), got, tt.want)
		}
	}
}

// seedInstances creates, in region, what an account with SQL Server looks
// like on the emulator: license-included AMIs named as Amazon names them
// (registered from a builder instance, since the emulator loads no Amazon
// AMIs), one instance on SQL Server 2014, one on 2019, one on plain Windows,
// and a stopped 2014 instance. It returns the instance IDs by role.
func seedInstances(t *testing.T, cfg aws.Config, region string) map[string]string {
	t.Helper()
	ctx := context.Background()
	client := ec2.NewFromConfig(awsx.InRegion(cfg, region))
	run := func(imageID string) string {
		out, err := client.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(imageID), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), InstanceType: ec2types.InstanceTypeM5Large})
		if err != nil {
			t.Fatalf("run instance from %s: %v", imageID, err)
		}
		return aws.ToString(out.Instances[0].InstanceId)
	}
	builder := run("ami-12c6146b")
	images := map[string]string{}
	for _, name := range []string{sql2014AMI, sql2019AMI, baseWindows} {
		out, err := client.CreateImage(ctx, &ec2.CreateImageInput{InstanceId: aws.String(builder), Name: aws.String(name)})
		if err != nil {
			t.Fatalf("create image %s: %v", name, err)
		}
		images[name] = aws.ToString(out.ImageId)
	}
	if _, err := client.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{builder}}); err != nil {
		t.Fatalf("terminate builder: %v", err)
	}
	ids := map[string]string{
		"sql2014":         run(images[sql2014AMI]),
		"sql2019":         run(images[sql2019AMI]),
		"windows":         run(images[baseWindows]),
		"sql2014-stopped": run(images[sql2014AMI]),
	}
	if _, err := client.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{ids["sql2014-stopped"]}}); err != nil {
		t.Fatalf("stop instance: %v", err)
	}
	return ids
}

func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	ids := seedInstances(t, cfg, "eu-west-1")
	findings, recorder := checktest.ScanRecorded(t, cfg, account, Check, "eu-west-1", "us-east-1")
	byID := checktest.ByResource(findings)
	if len(findings) != 3 {
		t.Fatalf("got %d findings, want 3 (two 2014, one 2019; plain Windows and the terminated builder are not reported): %+v", len(findings), findings)
	}
	for role, want := range map[string]check.Status{"sql2014": check.Red, "sql2014-stopped": check.Red, "sql2019": check.Green} {
		got := byID[ids[role]]
		if got.Status != want || got.Region != "eu-west-1" {
			t.Errorf("%s finding = %+v, want %s in eu-west-1", role, got, want)
		}
	}
	if got := byID[ids["sql2014"]]; got.Columns["SQL Server Version"] != "SQL Server 2014 SP3 Standard" || got.Columns["End of Support"] != "2024-07-09" || got.Columns["Support Cycle"] != "End of support" || got.Columns["Last Updated Time"] == "" {
		t.Errorf("sql2014 columns = %v, want version, end of support, cycle and last update", got.Columns)
	}
	checktest.WantCalls(t, recorder,
		checktest.Call("EC2", "DescribeInstances", 2, "one page per region"),
		checktest.Call("EC2", "DescribeImages", 1, "batched, none in the empty region"))
}

// fakeInventory is a wire-level fake of Systems Manager GetInventory
// (awsJson1_1), because moto 5.2.1 implements no SSM inventory operation
// (docs/development.md). It serves the entities in pages of one and records the
// requests' filters.
type fakeInventory struct {
	entities []map[string]any
	requests atomic.Int32
	filters  atomic.Value // string: the last request's Filters, as JSON
}

func (f *fakeInventory) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Amz-Target") != "AmazonSSM.GetInventory" {
		http.Error(w, `{"__type":"UnknownOperationException"}`, http.StatusBadRequest)
		return
	}
	f.requests.Add(1)
	body, _ := io.ReadAll(r.Body)
	var in struct {
		Filters   json.RawMessage
		NextToken string
	}
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, `{"__type":"ValidationException"}`, http.StatusBadRequest)
		return
	}
	f.filters.Store(string(in.Filters))
	page := 0
	fmt.Sscanf(in.NextToken, "page-%d", &page)
	out := map[string]any{"Entities": []map[string]any{}}
	if page < len(f.entities) {
		out["Entities"] = f.entities[page : page+1]
	}
	if page+1 < len(f.entities) {
		out["NextToken"] = fmt.Sprintf("page-%d", page+1)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(out)
}

func inventoryEntity(instanceID string, apps ...string) map[string]any {
	var content []map[string]string
	for _, a := range apps {
		content = append(content, map[string]string{"Name": a, "Version": "14.0.3456.2", "Publisher": "Microsoft Corporation", "InstalledTime": "2023-03-02T00:00:00Z"})
	}
	return map[string]any{"Id": instanceID, "Data": map[string]any{"AWS:Application": map[string]any{
		"TypeName": "AWS:Application", "SchemaVersion": "1.1", "CaptureTime": "2026-11-27T22:10:05Z", "Content": content,
	}}}
}

// TestCollectInventoryFromFake reads EC2 from the emulator and inventory from
// the wire-level fake: a SQL Server 2017 someone installed on the plain
// Windows instance is found, and the inventory is read in one paginated
// listing filtered to SQL Server, not one call per instance.
func TestCollectInventoryFromFake(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, _ := emutest.Config(t)
	ids := seedInstances(t, cfg, "eu-west-1")
	// The entity that matters is on the second page.
	fake := &fakeInventory{entities: []map[string]any{
		inventoryEntity("i-0fffffffffffffff0", "Microsoft SQL Server 2012 (64-bit)"), // a terminated instance's stale inventory
		inventoryEntity(ids["windows"], "Microsoft SQL Server 2017 (64-bit)", "Microsoft SQL Server 2017 Setup (English)", "Google Chrome"),
	}}
	inventory := ssm.NewFromConfig(checktest.FakeEndpoint(t, fake, "eu-west-1"))
	in, err := collect(ctx, ec2.NewFromConfig(awsx.InRegion(cfg, "eu-west-1")), inventory)
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	if got := fake.requests.Load(); got != 2 {
		t.Errorf("GetInventory requests = %d, want 2 (two pages)", got)
	}
	if got := fake.filters.Load().(string); !strings.Contains(got, `"AWS:Application.Name"`) || !strings.Contains(got, `"BeginWith"`) || !strings.Contains(got, `"Microsoft SQL Server"`) {
		t.Errorf("GetInventory filters = %s, want AWS:Application.Name BeginWith Microsoft SQL Server", got)
	}
	findings := checktest.ByResource(evaluate(at(scanTime), in))
	got := findings[ids["windows"]]
	if got.Status != check.Yellow || got.Columns["SQL Server Version"] != "SQL Server 2017" || got.Columns["Last Updated Time"] != "2026-11-27T22:10:05Z" {
		t.Errorf("self-installed 2017 finding = %+v, want yellow (ends 2027-10-12), version from inventory, capture time", got)
	}
	if _, ok := findings["i-0fffffffffffffff0"]; ok {
		t.Errorf("stale inventory of an instance that no longer exists produced a finding: %+v", findings)
	}
}

// pagedEC2 answers DescribeInstances in the pages given and DescribeImages
// from images, shaped like EC2's answers.
type pagedEC2 struct {
	reservations [][]ec2types.Reservation
	images       map[string]ec2types.Image
}

func (f pagedEC2) DescribeInstances(_ context.Context, in *ec2.DescribeInstancesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	reservations, next := checktest.Page(f.reservations, in.NextToken)
	return &ec2.DescribeInstancesOutput{Reservations: reservations, NextToken: next}, nil
}

func (f pagedEC2) DescribeImages(_ context.Context, in *ec2.DescribeImagesInput, _ ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error) {
	out := &ec2.DescribeImagesOutput{}
	for _, id := range in.ImageIds {
		if img, ok := f.images[id]; ok {
			out.Images = append(out.Images, img)
		}
	}
	return out, nil
}

// pagedInventory answers GetInventory in the pages given.
type pagedInventory [][]ssmtypes.InventoryResultEntity

func (f pagedInventory) GetInventory(_ context.Context, in *ssm.GetInventoryInput, _ ...func(*ssm.Options)) (*ssm.GetInventoryOutput, error) {
	entities, next := checktest.Page(f, in.NextToken)
	return &ssm.GetInventoryOutput{Entities: entities, NextToken: next}, nil
}

// TestCollectReadsEveryPage: the emulator answers DescribeInstances in one
// page, and has no inventory; AWS pages both. What decides the finding is on
// the second page, so reading only the first fails.
func TestCollectReadsEveryPage(t *testing.T) {
	t.Parallel()
	const windowsImage = "ami-0aaaaaaaaaaaaaaa1"
	images := map[string]ec2types.Image{
		testImage:    image(testImage, sql2014AMI, "", "Windows with SQL Server Standard"),
		windowsImage: image(windowsImage, baseWindows, "", "Windows"),
	}
	reservation := func(id, image string) ec2types.Reservation {
		return ec2types.Reservation{Instances: []ec2types.Instance{running(id, image)}}
	}
	sql2017 := ssmtypes.InventoryResultEntity{Id: aws.String("i-0000000000000000b"), Data: map[string]ssmtypes.InventoryResultItem{
		"AWS:Application": {TypeName: aws.String("AWS:Application"), SchemaVersion: aws.String("1.1"), CaptureTime: aws.String("2026-11-27T22:10:05Z"),
			Content: []map[string]string{{"Name": "Microsoft SQL Server 2017 (64-bit)", "Version": "14.0.3456.2"}}},
	}}
	tests := []struct {
		name      string
		ec2       pagedEC2
		inventory pagedInventory
		want      map[string]check.Status
	}{
		{"SQL Server instance on the second page of instances", pagedEC2{
			reservations: [][]ec2types.Reservation{{reservation("i-0000000000000000a", windowsImage)}, {reservation(testInstance, testImage)}},
			images:       images,
		}, pagedInventory{{}}, map[string]check.Status{testInstance: check.Red}},
		{"SQL Server inventory on the second page", pagedEC2{
			reservations: [][]ec2types.Reservation{{reservation("i-0000000000000000a", windowsImage), reservation("i-0000000000000000b", windowsImage)}},
			images:       images,
		}, pagedInventory{{}, {sql2017}}, map[string]check.Status{"i-0000000000000000b": check.Yellow}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in, err := collect(context.Background(), tt.ec2, tt.inventory)
			if err != nil {
				t.Fatalf("collect: %v", err)
			}
			checktest.WantStatuses(t, "evaluate(collect)", evaluate(at(scanTime), in), tt.want)
		})
	}
}

// strictImages answers DescribeImages as EC2 does when an ID is unknown: the
// whole request fails with InvalidAMIID.NotFound. It records each request's
// IDs; deny fails every request as AccessDenied.
type strictImages struct {
	pagedEC2
	deny     bool
	requests *[][]string
}

func (f strictImages) DescribeImages(ctx context.Context, in *ec2.DescribeImagesInput, opts ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error) {
	*f.requests = append(*f.requests, in.ImageIds)
	if f.deny {
		return nil, &smithy.GenericAPIError{Code: "UnauthorizedOperation", Message: "not authorized"}
	}
	for _, id := range in.ImageIds {
		if _, ok := f.images[id]; !ok {
			return nil, &smithy.GenericAPIError{Code: "InvalidAMIID.NotFound", Message: "The image id '[" + id + "]' does not exist"}
		}
	}
	return f.pagedEC2.DescribeImages(ctx, in, opts...)
}

// TestDescribeImagesAroundADeregisteredImage: EC2 rejects a whole batch for
// one unknown image ID; the batch is asked again image by image, so the other
// images are still found. An unknown ID asked alone is skipped.
func TestDescribeImagesAroundADeregisteredImage(t *testing.T) {
	t.Parallel()
	const (
		known1 = "ami-0aaaaaaaaaaaaaaa1"
		known2 = "ami-0aaaaaaaaaaaaaaa2"
		gone   = "ami-0deadbeefdeadbeef"
	)
	images := map[string]ec2types.Image{
		known1: image(known1, sql2014AMI, "", "Windows with SQL Server Standard"),
		known2: image(known2, baseWindows, "", "Windows"),
	}
	tests := []struct {
		name         string
		amis         []string
		wantImages   []string
		wantRequests [][]string
	}{
		{"all known: one batch", []string{known1, known2}, []string{known1, known2},
			[][]string{{known1, known2}}},
		{"one deregistered: the batch, then each alone", []string{known1, gone, known2}, []string{known1, known2},
			[][]string{{known1, gone, known2}, {known1}, {gone}, {known2}}},
		{"only a deregistered one: skipped without asking again", []string{gone}, nil,
			[][]string{{gone}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var requests [][]string
			api := strictImages{pagedEC2: pagedEC2{images: images}, requests: &requests}
			got, err := describeImages(context.Background(), api, instancesOn(tt.amis...))
			if !slices.EqualFunc(requests, tt.wantRequests, slices.Equal) {
				t.Errorf("DescribeImages requests = %v, want %v", requests, tt.wantRequests)
			}
			if err != nil {
				t.Fatalf("describeImages error = %v, want none", err)
			}
			if ids := slices.Sorted(maps.Keys(got)); !slices.Equal(ids, tt.wantImages) {
				t.Errorf("describeImages found %v, want %v", ids, tt.wantImages)
			}
		})
	}
}

// TestDescribeImagesDenied: any error but an unknown ID fails the collection,
// never a partial map.
func TestDescribeImagesDenied(t *testing.T) {
	t.Parallel()
	var requests [][]string
	api := strictImages{deny: true, requests: &requests}
	got, err := describeImages(context.Background(), api, instancesOn("ami-0aaaaaaaaaaaaaaa1", "ami-0aaaaaaaaaaaaaaa2"))
	if err == nil || !strings.Contains(err.Error(), "ec2 DescribeImages") || got != nil {
		t.Errorf("describeImages = %v, %v; want no images and an error naming ec2 DescribeImages", got, err)
	}
	if len(requests) != 1 {
		t.Errorf("DescribeImages requests = %v, want the one batch", requests)
	}
}

// instancesOn returns one running instance per AMI.
func instancesOn(amis ...string) []ec2types.Instance {
	var out []ec2types.Instance
	for i, ami := range amis {
		out = append(out, running(fmt.Sprintf("i-%017d", i), ami))
	}
	return out
}
