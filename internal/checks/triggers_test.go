package checks_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
)

// eventSources maps the service prefix of an IAM action ("ec2" in
// "ec2:DescribeSecurityGroups") to the eventSource CloudTrail records for
// that service's API calls. Most are <prefix>.amazonaws.com; CloudWatch's is
// not. S3 Control's account-level calls (PutAccountPublicAccessBlock) are
// recorded under s3.amazonaws.com, the source of the s3 prefix.
var eventSources = map[string]string{
	"cloudfront":           "cloudfront.amazonaws.com",
	"cloudtrail":           "cloudtrail.amazonaws.com",
	"cloudwatch":           "monitoring.amazonaws.com",
	"ec2":                  "ec2.amazonaws.com",
	"elasticloadbalancing": "elasticloadbalancing.amazonaws.com",
	"health":               "health.amazonaws.com",
	"iam":                  "iam.amazonaws.com",
	"lambda":               "lambda.amazonaws.com",
	"rds":                  "rds.amazonaws.com",
	"route53":              "route53.amazonaws.com",
	"s3":                   "s3.amazonaws.com",
	"ssm":                  "ssm.amazonaws.com",
	"wellarchitected":      "wellarchitected.amazonaws.com",
}

// apiName is the shape of a CloudTrail event name: an API operation, with
// the version suffix some services record ("CreateFunction20150331",
// "UpdateFunctionConfiguration20150331v2").
var apiName = regexp.MustCompile(`^[A-Z][A-Za-z0-9_]+$`)

// readOnlyPrefixes start the names of read-only calls, which never change a
// result: a trigger must be a write.
var readOnlyPrefixes = []string{"Describe", "List", "Get"}

// triggerProblems says what is wrong with m's Triggers: each source must be
// the event source of a service m's IAM actions call (the check can only be
// changed through what it reads), appear once, and name write events, each
// once. A check without triggers has none.
func triggerProblems(m check.Meta) []string {
	allowed := map[string]bool{}
	for _, action := range m.IAMActions {
		prefix, _, _ := strings.Cut(action, ":")
		if source, ok := eventSources[prefix]; ok {
			allowed[source] = true
		}
	}
	var problems []string
	sources := map[string]bool{}
	for _, t := range m.Triggers {
		if !allowed[t.Source] {
			problems = append(problems, fmt.Sprintf("source %q is not the event source of a service among the IAM actions %v (eventSources maps a prefix to its source)", t.Source, m.IAMActions))
		}
		if sources[t.Source] {
			problems = append(problems, fmt.Sprintf("source %q is listed twice", t.Source))
		}
		sources[t.Source] = true
		if len(t.Names) == 0 {
			problems = append(problems, fmt.Sprintf("source %q names no event", t.Source))
		}
		names := map[string]bool{}
		for _, name := range t.Names {
			if !apiName.MatchString(name) {
				problems = append(problems, fmt.Sprintf("%s %q does not look like an API name", t.Source, name))
			}
			for _, p := range readOnlyPrefixes {
				if strings.HasPrefix(name, p) {
					problems = append(problems, fmt.Sprintf("%s %q is a read-only call", t.Source, name))
				}
			}
			if names[name] {
				problems = append(problems, fmt.Sprintf("%s %q is listed twice", t.Source, name))
			}
			names[name] = true
		}
	}
	return problems
}

// TestTriggersAreWriteEventsOfTheCheckedServices holds every check of the
// catalog to triggerProblems.
func TestTriggersAreWriteEventsOfTheCheckedServices(t *testing.T) {
	t.Parallel()
	for _, c := range checks.All() {
		if problems := triggerProblems(c.Meta); len(problems) > 0 {
			t.Errorf("%s triggers %+v:\n  %s", c.Meta.Slug, c.Meta.Triggers, strings.Join(problems, "\n  "))
		}
	}
}

// TestTriggerProblems shows that triggerProblems finds each kind of
// mistake, and accepts a check without triggers.
func TestTriggerProblems(t *testing.T) {
	t.Parallel()
	ec2 := []string{"ec2:DescribeSecurityGroups"}
	tests := []struct {
		name     string
		actions  []string
		triggers []check.Trigger
		want     string // a problem must contain it; "" for none
	}{
		{"no triggers", ec2, nil, ""},
		{"write event of the read service", ec2, []check.Trigger{{Source: "ec2.amazonaws.com", Names: []string{"AuthorizeSecurityGroupIngress"}}}, ""},
		{"versioned name", []string{"lambda:ListFunctions"}, []check.Trigger{{Source: "lambda.amazonaws.com", Names: []string{"UpdateFunctionConfiguration20150331v2"}}}, ""},
		{"account-level S3 call under s3", []string{"s3:GetAccountPublicAccessBlock"}, []check.Trigger{{Source: "s3.amazonaws.com", Names: []string{"PutAccountPublicAccessBlock"}}}, ""},
		{"service the check does not read", ec2, []check.Trigger{{Source: "rds.amazonaws.com", Names: []string{"ModifyDBInstance"}}}, "not the event source"},
		{"source not a service's", ec2, []check.Trigger{{Source: "ec2", Names: []string{"AuthorizeSecurityGroupIngress"}}}, "not the event source"},
		{"CloudWatch is monitoring", []string{"cloudwatch:GetMetricData"}, []check.Trigger{{Source: "cloudwatch.amazonaws.com", Names: []string{"PutMetricAlarm"}}}, "not the event source"},
		{"source twice", ec2, []check.Trigger{{Source: "ec2.amazonaws.com", Names: []string{"DeleteVpc"}}, {Source: "ec2.amazonaws.com", Names: []string{"DeleteSecurityGroup"}}}, "listed twice"},
		{"no names", ec2, []check.Trigger{{Source: "ec2.amazonaws.com"}}, "names no event"},
		{"empty name", ec2, []check.Trigger{{Source: "ec2.amazonaws.com", Names: []string{""}}}, "API name"},
		{"IAM action, not event name", ec2, []check.Trigger{{Source: "ec2.amazonaws.com", Names: []string{"ec2:DeleteVpc"}}}, "API name"},
		{"lower case", ec2, []check.Trigger{{Source: "ec2.amazonaws.com", Names: []string{"deleteVpc"}}}, "API name"},
		{"Describe", ec2, []check.Trigger{{Source: "ec2.amazonaws.com", Names: []string{"DescribeSecurityGroups"}}}, "read-only"},
		{"List", []string{"iam:ListUsers"}, []check.Trigger{{Source: "iam.amazonaws.com", Names: []string{"ListUsers"}}}, "read-only"},
		{"Get", []string{"iam:GetAccountSummary"}, []check.Trigger{{Source: "iam.amazonaws.com", Names: []string{"GetAccountSummary"}}}, "read-only"},
		{"name twice", ec2, []check.Trigger{{Source: "ec2.amazonaws.com", Names: []string{"DeleteVpc", "DeleteVpc"}}}, "listed twice"},
	}
	for _, tt := range tests {
		problems := triggerProblems(check.Meta{Slug: "test", IAMActions: tt.actions, Triggers: tt.triggers})
		got := strings.Join(problems, "; ")
		switch {
		case tt.want == "" && len(problems) > 0:
			t.Errorf("%s: actions %v, triggers %+v: problems %q, want none", tt.name, tt.actions, tt.triggers, got)
		case tt.want != "" && !strings.Contains(got, tt.want):
			t.Errorf("%s: actions %v, triggers %+v: problems %q, want one saying %q", tt.name, tt.actions, tt.triggers, got, tt.want)
		}
	}
}
