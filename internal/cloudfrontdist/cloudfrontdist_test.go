package cloudfrontdist

import (
	"context"
	"crypto/x509"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/secadvisor/secadvisor/internal/certs/certstest"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/cloudfrontdist/cloudfrontdisttest"
)

func TestListReadsEveryPage(t *testing.T) {
	t.Parallel()
	var summaries []cftypes.DistributionSummary
	for _, id := range []string{"E1", "E2", "E3"} {
		summaries = append(summaries, cftypes.DistributionSummary{Id: aws.String(id)})
	}
	got, err := List(context.Background(), &cloudfrontdisttest.Pages{Summaries: summaries, PageSize: 2})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var ids []string
	for _, s := range got {
		ids = append(ids, aws.ToString(s.Id))
	}
	if want := []string{"E1", "E2", "E3"}; !slices.Equal(ids, want) {
		t.Errorf("List over pages of 2 = %v, want %v", ids, want)
	}
}

func TestJudgeCertificate(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const soon = 7 * 24 * time.Hour
	tests := []struct {
		name  string
		spec  certstest.Spec
		want  check.Status
		words []string // one per sentence, in order
	}{
		{"valid", certstest.Spec{CommonName: "a.example.com", NotAfter: now.Add(30 * 24 * time.Hour)}, check.Green, nil},
		{"expires at the threshold", certstest.Spec{CommonName: "a.example.com", NotAfter: now.Add(soon)}, check.Yellow, []string{"The certificate expires on"}},
		{"SHA-1", certstest.Spec{CommonName: "a.example.com", NotAfter: now.Add(30 * 24 * time.Hour), Algorithm: x509.SHA1WithRSA}, check.Yellow, []string{"The certificate is signed with"}},
		{"expired and SHA-1", certstest.Spec{CommonName: "a.example.com", NotAfter: now.Add(-time.Second), Algorithm: x509.ECDSAWithSHA1}, check.Red,
			[]string{"The certificate expired on", "The certificate is signed with"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, sentences := JudgeCertificate(certstest.New(t, tt.spec).X509, now, soon)
			if status != tt.want || len(sentences) != len(tt.words) {
				t.Fatalf("JudgeCertificate(%s) = %s %q, want %s with %d sentences", tt.name, status, sentences, tt.want, len(tt.words))
			}
			for i, w := range tt.words {
				if !strings.HasPrefix(sentences[i], w) {
					t.Errorf("JudgeCertificate(%s) sentence %d = %q, want it to start with %q", tt.name, i, sentences[i], w)
				}
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	f := Describe(check.Finding{Reason: "why"}, "E1", "d1.cloudfront.net", "Origin", "app.example.com")
	want := map[string]string{"Distribution ID": "E1", "Distribution Domain Name": "d1.cloudfront.net", "Origin": "app.example.com", "Reason": "why"}
	if len(f.Columns) != len(want) {
		t.Fatalf("Describe columns = %v, want %v", f.Columns, want)
	}
	for k, v := range want {
		if f.Columns[k] != v {
			t.Errorf("Describe column %q = %q, want %q", k, f.Columns[k], v)
		}
	}
}
