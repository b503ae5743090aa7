// Package cloudfrontiamcertificates checks the custom SSL certificates that
// CloudFront distributions use from the IAM certificate store. An expired,
// SHA-1 or mismatched certificate breaks HTTPS or makes browsers warn viewers.
//
// Every fact about a certificate comes from its PEM body (GetServerCertificate),
// not from IAM's metadata: the body is what CloudFront serves.
package cloudfrontiamcertificates

import (
	"context"
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/certs"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/cloudfrontdist"
	"github.com/secadvisor/secadvisor/internal/spec"
)

// expiresSoon is the spec's "expires in the next seven days".
const expiresSoon = 7 * 24 * time.Hour

// Meta describes the check: its name, description, criteria,
// recommended action and columns are the specification's (spec.Meta).
var Meta = spec.Meta("N425c450f2", check.Meta{
	Slug:       "cloudfront-iam-certificates",
	IAMActions: []string{"cloudfront:ListDistributions", "iam:ListServerCertificates", "iam:GetServerCertificate"},
	Scope:      check.Global,
	BeyondSpec: "One finding per distribution that uses an IAM certificate, its reason listing every problem found. " +
		"A certificate ID that is no longer in the IAM certificate store is red (viewers cannot get a certificate). " +
		"Wildcard names cover exactly one label (*.example.com covers a.example.com, not example.com nor a.b.example.com).",
	// Triggers: creating, copying, updating or deleting a distribution can
	// change its IAM certificate or alternate domain names, and deleting a
	// server certificate can leave a distribution naming one that is gone;
	// expiry is judged on the schedule, and an uploaded certificate has a new
	// ID that no distribution names yet.
	Triggers: []check.Trigger{
		cloudfrontdist.DistributionTrigger,
		{Source: "iam.amazonaws.com", Names: []string{"DeleteServerCertificate"}},
	},
})

// Check is the catalog entry.
var Check = check.New(Meta, collectFrom, evaluate)

// CloudFrontAPI is the part of the CloudFront client the check calls.
type CloudFrontAPI = cloudfrontdist.API

// IAMAPI is the part of the IAM client the check calls.
type IAMAPI interface {
	iam.ListServerCertificatesAPIClient
	GetServerCertificate(context.Context, *iam.GetServerCertificateInput, ...func(*iam.Options)) (*iam.GetServerCertificateOutput, error)
}

var (
	_ CloudFrontAPI = (*cloudfront.Client)(nil)
	_ IAMAPI        = (*iam.Client)(nil)
)

// certificatesPageSize is ListServerCertificates' largest page.
const certificatesPageSize = 1000

// collectFrom collects with clients made from the target's configuration.
func collectFrom(ctx context.Context, target check.Target) (Input, error) {
	return collect(ctx, cloudfront.NewFromConfig(target.Config), iam.NewFromConfig(target.Config))
}

// Distribution is what the check needs of one CloudFront distribution.
type Distribution struct {
	ID         string
	DomainName string
	Aliases    []string
	// IAMCertificateID is the viewer certificate's IAM server certificate
	// ID, empty when the distribution uses another kind of certificate.
	IAMCertificateID string
}

// Certificate is one IAM server certificate.
type Certificate struct {
	Name string
	// X509 is the parsed certificate body, nil when Err is set.
	X509 *x509.Certificate
	// Err is set when the body could not be fetched or parsed.
	Err error
}

// Input is what the check evaluates.
type Input struct {
	Distributions []Distribution
	// Certificates holds the IAM server certificates the distributions use,
	// by ID. A used ID missing here is not in the IAM certificate store.
	Certificates map[string]Certificate
}

// collect lists the distributions, then — only when some use an IAM
// certificate — maps IAM certificate IDs to names and fetches the body of
// each certificate in use, once.
func collect(ctx context.Context, cf CloudFrontAPI, iamAPI IAMAPI) (Input, error) {
	dists, err := listDistributions(ctx, cf)
	if err != nil {
		return Input{}, err
	}
	in := Input{Distributions: dists, Certificates: map[string]Certificate{}}
	used := map[string]bool{}
	for _, d := range dists {
		if d.IAMCertificateID != "" {
			used[d.IAMCertificateID] = true
		}
	}
	if len(used) == 0 {
		return in, nil
	}
	names := map[string]string{} // certificate ID → name
	pages := iam.NewListServerCertificatesPaginator(iamAPI, &iam.ListServerCertificatesInput{MaxItems: aws.Int32(certificatesPageSize)},
		func(o *iam.ListServerCertificatesPaginatorOptions) { o.StopOnDuplicateToken = true })
	err = awsx.EachPage(ctx, pages, func(page *iam.ListServerCertificatesOutput) error {
		for _, m := range page.ServerCertificateMetadataList {
			names[aws.ToString(m.ServerCertificateId)] = aws.ToString(m.ServerCertificateName)
		}
		return nil
	})
	if err != nil {
		return Input{}, check.WrapOp("iam ListServerCertificates", err)
	}
	for id := range used {
		name, ok := names[id]
		if !ok {
			continue
		}
		in.Certificates[id] = getCertificate(ctx, iamAPI, name)
	}
	return in, nil
}

