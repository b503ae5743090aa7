package cloudfrontiamcertificates

import (
	"context"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	"github.com/secadvisor/secadvisor/internal/certs/certstest"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/cloudfrontdist/cloudfrontdisttest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/scan"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

func TestEvaluate(t *testing.T) {
	t.Parallel()
	names := []string{"www.example.com", "*.img.example.com"}
	aliases := []string{"www.example.com", "a.img.example.com"}
	tests := []struct {
		name       string
		cert       certstest.Spec
		aliases    []string
		wantStatus check.Status
		wantReason []string
	}{
		{"valid, covers aliases", certstest.Spec{DNSNames: names, NotAfter: now.Add(90 * day)}, aliases, check.Green, []string{"covers every alternate domain name"}},
		{"expired", certstest.Spec{DNSNames: names, NotAfter: now.Add(-time.Minute)}, aliases, check.Red, []string{"expired on"}},
		{"expires at this instant: not yet expired", certstest.Spec{DNSNames: names, NotAfter: now}, aliases, check.Yellow, []string{"within 7 days"}},
		{"6 days left", certstest.Spec{DNSNames: names, NotAfter: now.Add(6 * day)}, aliases, check.Yellow, []string{"within 7 days"}},
		{"7 days left", certstest.Spec{DNSNames: names, NotAfter: now.Add(7 * day)}, aliases, check.Yellow, []string{"within 7 days"}},
		{"8 days left", certstest.Spec{DNSNames: names, NotAfter: now.Add(8 * day)}, aliases, check.Green, nil},
		{"SHA-1 with RSA", certstest.Spec{DNSNames: names, NotAfter: now.Add(90 * day), Algorithm: x509.SHA1WithRSA}, aliases, check.Yellow, []string{"SHA1-RSA"}},
		{"ECDSA with SHA-1", certstest.Spec{DNSNames: names, NotAfter: now.Add(90 * day), Algorithm: x509.ECDSAWithSHA1}, aliases, check.Yellow, []string{"ECDSA-SHA1"}},
		{"SHA-256 with RSA", certstest.Spec{DNSNames: names, NotAfter: now.Add(90 * day), Algorithm: x509.SHA256WithRSA}, aliases, check.Green, nil},
		{"alias only in Common Name", certstest.Spec{CommonName: "cdn.example.com", NotAfter: now.Add(90 * day)}, []string{"cdn.example.com"}, check.Green, nil},
		{"alias not covered", certstest.Spec{DNSNames: names, NotAfter: now.Add(90 * day)}, []string{"www.example.com", "shop.example.com"}, check.Yellow, []string{"shop.example.com"}},
		{"wildcard does not cover the apex", certstest.Spec{DNSNames: []string{"*.example.com"}, NotAfter: now.Add(90 * day)}, []string{"example.com"}, check.Yellow, []string{"example.com"}},
		{"wildcard does not cover two labels", certstest.Spec{DNSNames: []string{"*.example.com"}, NotAfter: now.Add(90 * day)}, []string{"a.b.example.com"}, check.Yellow, []string{"a.b.example.com"}},
		{"wildcard alias needs the wildcard name", certstest.Spec{DNSNames: []string{"www.example.com"}, NotAfter: now.Add(90 * day)}, []string{"*.example.com"}, check.Yellow, []string{"*.example.com"}},
		{"no aliases", certstest.Spec{DNSNames: names, NotAfter: now.Add(90 * day)}, nil, check.Green, nil},
		{"every problem at once", certstest.Spec{CommonName: "old.example.com", NotAfter: now.Add(-day), Algorithm: x509.ECDSAWithSHA1}, []string{"www.example.com"}, check.Red,
			[]string{"expired on", "SHA-1", "www.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := certstest.New(t, tt.cert)
			in := Input{
				Distributions: []Distribution{{ID: "E1", DomainName: "d1.cloudfront.net", Aliases: tt.aliases, IAMCertificateID: "ASCA1"}},
				Certificates:  map[string]Certificate{"ASCA1": {Name: "site-cert", X509: c.X509}},
			}
			got := evaluate(cloudfrontdisttest.Target(now), in)
			checktest.ColumnsWithin(t, Meta, got)
			if len(got) != 1 {
				t.Fatalf("evaluate(%s) = %+v, want one finding", tt.name, got)
			}
			f := got[0]
			if f.Status != tt.wantStatus {
				t.Errorf("evaluate(%s, now %s) status = %s (%q), want %s", tt.name, now, f.Status, f.Reason, tt.wantStatus)
			}
			for _, want := range tt.wantReason {
				if !strings.Contains(f.Reason, want) {
					t.Errorf("evaluate(%s) reason = %q, want it to mention %q", tt.name, f.Reason, want)
				}
			}
			if f.Columns["Distribution ID"] != "E1" || f.Columns["Distribution Domain Name"] != "d1.cloudfront.net" || f.Columns["Certificate Name"] != "site-cert" || f.Columns["Reason"] != f.Reason {
				t.Errorf("evaluate(%s) columns = %v, want distribution, certificate and reason", tt.name, f.Columns)
			}
		})
	}
}

func TestEvaluateWithoutUsableCertificate(t *testing.T) {
	t.Parallel()
	denied := &smithy.GenericAPIError{Code: "AccessDenied", Message: "no"}
	in := Input{
		Distributions: []Distribution{
			{ID: "E-DEFAULT", DomainName: "d0.cloudfront.net"}, // *.cloudfront.net or ACM certificate: not this check's business
			{ID: "E-GONE", DomainName: "d1.cloudfront.net", IAMCertificateID: "ASCAGONE"},
			{ID: "E-DENIED", DomainName: "d2.cloudfront.net", IAMCertificateID: "ASCADENIED"},
		},
		Certificates: map[string]Certificate{"ASCADENIED": {Name: "denied-cert", Err: denied}},
	}
	got := checktest.ByResource(evaluate(cloudfrontdisttest.Target(now), in))
	if len(got) != 2 {
		t.Fatalf("evaluate = %+v, want 2 findings (none for the distribution without an IAM certificate)", got)
	}
	if f := got["E-GONE"]; f.Status != check.Red || !strings.Contains(f.Reason, "not in the IAM certificate store") || f.Columns["Certificate Name"] != "ASCAGONE" {
		t.Errorf("missing certificate finding = %+v, want red naming the missing ID", f)
	}
	if f := got["E-DENIED"]; f.Status != check.Error || !strings.Contains(f.Reason, "AccessDenied") || f.Columns["Certificate Name"] != "denied-cert" {
		t.Errorf("unreadable certificate finding = %+v, want error with the code", f)
	}
}

// uploadCertificate puts a generated certificate in the IAM store under
// /cloudfront/ and returns its ID.
func uploadCertificate(t *testing.T, client *iam.Client, name string, spec certstest.Spec) string {
	t.Helper()
	c := certstest.New(t, spec)
	out, err := client.UploadServerCertificate(context.Background(), &iam.UploadServerCertificateInput{
		ServerCertificateName: aws.String(name), Path: aws.String("/cloudfront/"),
		CertificateBody: aws.String(string(c.PEM)), PrivateKey: aws.String(string(c.KeyPEM)),
	})
	if err != nil {
		t.Fatalf("upload certificate %s: %v", name, err)
	}
	return aws.ToString(out.ServerCertificateMetadata.ServerCertificateId)
}

// createDistribution creates a distribution with one custom origin, the
// aliases and viewer certificate given, and returns its ID.
func createDistribution(t *testing.T, client *cloudfront.Client, ref string, aliases []string, viewer *cftypes.ViewerCertificate) string {
	t.Helper()
	app := cloudfrontdisttest.CustomOrigin("app", "app.example.com", cftypes.OriginProtocolPolicyHttpsOnly, 443)
	return cloudfrontdisttest.Create(t, client, ref, aliases, viewer, app)
}

func iamViewer(id string) *cftypes.ViewerCertificate {
	return &cftypes.ViewerCertificate{IAMCertificateId: aws.String(id), SSLSupportMethod: cftypes.SSLSupportMethodSniOnly,
		MinimumProtocolVersion: cftypes.MinimumProtocolVersionTLSv122021}
}

func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	iamClient, cf := iam.NewFromConfig(cfg), cloudfront.NewFromConfig(cfg)
	// The emulator's metadata says every certificate expired in 2012: the
	// check must read the bodies, whose dates are relative to now.
	good := uploadCertificate(t, iamClient, "www-2026", certstest.Spec{DNSNames: []string{"www.example.com", "example.com"}, NotAfter: time.Now().Add(200 * day)})
	soon := uploadCertificate(t, iamClient, "shop-expiring", certstest.Spec{DNSNames: []string{"shop.example.com"}, NotAfter: time.Now().Add(3 * day)})
	legacy := uploadCertificate(t, iamClient, "legacy-sha1", certstest.Spec{CommonName: "old.example.com", NotAfter: time.Now().Add(200 * day), Algorithm: x509.SHA1WithRSA})
	uploadCertificate(t, iamClient, "unused", certstest.Spec{CommonName: "unused.example.com", NotAfter: time.Now().Add(-day)})

	dists := map[string]check.Status{
		createDistribution(t, cf, "www", []string{"www.example.com", "example.com"}, iamViewer(good)):     check.Green,
		createDistribution(t, cf, "www-2", []string{"example.com"}, iamViewer(good)):                      check.Green,
		createDistribution(t, cf, "shop", []string{"shop.example.com"}, iamViewer(soon)):                  check.Yellow,
		createDistribution(t, cf, "legacy", []string{"legacy.example.com"}, iamViewer(legacy)):            check.Yellow,
		createDistribution(t, cf, "gone", []string{"gone.example.com"}, iamViewer("ASCADELETEDCERT0001")): check.Red,
	}
	createDistribution(t, cf, "default-cert", nil, &cftypes.ViewerCertificate{CloudFrontDefaultCertificate: aws.Bool(true)})

	findings, recorder := checktest.ScanRecorded(t, cfg, account, Check, check.GlobalRegion)
	if len(findings) != len(dists) {
		t.Fatalf("got %d findings, want %d (none for the default certificate): %+v", len(findings), len(dists), findings)
	}
	for _, f := range findings {
		if f.Status != dists[f.ResourceID] {
			t.Errorf("distribution %s (%s) = %s (%q), want %s", f.ResourceID, f.Columns["Certificate Name"], f.Status, f.Reason, dists[f.ResourceID])
		}
		if !strings.HasSuffix(f.Columns["Distribution Domain Name"], ".cloudfront.net") || f.Columns["Status"] == "" {
			t.Errorf("distribution %s columns = %v, want its domain name and status", f.ResourceID, f.Columns)
		}
	}
	for _, f := range findings {
		if f.Columns["Certificate Name"] == "legacy-sha1" && (!strings.Contains(f.Reason, "SHA-1") || !strings.Contains(f.Reason, "legacy.example.com")) {
			t.Errorf("legacy distribution reason = %q, want both the SHA-1 signature and the uncovered alias", f.Reason)
		}
	}
	checktest.WantCalls(t, recorder, checktest.Call("IAM", "GetServerCertificate", 3, "each certificate in use once, however many distributions use it"))
}

