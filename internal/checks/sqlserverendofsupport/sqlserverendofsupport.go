// Package sqlserverendofsupport finds EC2 instances running a Microsoft SQL
// Server version that is at or near its end of support. An unsupported version
// no longer gets security updates, which leaves the database exposed.
//
// It looks at instances running now or in the past 24 hours: pending,
// running, stopping and shutting-down instances, and stopped instances whose
// state transition reason ("User initiated (2026-11-27 08:15:00 GMT)") says
// they stopped less than 24 hours ago — or gives no time, in which case they
// are kept rather than silently dropped. Terminated instances are gone and
// not reported.
//
// The SQL Server version comes from every source a user would expect, most
// authoritative first:
//  1. Systems Manager inventory (AWS:Application entries named
//     "Microsoft SQL Server 2014 (64-bit)" …): what is installed now,
//     including self-installed (BYOL) SQL Server and in-place upgrades;
//  2. the license-included AMI's name or description
//     ("Windows_Server-2016-English-Full-SQL_2014_SP3_Standard-…");
//  3. the instance's or image's PlatformDetails ("Windows with SQL Server
//     Standard"), which gives the edition and proves SQL Server is licensed
//     even when the version cannot be found (deregistered AMI, no inventory):
//     that case is reported as error, never as green.
//
// An instance none of these sources ties to SQL Server is not a SQL Server
// instance and gets no finding. Support dates come from lifecycle.json
// (Microsoft's Fixed Lifecycle dates, with their source and the day read).
package sqlserverendofsupport

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/spec"
)

// Meta describes the check: its name, description, criteria,
// recommended action and columns are the specification's (spec.Meta).
var Meta = spec.Meta("Qsdfp3A4L3", check.Meta{
	Slug:       "ec2-sql-server-end-of-support",
	IAMActions: []string{"ec2:DescribeInstances", "ec2:DescribeImages", "ssm:GetInventory"},
	Scope:      check.Regional,
	BeyondSpec: "Self-installed SQL Server is found through Systems Manager inventory; a license-included instance whose version cannot be determined, or a version missing from the shipped lifecycle table, is reported as error rather than green.",
	Data:       []check.Dataset{dataset()},
	// Triggers: launching, starting or terminating an instance adds or removes
	// an instance of the past 24 hours; support dates, the 24 hours and
	// Systems Manager inventory (its agent calls PutInventory on every
	// collection, changed or not) are judged on the schedule.
	Triggers: []check.Trigger{
		{Source: "ec2.amazonaws.com", Names: []string{"RunInstances", "CreateFleet", "StartInstances", "TerminateInstances"}},
	},
})

// Check is the catalog entry.
var Check = check.New(Meta, collectFrom, evaluate)

// EC2API is the part of the EC2 client the check calls.
type EC2API interface {
	ec2.DescribeInstancesAPIClient
	ec2.DescribeImagesAPIClient
}

// InventoryAPI is the part of the Systems Manager client the check calls.
type InventoryAPI interface {
	ssm.GetInventoryAPIClient
}

var (
	_ EC2API       = (*ec2.Client)(nil)
	_ InventoryAPI = (*ssm.Client)(nil)
)

const (
	// instancesPageSize is DescribeInstances' largest page.
	instancesPageSize = 1000
	// imagesPerRequest bounds one DescribeImages request's ImageIds (the
	// operation has no paginator when ImageIds is given).
	imagesPerRequest = 200
	// inventoryPageSize is GetInventory's largest page.
	inventoryPageSize = 100
	// applicationType is the inventory type of installed applications.
	applicationType = "AWS:Application"
	// sqlServerPrefix starts the inventory name of every SQL Server component.
	sqlServerPrefix = "Microsoft SQL Server"
	// recentWindow is the spec's "running in the past 24 hours".
	recentWindow = 24 * time.Hour
)

// collectFrom collects for target with EC2 and Systems Manager clients of
// its account and region.
func collectFrom(ctx context.Context, target check.Target) (Input, error) {
	return collect(ctx, ec2.NewFromConfig(target.Config), ssm.NewFromConfig(target.Config))
}

// Input is what the check evaluates: the region's instances that may have
// run in the past 24 hours, their images (absent when deregistered or not
// visible), and the SQL Server entries of Systems Manager inventory by
// instance ID.
type Input struct {
	Instances    []ec2types.Instance
	Images       map[string]ec2types.Image
	Applications map[string]Inventory
}

// Inventory is one instance's SQL Server applications as inventory saw them.
type Inventory struct {
	CaptureTime  string
	Applications []Application
}

// Application is one AWS:Application inventory entry.
type Application struct {
	Name    string
	Version string
}

