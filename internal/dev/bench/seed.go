package bench

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/dev/demo"
)

// Account is what Seed created that the benchmark changes later.
type Account struct {
	Spec Spec
	// Per region: every EBS snapshot and every seeded security group, in
	// creation order.
	Snapshots map[string][]string
	Groups    map[string][]string
	// Calls is the number of API calls seeding made.
	Calls int64
}

// task is one unit of seeding work; tasks of one phase run concurrently.
type task func(ctx context.Context) error

// runTasks runs tasks on workers goroutines and returns the first error,
// cancelling the rest.
func runTasks(ctx context.Context, workers int, tasks []task) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
		next  = make(chan task)
	)
	for range max(1, min(workers, len(tasks))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range next {
				if ctx.Err() != nil {
					continue
				}
				if err := t(ctx); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		}()
	}
	for _, t := range tasks {
		next <- t
	}
	close(next)
	wg.Wait()
	return first
}

// regionSeed holds one region's shared resources, created before the
// region's bulk resources that need them.
type regionSeed struct {
	region   string
	ec2      *ec2.Client
	rds      *rds.Client
	elb      *elb.Client
	lambda   *lambda.Client
	vpcID    string
	subnetID string
	volumeID string
	dbID     string
}

// Seed creates the reference account described by spec through cfg (an
// emulator configuration, Lambda without Docker) with workers concurrent
// requests. Resources are created in two phases: per-region scaffolding (a
// VPC, a volume, a DB instance, the functions' role), then every bulk
// resource at once. Security groups get all their inbound rules in one
// AuthorizeSecurityGroupIngress call.
func Seed(ctx context.Context, cfg aws.Config, spec Spec, workers int) (*Account, error) {
	var calls atomic.Int64
	cfg = cfg.Copy()
	cfg.APIOptions = append(cfg.APIOptions, countCalls(&calls))
	acct := &Account{Spec: spec, Snapshots: map[string][]string{}, Groups: map[string][]string{}}
	iamClient := iam.NewFromConfig(cfg)
	var roleARN string
	regions := make([]*regionSeed, len(spec.Regions))
	var scaffold []task
	scaffold = append(scaffold, func(ctx context.Context) error {
		out, err := iamClient.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName:                 aws.String("bench-lambda-exec"),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
		})
		if err != nil {
			return fmt.Errorf("create role: %w", err)
		}
		roleARN = aws.ToString(out.Role.Arn)
		return nil
	})
	for i, region := range spec.Regions {
		rc := awsx.InRegion(cfg, region)
		r := &regionSeed{region: region, ec2: ec2.NewFromConfig(rc), rds: rds.NewFromConfig(rc), elb: elb.NewFromConfig(rc), lambda: lambda.NewFromConfig(rc)}
		regions[i] = r
		acct.Snapshots[region] = make([]string, spec.EBSSnapshots)
		acct.Groups[region] = make([]string, spec.SecurityGroups)
		scaffold = append(scaffold, func(ctx context.Context) error {
			vpc, err := r.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
			if err != nil {
				return fmt.Errorf("%s create vpc: %w", region, err)
			}
			r.vpcID = aws.ToString(vpc.Vpc.VpcId)
			subnet, err := r.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.0.1.0/24"), AvailabilityZone: aws.String(region + "a")})
			if err != nil {
				return fmt.Errorf("%s create subnet: %w", region, err)
			}
			r.subnetID = aws.ToString(subnet.Subnet.SubnetId)
			return nil
		}, func(ctx context.Context) error {
			vol, err := r.ec2.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(region + "a"), Size: aws.Int32(8)})
			if err != nil {
				return fmt.Errorf("%s create volume: %w", region, err)
			}
			r.volumeID = aws.ToString(vol.VolumeId)
			return nil
		}, func(ctx context.Context) error {
			r.dbID = "bench-db"
			_, err := r.rds.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
				DBInstanceIdentifier: aws.String(r.dbID), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t3.medium"),
				AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("bench"), MasterUserPassword: aws.String("bench-password-not-real"),
			})
			if err != nil {
				return fmt.Errorf("%s create db instance: %w", region, err)
			}
			return nil
		})
	}
	if err := runTasks(ctx, workers, scaffold); err != nil {
		return nil, err
	}

	code, err := demo.FunctionZip()
	if err != nil {
		return nil, err
	}
	var bulk []task
	for _, r := range regions {
		bulk = append(bulk, securityGroupTasks(r, spec, acct.Groups[r.region])...)
		bulk = append(bulk, snapshotTasks(r, spec, acct.Snapshots[r.region])...)
		bulk = append(bulk, rdsSnapshotTasks(r, spec)...)
		bulk = append(bulk, functionTasks(r, spec, roleARN, code)...)
	}
	bulk = append(bulk, bucketTasks(cfg, spec)...)
	bulk = append(bulk, userTasks(iamClient, spec)...)
	bulk = append(bulk, zoneTasks(route53.NewFromConfig(cfg), spec)...)
	if err := runTasks(ctx, workers, interleave(bulk)); err != nil {
		return nil, err
	}
	// Load balancers name security groups created in the bulk phase.
	var lbs []task
	for _, r := range regions {
		lbs = append(lbs, loadBalancerTasks(r, spec, acct.Groups[r.region])...)
	}
	if err := runTasks(ctx, workers, lbs); err != nil {
		return nil, err
	}
	acct.Calls = calls.Load()
	return acct, nil
}