func getCertificate(ctx context.Context, api IAMAPI, name string) Certificate {
	out, err := api.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String(name)})
	if err != nil {
		return Certificate{Name: name, Err: check.WrapOp("iam GetServerCertificate", err)}
	}
	body := ""
	if out.ServerCertificate != nil {
		body = aws.ToString(out.ServerCertificate.CertificateBody)
	}
	cert, err := certs.ParsePEM([]byte(body))
	if err != nil {
		return Certificate{Name: name, Err: fmt.Errorf("certificate body: %w", err)}
	}
	return Certificate{Name: name, X509: cert}
}

// listDistributions lists the distributions with their aliases and their
// viewer certificate's IAM server certificate ID (empty for the CloudFront
// default certificate and ACM certificates).
func listDistributions(ctx context.Context, api CloudFrontAPI) ([]Distribution, error) {
	summaries, err := cloudfrontdist.List(ctx, api)
	if err != nil {
		return nil, err
	}
	out := make([]Distribution, 0, len(summaries))
	for _, s := range summaries {
		d := Distribution{ID: aws.ToString(s.Id), DomainName: aws.ToString(s.DomainName)}
		if s.Aliases != nil {
			d.Aliases = s.Aliases.Items
		}
		if s.ViewerCertificate != nil {
			d.IAMCertificateID = aws.ToString(s.ViewerCertificate.IAMCertificateId)
		}
		out = append(out, d)
	}
	return out, nil
}

// evaluate reports each distribution that uses an IAM certificate: red when
// the certificate is expired or gone from IAM, yellow when it expires within
// seven days, is signed with SHA-1 or does not cover an alternate domain
// name, green otherwise, as of the scan's time. The reason lists every
// problem.
func evaluate(target check.Target, in Input) []check.Finding {
	var findings []check.Finding
	for _, d := range in.Distributions {
		if d.IAMCertificateID == "" {
			continue
		}
		describe := func(f check.Finding, certificate string) check.Finding {
			return cloudfrontdist.Describe(f, d.ID, d.DomainName, "Certificate Name", certificate)
		}
		cert, ok := in.Certificates[d.IAMCertificateID]
		switch {
		case !ok:
			reason := "The distribution's certificate (IAM ID " + d.IAMCertificateID + ") is not in the IAM certificate store."
			findings = append(findings, describe(Meta.NewFinding(target, d.ID, check.Red, reason, nil), d.IAMCertificateID))
		case cert.Err != nil:
			findings = append(findings, describe(Meta.ErrorFinding(target, d.ID, "iam GetServerCertificate "+cert.Name, cert.Err), cert.Name))
		default:
			status, reason := judge(cert.X509, d.Aliases, target.ScanTime)
			findings = append(findings, describe(Meta.NewFinding(target, d.ID, status, reason, nil), cert.Name))
		}
	}
	return findings
}

// judge returns the status of a distribution's certificate and the reason:
// one sentence per problem, or why it is green.
func judge(cert *x509.Certificate, aliases []string, now time.Time) (check.Status, string) {
	status, problems := cloudfrontdist.JudgeCertificate(cert, now, expiresSoon)
	var uncovered []string
	for _, alias := range aliases {
		if !certs.Covers(cert, alias) {
			uncovered = append(uncovered, alias)
		}
	}
	if len(uncovered) > 0 {
		if status == check.Green {
			status = check.Yellow
		}
		problems = append(problems, fmt.Sprintf("Alternate domain names not in the certificate's Common Name or Subject Alternative Names: %s (the certificate names %s).",
			strings.Join(uncovered, ", "), strings.Join(certs.Names(cert), ", ")))
	}
	if len(problems) == 0 {
		return check.Green, "The certificate is valid for more than seven days, is not signed with SHA-1 and covers every alternate domain name."
	}
	return status, strings.Join(problems, " ")
}