// collect reads the instances, their images in batched DescribeImages calls,
// and the SQL Server inventory of the whole region in one paginated
// GetInventory listing (filtered server-side to instances that have a
// "Microsoft SQL Server…" application) instead of one ListInventoryEntries
// call per managed instance.
func collect(ctx context.Context, ec2API EC2API, inventoryAPI InventoryAPI) (Input, error) {
	instances, err := listInstances(ctx, ec2API)
	if err != nil {
		return Input{}, err
	}
	in := Input{Instances: instances}
	if len(instances) == 0 {
		return in, nil
	}
	if in.Images, err = describeImages(ctx, ec2API, instances); err != nil {
		return Input{}, err
	}
	if in.Applications, err = sqlServerInventory(ctx, inventoryAPI); err != nil {
		return Input{}, err
	}
	return in, nil
}

func listInstances(ctx context.Context, api EC2API) ([]ec2types.Instance, error) {
	var out []ec2types.Instance
	pages := ec2.NewDescribeInstancesPaginator(api, &ec2.DescribeInstancesInput{
		MaxResults: aws.Int32(instancesPageSize),
		Filters: []ec2types.Filter{{
			Name:   aws.String("instance-state-name"),
			Values: []string{"pending", "running", "shutting-down", "stopping", "stopped"},
		}},
	}, func(o *ec2.DescribeInstancesPaginatorOptions) { o.StopOnDuplicateToken = true })
	reservations, err := awsx.AllPages(ctx, pages, func(p *ec2.DescribeInstancesOutput) []ec2types.Reservation { return p.Reservations })
	if err != nil {
		return nil, check.WrapOp("ec2 DescribeInstances", err)
	}
	for _, r := range reservations {
		out = append(out, r.Instances...)
	}
	return out, nil
}

// describeImages returns the instances' images by ID. A deregistered image is
// simply missing from the answer.
func describeImages(ctx context.Context, api EC2API, instances []ec2types.Instance) (map[string]ec2types.Image, error) {
	var ids []string
	for _, inst := range instances {
		if id := aws.ToString(inst.ImageId); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	images := map[string]ec2types.Image{}
	for batch := range slices.Chunk(ids, imagesPerRequest) {
		if err := addImages(ctx, api, batch, images); err != nil {
			return nil, err
		}
	}
	return images, nil
}

// addImages describes the images ids into images. If AWS rejects the request
// because an ID is unknown, each ID is asked again alone, so that one bad ID
// does not hide the others; an unknown ID asked alone is skipped.
func addImages(ctx context.Context, api EC2API, ids []string, images map[string]ec2types.Image) error {
	out, err := api.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: ids})
	switch {
	case awsx.Is(err, awsx.KindNotFound) && len(ids) > 1:
		for _, id := range ids {
			if err := addImages(ctx, api, []string{id}, images); err != nil {
				return err
			}
		}
		return nil
	case awsx.Is(err, awsx.KindNotFound):
		return nil
	case err != nil:
		return check.WrapOp("ec2 DescribeImages", err)
	}
	for _, img := range out.Images {
		images[aws.ToString(img.ImageId)] = img
	}
	return nil
}

// sqlServerInventory lists, for every instance whose inventory has an
// application named "Microsoft SQL Server…", those applications.
func sqlServerInventory(ctx context.Context, api InventoryAPI) (map[string]Inventory, error) {
	out := map[string]Inventory{}
	pages := ssm.NewGetInventoryPaginator(api, &ssm.GetInventoryInput{
		MaxResults: aws.Int32(inventoryPageSize),
		Filters: []ssmtypes.InventoryFilter{{
			Key:    aws.String(applicationType + ".Name"),
			Values: []string{sqlServerPrefix},
			Type:   ssmtypes.InventoryQueryOperatorTypeBeginWith,
		}},
		ResultAttributes: []ssmtypes.ResultAttribute{{TypeName: aws.String(applicationType)}},
	}, func(o *ssm.GetInventoryPaginatorOptions) { o.StopOnDuplicateToken = true })
	// Page by page, so that only SQL Server's applications are kept.
	err := awsx.EachPage(ctx, pages, func(page *ssm.GetInventoryOutput) error {
		for _, entity := range page.Entities {
			item, ok := entity.Data[applicationType]
			if !ok {
				continue
			}
			inv := Inventory{CaptureTime: aws.ToString(item.CaptureTime)}
			// The filter selects instances; their content may still list every
			// application, so keep only SQL Server's.
			for _, app := range item.Content {
				if strings.HasPrefix(app["Name"], sqlServerPrefix) {
					inv.Applications = append(inv.Applications, Application{Name: app["Name"], Version: app["Version"]})
				}
			}
			out[aws.ToString(entity.Id)] = inv
		}
		return nil
	})
	if err != nil {
		return nil, check.WrapOp("ssm GetInventory", err)
	}
	return out, nil
}

