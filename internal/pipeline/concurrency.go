package pipeline

// CheckConcurrency is each check function's SQS event source
// MaximumConcurrency, by check slug, unless the stack's checkConcurrency
// context sets one value for all. They are shares of a budget of 800 of the
// account's default 1,000 concurrent Lambda executions, in proportion to each
// check's measured work per account, so that a scan of 1,000 accounts ×
// 17 regions drains every queue in about ten minutes (BENCHMARKS.md, "Org-scale
// model": bench.ConcurrencyShares over bench/results/2026-11-28-scale1.json,
// with rds-public-snapshots keeping 8 attribute requests in flight). Lambda
// accepts 2 to 1,000.
var CheckConcurrency = map[string]int{
	"ebs-public-snapshots":                        157,
	"iam-access-key-rotation":                     111,
	"elb-security-groups":                         105,
	"security-groups-specific-ports-unrestricted": 87,
	"rds-security-group-access-risk":              75,
	"elb-listener-security":                       70,
	"security-groups-unrestricted-access":         69,
	"rds-public-snapshots":                        38,
	"s3-bucket-permissions":                       24,
	"route53-mx-spf":                              24,
	"lambda-deprecated-runtimes":                  11,
	"cloudtrail-logging":                          3,
	"ec2-sql-server-end-of-support":               3,
	"well-architected-security-hri":               3,
	"exposed-access-keys":                         2,
	"mfa-on-root-account":                         2,
	"iam-use":                                     2,
	"cloudfront-iam-certificates":                 2,
	"cloudfront-origin-certificates":              2,
	"iam-password-policy":                         2,
}

// OtherCheckConcurrency is the MaximumConcurrency of a check that
// CheckConcurrency does not list yet (a new check, before its work has been
// measured).
const OtherCheckConcurrency = 10

// CheckConcurrencyOf is the default MaximumConcurrency of the check slug.
func CheckConcurrencyOf(slug string) int {
	if n, ok := CheckConcurrency[slug]; ok {
		return n
	}
	return OtherCheckConcurrency
}
