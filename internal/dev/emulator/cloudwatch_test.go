package emulator_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
)

// TestCloudWatchDefaultClientReachesTheEmulator: a CloudWatch client built
// with no options of its own, as product code builds it, puts and reads
// metric data on the emulator.
func TestCloudWatchDefaultClientReachesTheEmulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, _ := emutest.Config(t)
	client := cloudwatch.NewFromConfig(cfg)
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Minute)
	dims := []cwtypes.Dimension{{Name: aws.String("FunctionName"), Value: aws.String("orders")}}
	if _, err := client.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/Lambda"), MetricData: []cwtypes.MetricDatum{{
		MetricName: aws.String("Invocations"), Dimensions: dims, Value: aws.Float64(42), Timestamp: aws.Time(at), Unit: cwtypes.StandardUnitCount,
	}}}); err != nil {
		t.Fatalf("PutMetricData: %v", err)
	}
	out, err := client.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(at.Add(-time.Hour)), EndTime: aws.Time(at.Add(time.Hour)),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("q0"), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String("Invocations"), Dimensions: dims},
			Period: aws.Int32(3600), Stat: aws.String("Sum"),
		}}},
	})
	if err != nil {
		t.Fatalf("GetMetricData: %v", err)
	}
	var sum float64
	for _, r := range out.MetricDataResults {
		for _, v := range r.Values {
			sum += v
		}
	}
	if len(out.MetricDataResults) != 1 || sum != 42 {
		t.Errorf("GetMetricData = %+v, want one result summing to 42", out.MetricDataResults)
	}
}
