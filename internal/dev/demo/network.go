package demo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/secadvisor/secadvisor/internal/awsx"
)

// network is one demo region's VPC: a shop behind a Classic Load Balancer,
// with the security groups such an account accumulates.
type network struct {
	client *ec2.Client
	vpcID  string
	subnet string
	groups map[string]string // group ID by name
}

// newNetwork creates a VPC with one subnet in region.
func newNetwork(ctx context.Context, cfg aws.Config, region string) (*network, error) {
	client := ec2.NewFromConfig(awsx.InRegion(cfg, region))
	vpc, err := client.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		return nil, err
	}
	subnet, err := client.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.0.1.0/24"), AvailabilityZone: aws.String(region + "a")})
	if err != nil {
		return nil, err
	}
	return &network{client: client, vpcID: aws.ToString(vpc.Vpc.VpcId), subnet: aws.ToString(subnet.Subnet.SubnetId), groups: map[string]string{}}, nil
}

// group creates a security group with inbound perms and records its ID.
func (n *network) group(ctx context.Context, name, description string, perms ...ec2types.IpPermission) error {
	out, err := n.client.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(description), VpcId: aws.String(n.vpcID)})
	if err != nil {
		return fmt.Errorf("create security group %s: %w", name, err)
	}
	n.groups[name] = aws.ToString(out.GroupId)
	if len(perms) == 0 {
		return nil
	}
	if _, err := n.client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: out.GroupId, IpPermissions: perms}); err != nil {
		return fmt.Errorf("authorize security group %s: %w", name, err)
	}
	return nil
}

func tcpFrom(port int32, cidrs ...string) ec2types.IpPermission {
	p := ec2types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port)}
	for _, c := range cidrs {
		p.IpRanges = append(p.IpRanges, ec2types.IpRange{CidrIp: aws.String(c)})
	}
	return p
}

// prefixList creates a customer-managed IPv4 prefix list with cidrs and
// returns its ID.
func (n *network) prefixList(ctx context.Context, name string, cidrs ...string) (string, error) {
	in := &ec2.CreateManagedPrefixListInput{PrefixListName: aws.String(name), AddressFamily: aws.String("IPv4"), MaxEntries: aws.Int32(10)}
	for _, c := range cidrs {
		in.Entries = append(in.Entries, ec2types.AddPrefixListEntry{Cidr: aws.String(c)})
	}
	out, err := n.client.CreateManagedPrefixList(ctx, in)
	if err != nil {
		return "", fmt.Errorf("create prefix list %s: %w", name, err)
	}
	return aws.ToString(out.PrefixList.PrefixListId), nil
}

func tcpFromPrefixList(port int32, listID string) ec2types.IpPermission {
	return ec2types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port),
		PrefixListIds: []ec2types.PrefixListId{{PrefixListId: aws.String(listID)}}}
}

func tcpFromGroup(port int32, groupID string) ec2types.IpPermission {
	return ec2types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port),
		UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(groupID)}}}
}

// seedSecurityGroups creates, in each demo region, a shop VPC whose public
// load balancer group opens 80 and 443 (green), an application tier reachable
// only from it, and an office RDP rule limited to a /24 (green); the first
// region has a bastion with SSH and ping open to the world (IPv4 and IPv6),
// and a partner SFTP group whose SSH rule names the customer-managed prefix
// list "partner-offices", to which someone once added 0.0.0.0/0 (open to the
// world, like a 0.0.0.0/0 rule).
// Classic Load Balancers: "shop-web" uses only its listener ports (green),
// "legacy-admin" also opens 8080 to the office (yellow), and in the second
// region "spring-campaign" names a security group that was deleted (red).
func seedSecurityGroups(ctx context.Context, cfg aws.Config) error {
	for i, region := range Regions {
		n, err := newNetwork(ctx, cfg, region)
		if err != nil {
			return err
		}
		if err := n.group(ctx, "shop-web-lb", "public load balancer", tcpFrom(80, "0.0.0.0/0"), tcpFrom(443, "0.0.0.0/0")); err != nil {
			return err
		}
		if err := n.group(ctx, "shop-app", "application servers", tcpFromGroup(8080, n.groups["shop-web-lb"])); err != nil {
			return err
		}
		if err := n.group(ctx, "office-rdp", "remote desktop from the office", tcpFrom(3389, "203.0.113.0/24")); err != nil {
			return err
		}
		if err := n.group(ctx, "legacy-admin-lb", "admin console load balancer", tcpFrom(80, "0.0.0.0/0"), tcpFrom(8080, "203.0.113.0/24")); err != nil {
			return err
		}
		loadBalancers := map[string]string{"shop-web": "shop-web-lb", "legacy-admin": "legacy-admin-lb"}
		if i == 0 {
			ssh := tcpFrom(22, "0.0.0.0/0")
			ssh.Ipv6Ranges = []ec2types.Ipv6Range{{CidrIpv6: aws.String("::/0")}}
			ping := ec2types.IpPermission{IpProtocol: aws.String("icmp"), FromPort: aws.Int32(8), ToPort: aws.Int32(-1), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}
			if err := n.group(ctx, "bastion", "SSH bastion", ssh, ping); err != nil {
				return err
			}
			partners, err := n.prefixList(ctx, "partner-offices", "203.0.113.0/24", "198.51.100.0/24", "0.0.0.0/0")
			if err != nil {
				return err
			}
			if err := n.group(ctx, "partner-sftp", "SFTP for partners", tcpFromPrefixList(22, partners)); err != nil {
				return err
			}
		} else {
			if err := n.group(ctx, "spring-campaign-lb", "campaign load balancer", tcpFrom(80, "0.0.0.0/0")); err != nil {
				return err
			}
			loadBalancers["spring-campaign"] = "spring-campaign-lb"
		}
		lbs := elb.NewFromConfig(awsx.InRegion(cfg, region))
		for name, group := range loadBalancers {
			if _, err := lbs.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{
				LoadBalancerName: aws.String(name), Subnets: []string{n.subnet}, SecurityGroups: []string{n.groups[group]},
				Listeners: []elbtypes.Listener{
					{Protocol: aws.String("HTTP"), LoadBalancerPort: 80, InstanceProtocol: aws.String("HTTP"), InstancePort: aws.Int32(8080)},
					{Protocol: aws.String("TCP"), LoadBalancerPort: 443, InstanceProtocol: aws.String("TCP"), InstancePort: aws.Int32(8443)},
				},
			}); err != nil {
				return fmt.Errorf("create load balancer %s: %w", name, err)
			}
		}
		if i == 0 {
			continue
		}
		// AWS refuses to delete a group in use; the emulator does not, which
		// stands for a group deleted while the load balancer still names it.
		if _, err := n.client.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(n.groups["spring-campaign-lb"])}); err != nil {
			return fmt.Errorf("delete security group spring-campaign-lb: %w", err)
		}
	}
	return nil
}