// interleave spreads tasks so that concurrent workers hit different
// services rather than queueing on one emulator backend's lock.
func interleave(tasks []task) []task {
	const stride = 7
	out := make([]task, 0, len(tasks))
	for start := range stride {
		for i := start; i < len(tasks); i += stride {
			out = append(out, tasks[i])
		}
	}
	return out
}

// securityGroupTasks: each group gets RulesPerGroup inbound rules in one
// call. Sources are mostly private ranges; every 10th group opens 443 to the
// world (green), every 25th SSH (22, yellow), every 50th RDP (3389, red).
func securityGroupTasks(r *regionSeed, spec Spec, ids []string) []task {
	tasks := make([]task, spec.SecurityGroups)
	for i := range spec.SecurityGroups {
		tasks[i] = func(ctx context.Context) error {
			out, err := r.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
				GroupName: aws.String(fmt.Sprintf("bench-sg-%04d", i)), Description: aws.String("benchmark tier"), VpcId: aws.String(r.vpcID),
			})
			if err != nil {
				return fmt.Errorf("%s create security group %d: %w", r.region, i, err)
			}
			ids[i] = aws.ToString(out.GroupId)
			perms := groupRules(i, spec.RulesPerGroup)
			if _, err := r.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: out.GroupId, IpPermissions: perms}); err != nil {
				return fmt.Errorf("%s authorize security group %d: %w", r.region, i, err)
			}
			return nil
		}
	}
	return tasks
}

// groupRules returns n single-source inbound rules for group i.
func groupRules(i, n int) []ec2types.IpPermission {
	ports := []int32{443, 8080, 5432, 6379, 9200, 22, 3389, 53}
	perms := make([]ec2types.IpPermission, 0, n)
	for k := range n {
		port := ports[k%len(ports)]
		cidr := fmt.Sprintf("10.%d.%d.0/24", k, i%250)
		switch {
		case k == 0 && i%10 == 0:
			cidr = "0.0.0.0/0"
		case k == 1 && i%25 == 0:
			port, cidr = 22, "0.0.0.0/0"
		case k == 2 && i%50 == 0:
			port, cidr = 3389, "0.0.0.0/0"
		}
		perms = append(perms, ec2types.IpPermission{
			IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String(cidr)}},
		})
	}
	return perms
}

// snapshotTasks: one snapshot each; the first PublicSnapshot of every
// hundred are shared with everyone (the emulator applies only the legacy
// OperationType+GroupNames form, docs/development.md).
func snapshotTasks(r *regionSeed, spec Spec, ids []string) []task {
	stride := max(1, spec.EBSSnapshots/spec.PublicSnapshot)
	tasks := make([]task, spec.EBSSnapshots)
	for i := range spec.EBSSnapshots {
		tasks[i] = func(ctx context.Context) error {
			out, err := r.ec2.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: aws.String(r.volumeID), Description: aws.String(fmt.Sprintf("nightly backup %d", i))})
			if err != nil {
				return fmt.Errorf("%s create snapshot %d: %w", r.region, i, err)
			}
			ids[i] = aws.ToString(out.SnapshotId)
			if i%stride != 0 || i/stride >= spec.PublicSnapshot {
				return nil
			}
			return makeSnapshotPublic(ctx, r.ec2, ids[i])
		}
	}
	return tasks
}

