package demo

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
)

// seedSQLServerInstances launches, in the first demo region, instances from
// license-included SQL Server AMIs named as Amazon names them: a forgotten
// SQL Server 2014 box (support ended: red), a 2017 one (ends within 12
// months: yellow), a current 2022 one (green) and a plain Windows web server
// (no SQL Server: no finding). The emulator loads no Amazon AMIs, so the
// images are registered from a builder instance first.
func seedSQLServerInstances(ctx context.Context, cfg aws.Config) error {
	client := ec2.NewFromConfig(awsx.InRegion(cfg, Regions[0]))
	run := func(imageID string) (string, error) {
		out, err := client.RunInstances(ctx, &ec2.RunInstancesInput{
			ImageId: aws.String(imageID), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), InstanceType: ec2types.InstanceTypeR5Xlarge,
		})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.Instances[0].InstanceId), nil
	}
	builder, err := run("ami-12c6146b")
	if err != nil {
		return err
	}
	for _, name := range []string{
		"Windows_Server-2012-R2_RTM-English-64Bit-SQL_2014_SP3_Standard-2023.10.11",
		"Windows_Server-2019-English-Full-SQL_2017_Enterprise-2024.01.10",
		"Windows_Server-2022-English-Full-SQL_2022_Standard-2024.01.10",
		"Windows_Server-2022-English-Full-Base-2024.01.10",
	} {
		image, err := client.CreateImage(ctx, &ec2.CreateImageInput{InstanceId: aws.String(builder), Name: aws.String(name)})
		if err != nil {
			return err
		}
		if _, err := run(aws.ToString(image.ImageId)); err != nil {
			return err
		}
	}
	_, err = client.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{builder}})
	return err
}

// seedLambdaFunctions creates, in the second demo region, a Python 3.9
// function (deprecated: red) with a published version that is still invoked,
// and current Node.js 22 and Python 3.13 functions (green), plus a
// few days of Invocations metrics for the deprecated ones.
func seedLambdaFunctions(ctx context.Context, cfg aws.Config) error {
	cfg = awsx.InRegion(cfg, Regions[1])
	role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("demo-lambda-exec"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	})
	if err != nil {
		return err
	}
	code, err := FunctionZip()
	if err != nil {
		return err
	}
	client := lambda.NewFromConfig(cfg)
	for name, runtime := range map[string]lambdatypes.Runtime{
		"nightly-invoice-export": lambdatypes.RuntimePython39,
		"checkout-api":           lambdatypes.RuntimeNodejs22x,
		"image-resizer":          lambdatypes.RuntimePython313,
	} {
		if _, err := client.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(name), Runtime: runtime, Role: role.Role.Arn, Handler: aws.String("index.handler"),
			Code: &lambdatypes.FunctionCode{ZipFile: code},
		}); err != nil {
			return fmt.Errorf("create function %s: %w", name, err)
		}
	}
	if _, err := client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("nightly-invoice-export")}); err != nil {
		return err
	}
	// cfg is the emulator's (emulator.Config): it already speaks the
	// CloudWatch protocol the emulator understands.
	metrics := cloudwatch.NewFromConfig(cfg)
	var data []cwtypes.MetricDatum
	for daysAgo := 1; daysAgo <= 7; daysAgo++ {
		for _, dims := range [][]cwtypes.Dimension{
			{{Name: aws.String("FunctionName"), Value: aws.String("nightly-invoice-export")}},
			{{Name: aws.String("FunctionName"), Value: aws.String("nightly-invoice-export")}, {Name: aws.String("Resource"), Value: aws.String("nightly-invoice-export:1")}},
		} {
			data = append(data, cwtypes.MetricDatum{
				MetricName: aws.String("Invocations"), Dimensions: dims, Value: aws.Float64(float64(24 * len(dims))),
				Timestamp: aws.Time(time.Now().AddDate(0, 0, -daysAgo)), Unit: cwtypes.StandardUnitCount,
			})
		}
	}
	_, err = metrics.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/Lambda"), MetricData: data})
	return err
}

// FunctionZip is a minimal Lambda deployment package (one Python handler
// that returns "ok"), for the functions the demo and the benchmark seed.
func FunctionZip() ([]byte, error) {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.Create("index.py")
	if err != nil {
		return nil, err
	}
	if _, err := f.Write([]byte("def handler(event, context):\n    return 'ok'\n")); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