func TestNoIAMCertificateNoIAMCall(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	createDistribution(t, cloudfront.NewFromConfig(cfg), "default-cert", nil, &cftypes.ViewerCertificate{CloudFrontDefaultCertificate: aws.Bool(true)})
	// IAM denied: a distribution without an IAM certificate must not need it.
	findings := scan.RunJob(context.Background(), emutest.Deny(cfg, "ListServerCertificates"), scan.Job{Check: Check, Account: account, Region: check.GlobalRegion}, 0)
	if len(findings) != 0 {
		t.Errorf("findings = %+v, want none", findings)
	}
}

// TestUnreadableCertificateIsItsDistributionsError: a certificate body that
// cannot be read is an error for the distributions using it, named with the
// operation and the error code; the scan goes on. (A denied list is the whole
// job's error: internal/failclosed checks that for every operation.)
func TestUnreadableCertificateIsItsDistributionsError(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	id := uploadCertificate(t, iam.NewFromConfig(cfg), "www", certstest.Spec{DNSNames: []string{"www.example.com"}, NotAfter: time.Now().Add(90 * day)})
	dist := createDistribution(t, cloudfront.NewFromConfig(cfg), "www", []string{"www.example.com"}, iamViewer(id))
	findings := scan.RunJob(context.Background(), emutest.Deny(cfg, "GetServerCertificate"), scan.Job{Check: Check, Account: account, Region: check.GlobalRegion}, 0)
	if len(findings) != 1 || findings[0].Status != check.Error || findings[0].ResourceID != dist || findings[0].Columns["Certificate Name"] != "www" {
		t.Fatalf("findings = %+v, want one error finding for %s naming certificate www", findings, dist)
	}
	if !strings.Contains(findings[0].Reason, "iam GetServerCertificate www") || !strings.Contains(findings[0].Reason, "AccessDenied") {
		t.Errorf("reason = %q, want the operation and the error code", findings[0].Reason)
	}
}

