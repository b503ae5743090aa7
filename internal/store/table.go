package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TableAPI is the part of the DynamoDB client CreateTable calls.
type TableAPI interface {
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
}

var _ TableAPI = (*dynamodb.Client)(nil)

// tableActiveTimeout bounds the wait for a new table to become active.
const tableActiveTimeout = 5 * time.Minute

// CreateTable creates the findings table as the CDK stack defines it in
// production, for the tests, the demo and local runs: on-demand billing, a
// stream of old and new images (the notifier's input), the byStatus index
// (all attributes projected, so "what is red" needs no second read) and TTL
// on expiresAt. It waits until the table is active. A table that already
// exists is left as it is.
func CreateTable(ctx context.Context, api TableAPI, table string) error {
	str := types.ScalarAttributeTypeS
	_, err := api.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(table),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(AttrPK), AttributeType: str},
			{AttributeName: aws.String(AttrSK), AttributeType: str},
			{AttributeName: aws.String(AttrStatusIndexPK), AttributeType: str},
			{AttributeName: aws.String(AttrStatusIndexSK), AttributeType: str},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(AttrPK), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(AttrSK), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String(StatusIndex),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(AttrStatusIndexPK), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(AttrStatusIndexSK), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
		StreamSpecification: &types.StreamSpecification{
			StreamEnabled:  aws.Bool(true),
			StreamViewType: types.StreamViewTypeNewAndOldImages,
		},
	})
	var exists *types.ResourceInUseException
	if errors.As(err, &exists) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dynamodb CreateTable %s: %w", table, err)
	}
	waiter := dynamodb.NewTableExistsWaiter(api, func(o *dynamodb.TableExistsWaiterOptions) {
		// The default first delay is 20 s; on-demand tables are usually active sooner.
		o.MinDelay, o.MaxDelay = time.Second, 20*time.Second
	})
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)}, tableActiveTimeout); err != nil {
		return fmt.Errorf("dynamodb DescribeTable (wait for %s to be active): %w", table, err)
	}
	if _, err := api.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(table),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(AttrTTL),
			Enabled:       aws.Bool(true),
		},
	}); err != nil {
		return fmt.Errorf("dynamodb UpdateTimeToLive %s: %w", table, err)
	}
	return nil
}