var (
	// inventoryEngine matches the database engine's own inventory entry, not
	// the shared tools ("…2012 Native Client", "…Management Studio").
	inventoryEngine = regexp.MustCompile(`^Microsoft SQL Server (\d{4})( R2)? \((?:32|64)-bit\)$`)
	// amiName matches Amazon's license-included AMI names, e.g.
	// "Windows_Server-2016-English-Full-SQL_2014_SP3_Standard-2024.01.10",
	// "Windows_Server-2008-R2_SP1-English-64Bit-SQL_2008_R2_SP3_Web-…",
	// "amzn2-x86_64-SQL_2019_Standard-2024.01.10".
	amiName = regexp.MustCompile(`SQL_(\d{4})(_R2)?(?:_(SP\d+|RTM))?(?:_(Express|Web|Standard|Enterprise|Developer))?`)
	// amiDescription matches descriptions such as "Microsoft Windows Server
	// 2016 with SQL Server 2014 SP3 Standard".
	amiDescription = regexp.MustCompile(`SQL Server (\d{4})( R2)?(?: (SP\d+|RTM))?(?: (Express|Web|Standard|Enterprise|Developer))?`)
	// platformEdition matches PlatformDetails such as "Windows with SQL Server Standard".
	platformEdition = regexp.MustCompile(`SQL Server (Express|Web|Standard|Enterprise)`)
)

// detection is one SQL Server version found on an instance.
type detection struct {
	Release string // lifecycle key: "2014", "2008 R2"
	Detail  string // service pack and edition, when known: "SP3 Standard"
	Source  string
	Updated string // when the source last changed, for "Last Updated Time"
}

func (d detection) label() string {
	return strings.TrimSpace("SQL Server " + d.Release + " " + d.Detail)
}

// detect returns the SQL Server versions on inst, from the most authoritative
// source that names one, and the licensed edition from PlatformDetails.
func detect(inst ec2types.Instance, image *ec2types.Image, inv Inventory, hasInventory bool) ([]detection, string) {
	platform := aws.ToString(inst.PlatformDetails)
	if platform == "" && image != nil {
		platform = aws.ToString(image.PlatformDetails)
	}
	edition := ""
	if m := platformEdition.FindStringSubmatch(platform); m != nil {
		edition = m[1]
	}
	if hasInventory {
		var found []detection
		for _, app := range inv.Applications {
			if m := inventoryEngine.FindStringSubmatch(app.Name); m != nil {
				found = append(found, detection{Release: m[1] + m[2], Detail: edition, Source: "Systems Manager inventory (" + app.Name + " " + app.Version + ")", Updated: inv.CaptureTime})
			}
		}
		if len(found) > 0 {
			return found, edition
		}
	}
	if image != nil {
		launched := ""
		if inst.LaunchTime != nil {
			launched = inst.LaunchTime.UTC().Format(time.RFC3339)
		}
		for _, field := range []struct {
			text, source string
			re           *regexp.Regexp
		}{
			{aws.ToString(image.Name), "AMI name", amiName},
			{aws.ToString(image.Description), "AMI description", amiDescription},
		} {
			if m := field.re.FindStringSubmatch(field.text); m != nil {
				imageEdition := m[4]
				if imageEdition == "" {
					imageEdition = edition
				}
				return []detection{{
					Release: m[1] + strings.ReplaceAll(m[2], "_", " "),
					Detail:  strings.TrimSpace(m[3] + " " + imageEdition),
					Source:  fmt.Sprintf("%s %q", field.source, field.text),
					Updated: launched,
				}}, edition
			}
		}
	}
	return nil, edition
}

// ranRecently reports whether inst ran at some point in the window before
// now. Only a stopped instance can have stopped running earlier: its state
// transition reason carries the time it stopped. Without a readable time it
// is kept, so an unparseable reason never hides an instance.
func ranRecently(inst ec2types.Instance, now time.Time) bool {
	if inst.State == nil || inst.State.Name != ec2types.InstanceStateNameStopped {
		return true
	}
	stopped, ok := transitionTime(aws.ToString(inst.StateTransitionReason))
	return !ok || now.Sub(stopped) <= recentWindow
}

// transitionReason matches "User initiated (2026-11-27 08:15:00 GMT)"; the
// emulator writes "UTC" where AWS writes "GMT".
var transitionReason = regexp.MustCompile(`\((\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (?:GMT|UTC)\)`)