// certificatePages answers ListServerCertificates in the pages given (Marker
// in, Marker and IsTruncated out, as IAM pages), and GetServerCertificate
// with the bodies, by certificate name.
type certificatePages struct {
	pages  [][]iamtypes.ServerCertificateMetadata
	bodies map[string]string
}

func (p certificatePages) ListServerCertificates(_ context.Context, in *iam.ListServerCertificatesInput, _ ...func(*iam.Options)) (*iam.ListServerCertificatesOutput, error) {
	page, next := checktest.Page(p.pages, in.Marker)
	return &iam.ListServerCertificatesOutput{ServerCertificateMetadataList: page, IsTruncated: next != nil, Marker: next}, nil
}

func (p certificatePages) GetServerCertificate(_ context.Context, in *iam.GetServerCertificateInput, _ ...func(*iam.Options)) (*iam.GetServerCertificateOutput, error) {
	if body, ok := p.bodies[aws.ToString(in.ServerCertificateName)]; ok {
		return &iam.GetServerCertificateOutput{ServerCertificate: &iamtypes.ServerCertificate{CertificateBody: aws.String(body)}}, nil
	}
	return nil, &smithy.GenericAPIError{Code: "NoSuchEntity", Message: "no certificate " + aws.ToString(in.ServerCertificateName)}
}

