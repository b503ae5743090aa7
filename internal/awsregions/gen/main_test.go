package main

import (
	"encoding/json"
	"testing"
)

// endpointsSample is shaped like botocore's endpoints.json (version 3),
// trimmed to two partitions and the keys derive reads: a partition endpoint
// named by partitionEndpoint (aws-cn) and one only keyed "<partition>-global"
// (aws-us-gov).
const endpointsSample = `{"version": 3, "partitions": [{
  "partition": "aws-cn", "regionRegex": "^cn\\-\\w+\\-\\d+$",
  "regions": {"cn-north-1": {"description": "China (Beijing)"}, "cn-northwest-1": {"description": "China (Ningxia)"}},
  "services": {
    "health": {"isRegionalized": false, "partitionEndpoint": "aws-cn-global",
      "endpoints": {"aws-cn-global": {"credentialScope": {"region": "cn-northwest-1"}, "hostname": "global.health.amazonaws.com.cn"}}},
    "wellarchitected": {"endpoints": {"cn-north-1": {}, "fips-cn-north-1": {"deprecated": true}}},
    "ec2": {"endpoints": {"cn-north-1": {}}}
  }}, {
  "partition": "aws-us-gov", "regionRegex": "^us\\-gov\\-\\w+\\-\\d+$",
  "regions": {"us-gov-west-1": {}},
  "services": {
    "health": {"endpoints": {"aws-us-gov-global": {"credentialScope": {"region": "us-gov-west-1"}}, "fips-us-gov-west-1": {}, "us-gov-west-1": {"deprecated": true}}}
  }}]}`

func TestDerive(t *testing.T) {
	t.Parallel()
	got, err := derive([]byte(endpointsSample), "sample", "2026-12-01")
	if err != nil {
		t.Fatalf("derive: %v", err)
	}
	raw, _ := json.Marshal(got)
	want := `{"source":"sample","asOf":"2026-12-01","generatedBy":"go run ./internal/awsregions/gen (see its doc comment)",` +
		`"partitions":[{"id":"aws-cn","regionRegex":"^cn\\-\\w+\\-\\d+$","regions":["cn-north-1","cn-northwest-1"]},` +
		`{"id":"aws-us-gov","regionRegex":"^us\\-gov\\-\\w+\\-\\d+$","regions":["us-gov-west-1"]}],` +
		`"services":{"health":{"aws-cn":{"regions":[],"globalRegion":"cn-northwest-1"},"aws-us-gov":{"regions":["us-gov-west-1"],"globalRegion":"us-gov-west-1"}},` +
		`"wellarchitected":{"aws-cn":{"regions":["cn-north-1"]}}}}`
	if string(raw) != want {
		t.Errorf("derive(sample) =\n%s\nwant\n%s", raw, want)
	}
	if _, err := derive([]byte(`{"version": 2}`), "s", "2026-12-01"); err == nil {
		t.Errorf("derive(version 2) succeeded, want an error")
	}
}