func makeSnapshotPublic(ctx context.Context, client *ec2.Client, id string) error {
	_, err := client.ModifySnapshotAttribute(ctx, &ec2.ModifySnapshotAttributeInput{
		SnapshotId: aws.String(id), Attribute: ec2types.SnapshotAttributeNameCreateVolumePermission,
		OperationType: ec2types.OperationTypeAdd, GroupNames: []string{"all"},
	})
	if err != nil {
		return fmt.Errorf("make snapshot %s public: %w", id, err)
	}
	return nil
}

// rdsSnapshotTasks: manual snapshots of the region's DB instance; 1 % public,
// 5 % shared with a partner account.
func rdsSnapshotTasks(r *regionSeed, spec Spec) []task {
	tasks := make([]task, spec.RDSSnapshots)
	for i := range spec.RDSSnapshots {
		tasks[i] = func(ctx context.Context) error {
			id := fmt.Sprintf("bench-db-snap-%04d", i)
			if _, err := r.rds.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String(r.dbID), DBSnapshotIdentifier: aws.String(id)}); err != nil {
				return fmt.Errorf("%s create db snapshot %s: %w", r.region, id, err)
			}
			var restore string
			switch {
			case i%100 == 0:
				restore = "all"
			case i%20 == 1:
				restore = "444455556666"
			default:
				return nil
			}
			if _, err := r.rds.ModifyDBSnapshotAttribute(ctx, &rds.ModifyDBSnapshotAttributeInput{
				DBSnapshotIdentifier: aws.String(id), AttributeName: aws.String("restore"), ValuesToAdd: []string{restore},
			}); err != nil {
				return fmt.Errorf("%s share db snapshot %s: %w", r.region, id, err)
			}
			return nil
		}
	}
	return tasks
}

// functionRuntimes cycle over the functions: mostly current runtimes, one
// in eight deprecated (python3.9) and one in eight past deprecation
// (nodejs16.x).
var functionRuntimes = []lambdatypes.Runtime{
	lambdatypes.RuntimeNodejs22x, lambdatypes.RuntimePython313, lambdatypes.RuntimeJava21, lambdatypes.RuntimeProvidedal2023,
	lambdatypes.RuntimeNodejs22x, lambdatypes.RuntimePython313, lambdatypes.RuntimePython39, lambdatypes.RuntimeNodejs16x,
}

func functionTasks(r *regionSeed, spec Spec, role string, code []byte) []task {
	tasks := make([]task, spec.LambdaFuncs)
	for i := range spec.LambdaFuncs {
		tasks[i] = func(ctx context.Context) error {
			runtime := functionRuntimes[i%len(functionRuntimes)]
			handler := "index.handler"
			if runtime == lambdatypes.RuntimeProvidedal2023 {
				handler = "bootstrap"
			}
			if _, err := r.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{
				FunctionName: aws.String(fmt.Sprintf("bench-fn-%04d", i)), Runtime: runtime, Role: aws.String(role),
				Handler: aws.String(handler), Code: &lambdatypes.FunctionCode{ZipFile: code},
			}); err != nil {
				return fmt.Errorf("%s create function %d: %w", r.region, i, err)
			}
			return nil
		}
	}
	return tasks
}

// loadBalancerTasks: Classic Load Balancers in the region's subnet, each with
// one seeded security group.
func loadBalancerTasks(r *regionSeed, spec Spec, groups []string) []task {
	tasks := make([]task, spec.ClassicLBs)
	for i := range spec.ClassicLBs {
		tasks[i] = func(ctx context.Context) error {
			if _, err := r.elb.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{
				LoadBalancerName: aws.String(fmt.Sprintf("bench-clb-%03d", i)), Subnets: []string{r.subnetID},
				SecurityGroups: []string{groups[(i*7)%len(groups)]},
				Listeners: []elbtypes.Listener{
					{Protocol: aws.String("HTTP"), LoadBalancerPort: 80, InstanceProtocol: aws.String("HTTP"), InstancePort: aws.Int32(8080)},
					{Protocol: aws.String("TCP"), LoadBalancerPort: 443, InstanceProtocol: aws.String("TCP"), InstancePort: aws.Int32(8443)},
				},
			}); err != nil {
				return fmt.Errorf("%s create load balancer %d: %w", r.region, i, err)
			}
			return nil
		}
	}
	return tasks
}