// TestCollectReadsEveryPage: the one distribution with an IAM certificate is
// on ListDistributions' second page, and its certificate on
// ListServerCertificates' second page. Dropping either second page loses
// the finding or turns it red ("not in the IAM certificate store").
func TestCollectReadsEveryPage(t *testing.T) {
	t.Parallel()
	scanTime := time.Now()
	body := string(certstest.New(t, certstest.Spec{DNSNames: []string{"www.example.com"}, NotAfter: scanTime.Add(90 * day)}).PEM)
	certificate := func(id, name string) iamtypes.ServerCertificateMetadata {
		return iamtypes.ServerCertificateMetadata{ServerCertificateId: aws.String(id), ServerCertificateName: aws.String(name)}
	}
	iamAPI := certificatePages{
		pages: [][]iamtypes.ServerCertificateMetadata{
			{certificate("ASCAEXAMPLE000000001", "cert-1"), certificate("ASCAEXAMPLE000000002", "cert-2")},
			{certificate("ASCAEXAMPLE000000003", "cert-3")},
		},
		bodies: map[string]string{"cert-1": body, "cert-2": body, "cert-3": body},
	}
	summary := func(id string, viewer *cftypes.ViewerCertificate) cftypes.DistributionSummary {
		return cftypes.DistributionSummary{Id: aws.String(id), DomainName: aws.String(id + ".cloudfront.net"),
			Aliases: &cftypes.Aliases{Quantity: aws.Int32(1), Items: []string{"www.example.com"}}, ViewerCertificate: viewer}
	}
	defaultCert := &cftypes.ViewerCertificate{CloudFrontDefaultCertificate: aws.Bool(true)}
	cf := &cloudfrontdisttest.Pages{PageSize: 2, Summaries: []cftypes.DistributionSummary{
		summary("E1", defaultCert), summary("E2", defaultCert), summary("E3", iamViewer("ASCAEXAMPLE000000003")),
	}}
	in, err := collect(context.Background(), cf, iamAPI)
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	got := evaluate(cloudfrontdisttest.Target(scanTime), in)
	if len(got) != 1 || got[0].ResourceID != "E3" || got[0].Status != check.Green || got[0].Columns["Certificate Name"] != "cert-3" {
		t.Errorf("findings = %+v, want E3 green with certificate cert-3 (both on second pages)", got)
	}
}