func transitionTime(reason string) (time.Time, bool) {
	m := transitionReason.FindStringSubmatch(reason)
	if m == nil {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateTime, m[1])
	return t, err == nil
}

// statusFor applies the spec to an end-of-support date: red from that day
// on, yellow when it falls within the next 12 calendar months (end <= today
// + 12 months), green otherwise.
func statusFor(end, now time.Time) check.Status {
	today := now.UTC().Truncate(24 * time.Hour)
	switch {
	case !today.Before(end):
		return check.Red
	case !end.After(today.AddDate(0, 12, 0)):
		return check.Yellow
	}
	return check.Green
}

// supportCycle names the lifecycle phase a version is in on now's date.
func supportCycle(lc supportLifecycle, now time.Time) string {
	today := now.UTC().Truncate(24 * time.Hour)
	switch {
	case today.Before(lc.MainstreamEnd):
		return "Mainstream support"
	case today.Before(lc.ExtendedEnd):
		return "Extended support"
	}
	return "End of support"
}

// evaluate reports every SQL Server instance that ran in the 24 hours
// before the scan, judged as of the scan's time.
func evaluate(target check.Target, in Input) []check.Finding {
	now := target.ScanTime
	var findings []check.Finding
	for _, inst := range in.Instances {
		if !ranRecently(inst, now) {
			continue
		}
		id := aws.ToString(inst.InstanceId)
		var image *ec2types.Image
		if img, ok := in.Images[aws.ToString(inst.ImageId)]; ok {
			image = &img
		}
		inv, hasInventory := in.Applications[id]
		found, edition := detect(inst, image, inv, hasInventory)
		if len(found) == 0 {
			if edition != "" {
				findings = append(findings, Meta.Unevaluated(target, id, fmt.Sprintf(
					"the instance is licensed for SQL Server %s (PlatformDetails) but its version is unknown: image %s is not visible (deregistered?) and Systems Manager inventory has no SQL Server entry for it",
					edition, aws.ToString(inst.ImageId)), map[string]string{"Instance ID": id, "SQL Server Version": "SQL Server " + edition}))
			}
			continue // not a SQL Server instance
		}
		findings = append(findings, evaluateInstance(target, id, found, now))
	}
	return findings
}

// evaluateInstance reports the instance by its least supported SQL Server.
func evaluateInstance(target check.Target, id string, found []detection, now time.Time) check.Finding {
	for _, d := range found {
		columns := map[string]string{"Instance ID": id, "SQL Server Version": d.label(), "Last Updated Time": d.Updated}
		if lifecycleErr != nil {
			return Meta.Unevaluated(target, id, fmt.Sprintf(
				"%s: the shipped lifecycle table is unreadable: %v", d.label(), lifecycleErr), columns)
		}
		if _, known := lifecycle.versions[d.Release]; !known {
			return Meta.Unevaluated(target, id, fmt.Sprintf(
				"%s (from %s) is not in the lifecycle table (read from Microsoft's lifecycle pages on %s); add its dates to internal/checks/sqlserverendofsupport/lifecycle.json",
				d.label(), d.Source, lifecycle.asOf.Format(time.DateOnly)), columns)
		}
	}
	sort.SliceStable(found, func(i, j int) bool {
		return lifecycle.versions[found[i].Release].ExtendedEnd.Before(lifecycle.versions[found[j].Release].ExtendedEnd)
	})
	worst := found[0]
	lc := lifecycle.versions[worst.Release]
	status := statusFor(lc.ExtendedEnd, now)
	end := lc.ExtendedEnd.Format(time.DateOnly)
	var reason string
	switch status {
	case check.Red:
		reason = fmt.Sprintf("%s reached the end of support on %s: no more security updates.", worst.label(), end)
	case check.Yellow:
		reason = fmt.Sprintf("%s reaches the end of support on %s, within 12 months.", worst.label(), end)
	default:
		reason = fmt.Sprintf("%s is supported until %s.", worst.label(), end)
	}
	reason += " Version from " + worst.Source + "."
	if len(found) > 1 {
		others := make([]string, 0, len(found)-1)
		for _, d := range found[1:] {
			others = append(others, d.label())
		}
		reason += " Also installed: " + strings.Join(others, ", ") + "."
	}
	return Meta.NewFinding(target, id, status, reason, map[string]string{
		"Instance ID":        id,
		"SQL Server Version": worst.label(),
		"Support Cycle":      supportCycle(lc, now),
		"End of Support":     end,
		"Last Updated Time":  worst.Updated,
	})
}