// bucketTasks spread buckets over the regions with mixed exposure: one in
// twenty readable by everyone through a canned ACL, one listable by any AWS
// user, one public through its policy, one whose policy is confined to a VPC
// endpoint (not public); the rest private.
func bucketTasks(cfg aws.Config, spec Spec) []task {
	clients := map[string]*s3.Client{}
	for _, region := range spec.Regions {
		clients[region] = s3.NewFromConfig(awsx.InRegion(cfg, region), func(o *s3.Options) { o.UsePathStyle = awsx.CustomEndpoint(cfg) })
	}
	tasks := make([]task, spec.Buckets)
	for i := range spec.Buckets {
		region := spec.Regions[i%len(spec.Regions)]
		client := clients[region]
		tasks[i] = func(ctx context.Context) error {
			name := fmt.Sprintf("bench-bucket-%05d", i)
			in := &s3.CreateBucketInput{Bucket: aws.String(name)}
			if region != "us-east-1" {
				in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
			}
			switch i % 20 {
			case 0:
				in.ACL = s3types.BucketCannedACLPublicRead
			case 1:
				in.ACL = s3types.BucketCannedACLAuthenticatedRead
			}
			if _, err := client.CreateBucket(ctx, in); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
			var policy string
			switch i % 20 {
			case 2:
				policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + name + `/*"}]}`
			case 3:
				policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::` + name + `","arn:aws:s3:::` + name + `/*"],"Condition":{"StringEquals":{"aws:SourceVpce":"vpce-0a1b2c3d4e5f"}}}]}`
			default:
				return nil
			}
			if _, err := client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(name), Policy: aws.String(policy)}); err != nil {
				return fmt.Errorf("put policy of %s: %w", name, err)
			}
			return nil
		}
	}
	return tasks
}

// userTasks: Users users; the first AccessKeys-Users of them hold two keys,
// the rest one.
func userTasks(client *iam.Client, spec Spec) []task {
	twoKeys := spec.AccessKeys - spec.Users
	tasks := make([]task, spec.Users)
	for i := range spec.Users {
		tasks[i] = func(ctx context.Context) error {
			name := fmt.Sprintf("bench-user-%05d", i)
			if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
				return fmt.Errorf("create user %s: %w", name, err)
			}
			keys := 1
			if i < twoKeys {
				keys = 2
			}
			if i >= spec.AccessKeys {
				keys = 0
			}
			for range keys {
				if _, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)}); err != nil {
					return fmt.Errorf("create access key of %s: %w", name, err)
				}
			}
			return nil
		}
	}
	return tasks
}

// zoneTasks: public hosted zones that receive mail; four in five publish SPF.
func zoneTasks(client *route53.Client, spec Spec) []task {
	tasks := make([]task, spec.HostedZones)
	for i := range spec.HostedZones {
		tasks[i] = func(ctx context.Context) error {
			name := fmt.Sprintf("bench-%04d.example.com.", i)
			out, err := client.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String(name), CallerReference: aws.String(fmt.Sprintf("bench-%d-%d", i, time.Now().UnixNano()))})
			if err != nil {
				return fmt.Errorf("create hosted zone %s: %w", name, err)
			}
			txt := `"v=spf1 include:amazonses.com ~all"`
			if i%5 == 4 {
				txt = `"google-site-verification=bench"`
			}
			changes := []r53types.Change{
				{Action: r53types.ChangeActionCreate, ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String(name), Type: r53types.RRTypeMx, TTL: aws.Int64(300),
					ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("10 inbound-smtp.us-east-1.amazonaws.com.")}}}},
				{Action: r53types.ChangeActionCreate, ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String(name), Type: r53types.RRTypeTxt, TTL: aws.Int64(300),
					ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(txt)}}}},
			}
			if _, err := client.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{
				HostedZoneId: aws.String(strings.TrimPrefix(aws.ToString(out.HostedZone.Id), "/hostedzone/")),
				ChangeBatch:  &r53types.ChangeBatch{Changes: changes},
			}); err != nil {
				return fmt.Errorf("records of %s: %w", name, err)
			}
			return nil
		}
	}
	return tasks
}