// seedDatabases creates, in each demo region, a PostgreSQL instance reachable
// only from the application tier (green) and an Aurora cluster reachable from
// the whole VPC range (green: a private range); the first region keeps a DB
// security group from EC2-Classic days with a rule for everyone (red) and one
// for a single address (green), and its Aurora cluster also admits the
// customer-managed prefix list "bi-vendors", which holds 0.0.0.0/0 (red); the
// second region has a MySQL reporting instance whose group is open to the
// internet (red).
func seedDatabases(ctx context.Context, cfg aws.Config) error {
	for i, region := range Regions {
		n, err := newNetwork(ctx, cfg, region)
		if err != nil {
			return err
		}
		if err := n.group(ctx, "orders-app", "order service"); err != nil {
			return err
		}
		if err := n.group(ctx, "orders-db", "order database", tcpFromGroup(5432, n.groups["orders-app"])); err != nil {
			return err
		}
		catalog := []ec2types.IpPermission{tcpFrom(3306, "10.0.0.0/16")}
		if i == 0 {
			vendors, err := n.prefixList(ctx, "bi-vendors", "192.0.2.0/24", "0.0.0.0/0")
			if err != nil {
				return err
			}
			catalog = append(catalog, tcpFromPrefixList(3306, vendors))
		}
		if err := n.group(ctx, "catalog-db", "catalog database", catalog...); err != nil {
			return err
		}
		client := rds.NewFromConfig(awsx.InRegion(cfg, region))
		instances := []*rds.CreateDBInstanceInput{{
			DBInstanceIdentifier: aws.String("orders"), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t3.medium"),
			AllocatedStorage: aws.Int32(50), MasterUsername: aws.String("orders"), MasterUserPassword: aws.String("demo-password-not-real"),
			VpcSecurityGroupIds: []string{n.groups["orders-db"]},
		}}
		if i == 0 {
			if _, err := client.CreateDBSecurityGroup(ctx, &rds.CreateDBSecurityGroupInput{DBSecurityGroupName: aws.String("classic-reports"), DBSecurityGroupDescription: aws.String("from EC2-Classic days")}); err != nil {
				return fmt.Errorf("create DB security group: %w", err)
			}
			for _, cidr := range []string{"0.0.0.0/0", "198.51.100.7/32"} {
				if _, err := client.AuthorizeDBSecurityGroupIngress(ctx, &rds.AuthorizeDBSecurityGroupIngressInput{DBSecurityGroupName: aws.String("classic-reports"), CIDRIP: aws.String(cidr)}); err != nil {
					return fmt.Errorf("authorize DB security group %s: %w", cidr, err)
				}
			}
		} else {
			if err := n.group(ctx, "reporting-db", "reporting database, opened for a vendor", tcpFrom(3306, "0.0.0.0/0")); err != nil {
				return err
			}
			instances = append(instances, &rds.CreateDBInstanceInput{
				DBInstanceIdentifier: aws.String("reporting"), Engine: aws.String("mysql"), DBInstanceClass: aws.String("db.t3.small"),
				AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("reports"), MasterUserPassword: aws.String("demo-password-not-real"),
				VpcSecurityGroupIds: []string{n.groups["reporting-db"]},
			})
		}
		for _, in := range instances {
			if _, err := client.CreateDBInstance(ctx, in); err != nil {
				return fmt.Errorf("create DB instance %s: %w", aws.ToString(in.DBInstanceIdentifier), err)
			}
		}
		if _, err := client.CreateDBCluster(ctx, &rds.CreateDBClusterInput{
			DBClusterIdentifier: aws.String("catalog"), Engine: aws.String("aurora-mysql"),
			MasterUsername: aws.String("catalog"), MasterUserPassword: aws.String("demo-password-not-real"),
			VpcSecurityGroupIds: []string{n.groups["catalog-db"]},
		}); err != nil {
			return fmt.Errorf("create DB cluster: %w", err)
		}
		if _, err := client.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
			DBInstanceIdentifier: aws.String("catalog-1"), DBClusterIdentifier: aws.String("catalog"),
			Engine: aws.String("aurora-mysql"), DBInstanceClass: aws.String("db.r6g.large"),
		}); err != nil {
			return fmt.Errorf("create DB cluster instance: %w", err)
		}
	}
	return nil
}
