package demo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/secadvisor/secadvisor/internal/awsx"
)

// seedListenerSecurity creates HTTPS load balancers for ELB listener
// security: in the first region a Classic LB on the current predefined
// policy (green) and two ALBs, one on the recommended TLS 1.3 policy (green)
// and one left on ELBSecurityPolicy-2016-08 (yellow, beyond the spec); in
// the second a Classic LB whose custom policy still enables SSLv3 and RC4
// (red) next to an SSL listener on the outdated 2016-08 policy (yellow).
func seedListenerSecurity(ctx context.Context, cfg aws.Config) error {
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("get caller identity: %w", err)
	}
	cert := "arn:aws:iam::" + aws.ToString(id.Account) + ":server-certificate/www-example-com"
	https := func(protocol string, port int32) elbtypes.Listener {
		return elbtypes.Listener{Protocol: aws.String(protocol), LoadBalancerPort: port, InstanceProtocol: aws.String("HTTP"), InstancePort: aws.Int32(8080), SSLCertificateId: aws.String(cert)}
	}
	for i, region := range Regions {
		classic := elb.NewFromConfig(awsx.InRegion(cfg, region))
		policy := func(lb, name string, port int32, attrs ...string) error {
			var pa []elbtypes.PolicyAttribute
			for j := 0; j+1 < len(attrs); j += 2 {
				pa = append(pa, elbtypes.PolicyAttribute{AttributeName: aws.String(attrs[j]), AttributeValue: aws.String(attrs[j+1])})
			}
			if _, err := classic.CreateLoadBalancerPolicy(ctx, &elb.CreateLoadBalancerPolicyInput{LoadBalancerName: aws.String(lb), PolicyName: aws.String(name), PolicyTypeName: aws.String("SSLNegotiationPolicyType"), PolicyAttributes: pa}); err != nil {
				return fmt.Errorf("create policy %s: %w", name, err)
			}
			if _, err := classic.SetLoadBalancerPoliciesOfListener(ctx, &elb.SetLoadBalancerPoliciesOfListenerInput{LoadBalancerName: aws.String(lb), LoadBalancerPort: port, PolicyNames: []string{name}}); err != nil {
				return fmt.Errorf("set policy %s: %w", name, err)
			}
			return nil
		}
		if i == 0 {
			if _, err := classic.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{LoadBalancerName: aws.String("storefront"), AvailabilityZones: []string{region + "a"}, Listeners: []elbtypes.Listener{https("HTTPS", 443)}}); err != nil {
				return fmt.Errorf("create load balancer storefront: %w", err)
			}
			if err := policy("storefront", "storefront-tls12", 443, "Reference-Security-Policy", "ELBSecurityPolicy-TLS-1-2-2017-01"); err != nil {
				return err
			}
			if err := seedALBs(ctx, cfg, region, cert); err != nil {
				return err
			}
			continue
		}
		if _, err := classic.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{LoadBalancerName: aws.String("legacy-checkout"), AvailabilityZones: []string{region + "a"}, Listeners: []elbtypes.Listener{https("HTTPS", 443), https("SSL", 8443)}}); err != nil {
			return fmt.Errorf("create load balancer legacy-checkout: %w", err)
		}
		if err := policy("legacy-checkout", "legacy-checkout-ssl", 443, "Protocol-SSLv3", "true", "Protocol-TLSv1.2", "true", "RC4-SHA", "true", "ECDHE-RSA-AES128-GCM-SHA256", "true"); err != nil {
			return err
		}
		if err := policy("legacy-checkout", "legacy-checkout-2016", 8443, "Reference-Security-Policy", "ELBSecurityPolicy-2016-08"); err != nil {
			return err
		}
	}
	return nil
}

// seedALBs creates two internet-facing ALBs with an HTTPS listener each.
func seedALBs(ctx context.Context, cfg aws.Config, region, cert string) error {
	network := ec2.NewFromConfig(awsx.InRegion(cfg, region))
	vpc, err := network.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.20.0.0/16")})
	if err != nil {
		return fmt.Errorf("create vpc: %w", err)
	}
	var subnets []string
	for i, az := range []string{"a", "b"} {
		s, err := network.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String(fmt.Sprintf("10.20.%d.0/24", i+1)), AvailabilityZone: aws.String(region + az)})
		if err != nil {
			return fmt.Errorf("create subnet: %w", err)
		}
		subnets = append(subnets, aws.ToString(s.Subnet.SubnetId))
	}
	client := elbv2.NewFromConfig(awsx.InRegion(cfg, region))
	tg, err := client.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String("api-servers"), Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(8080), VpcId: vpc.Vpc.VpcId})
	if err != nil {
		return fmt.Errorf("create target group: %w", err)
	}
	forward := []elbv2types.Action{{Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: tg.TargetGroups[0].TargetGroupArn}}
	for _, lb := range []struct{ name, policy string }{
		{"api-gateway", "ELBSecurityPolicy-TLS13-1-2-2021-06"},
		{"partner-api", "ELBSecurityPolicy-2016-08"},
	} {
		out, err := client.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(lb.name), Subnets: subnets, Type: elbv2types.LoadBalancerTypeEnumApplication})
		if err != nil {
			return fmt.Errorf("create ALB %s: %w", lb.name, err)
		}
		if _, err := client.CreateListener(ctx, &elbv2.CreateListenerInput{
			LoadBalancerArn: out.LoadBalancers[0].LoadBalancerArn, Protocol: elbv2types.ProtocolEnumHttps, Port: aws.Int32(443),
			SslPolicy: aws.String(lb.policy), Certificates: []elbv2types.Certificate{{CertificateArn: aws.String(cert)}}, DefaultActions: forward,
		}); err != nil {
			return fmt.Errorf("create listener of %s: %w", lb.name, err)
		}
	}
	return nil
}
