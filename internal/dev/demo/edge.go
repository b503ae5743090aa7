package demo

import (
	"context"
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/secadvisor/secadvisor/internal/certs/selfsigned"
)

// seedMailDomains creates two public hosted zones that receive mail: one
// publishes SPF (split over two strings, as long policies are), the other
// only a site-verification TXT record, so its MX records are yellow.
func seedMailDomains(ctx context.Context, cfg aws.Config) error {
	client := route53.NewFromConfig(cfg)
	zones := []struct {
		name string
		sets []r53types.ResourceRecordSet
	}{
		{"example.com.", []r53types.ResourceRecordSet{
			txtLike("example.com.", r53types.RRTypeMx, "10 inbound-smtp.us-east-1.amazonaws.com."),
			txtLike("example.com.", r53types.RRTypeTxt, `"v=spf1 include:amazonses.com " "include:_spf.google.com ~all"`),
		}},
		{"example.net.", []r53types.ResourceRecordSet{
			txtLike("example.net.", r53types.RRTypeMx, "10 mx1.mail.example.org.", "20 mx2.mail.example.org."),
			txtLike("example.net.", r53types.RRTypeTxt, `"google-site-verification=3yH1rR8y1yW"`),
		}},
	}
	for _, z := range zones {
		out, err := client.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String(z.name), CallerReference: aws.String("demo-" + z.name)})
		if err != nil {
			return err
		}
		changes := make([]r53types.Change, len(z.sets))
		for i := range z.sets {
			changes[i] = r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: &z.sets[i]}
		}
		if _, err := client.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{
			HostedZoneId: aws.String(strings.TrimPrefix(aws.ToString(out.HostedZone.Id), "/hostedzone/")),
			ChangeBatch:  &r53types.ChangeBatch{Changes: changes},
		}); err != nil {
			return err
		}
	}
	return nil
}

func txtLike(name string, typ r53types.RRType, values ...string) r53types.ResourceRecordSet {
	rs := r53types.ResourceRecordSet{Name: aws.String(name), Type: typ, TTL: aws.Int64(300)}
	for _, v := range values {
		rs.ResourceRecords = append(rs.ResourceRecords, r53types.ResourceRecord{Value: aws.String(v)})
	}
	return rs
}

// seedCloudFrontCertificates uploads IAM server certificates and puts
// distributions in front of them: one sound, one expiring in three days, one
// expired two days ago, one SHA-1 certificate that also misses an alternate
// domain name. Their custom origins are the demo's local origin servers: the
// www and api distributions share the sound one, the shop distribution's
// origin certificate expires in ten days and the legacy one's is SHA-1.
func (o *originServers) seedCloudFrontCertificates(ctx context.Context, cfg aws.Config) error {
	iamClient, cf := iam.NewFromConfig(cfg), cloudfront.NewFromConfig(cfg)
	now := time.Now()
	dists := []struct {
		name    string
		cert    selfsigned.Spec
		aliases []string
		origin  int32
	}{
		{"www-example-com", selfsigned.Spec{DNSNames: []string{"www.example.com", "example.com"}, NotAfter: now.AddDate(0, 9, 0)},
			[]string{"www.example.com", "example.com"}, o.sound},
		{"shop-example-com", selfsigned.Spec{DNSNames: []string{"shop.example.com"}, NotAfter: now.AddDate(0, 0, 3)},
			[]string{"shop.example.com"}, o.expiringSoon},
		{"api-example-com", selfsigned.Spec{DNSNames: []string{"api.example.com"}, NotAfter: now.AddDate(0, 0, -2)},
			[]string{"api.example.com"}, o.sound},
		{"legacy-example-com", selfsigned.Spec{CommonName: "legacy.example.com", NotAfter: now.AddDate(1, 0, 0), Algorithm: x509.SHA1WithRSA},
			[]string{"legacy.example.com", "old.example.com"}, o.sha1},
	}
	for _, d := range dists {
		c, err := selfsigned.Generate(d.cert)
		if err != nil {
			return fmt.Errorf("generate certificate %s: %w", d.name, err)
		}
		up, err := iamClient.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{
			ServerCertificateName: aws.String(d.name), Path: aws.String("/cloudfront/"),
			CertificateBody: aws.String(string(c.PEM)), PrivateKey: aws.String(string(c.KeyPEM)),
		})
		if err != nil {
			return err
		}
		if _, err := cf.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: &cftypes.DistributionConfig{
			CallerReference: aws.String("demo-" + d.name), Comment: aws.String(d.name), Enabled: aws.Bool(true),
			Aliases: &cftypes.Aliases{Quantity: aws.Int32(int32(len(d.aliases))), Items: d.aliases},
			Origins: &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{{
				Id: aws.String("app"), DomainName: aws.String(originHost),
				CustomOriginConfig: &cftypes.CustomOriginConfig{HTTPPort: aws.Int32(80), HTTPSPort: aws.Int32(d.origin), OriginProtocolPolicy: cftypes.OriginProtocolPolicyHttpsOnly},
			}}},
			DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{TargetOriginId: aws.String("app"), ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyRedirectToHttps,
				CachePolicyId: aws.String("658327ea-f89d-4fab-a63d-7e88639e58f6")},
			ViewerCertificate: &cftypes.ViewerCertificate{IAMCertificateId: up.ServerCertificateMetadata.ServerCertificateId,
				SSLSupportMethod: cftypes.SSLSupportMethodSniOnly, MinimumProtocolVersion: cftypes.MinimumProtocolVersionTLSv122021},
		}}); err != nil {
			return err
		}
	}
	return nil
}
