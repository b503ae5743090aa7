package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// batchSize is BatchWriteItem's limit of requests per call.
const batchSize = 25

// maxBatchAttempts bounds the calls made for one chunk of 25 while DynamoDB
// keeps returning UnprocessedItems (throughput exceeded on a partition).
// With the backoff doubling from retryBase (50 ms) up to maxBackoff, it
// gives up after at most about nine seconds of waiting without progress.
const (
	maxBatchAttempts = 10
	maxBackoff       = 2 * time.Second
)

// batchWrite puts puts and deletes the items of pk whose sort keys are
// deletes, 25 requests per BatchWriteItem call.
func (s *Store) batchWrite(ctx context.Context, pk string, puts []findingItem, deletes []string) error {
	var requests []types.WriteRequest
	for _, it := range puts {
		av, err := attributevalue.MarshalMap(it)
		if err != nil {
			return fmt.Errorf("encode item %s %s: %w", it.PK, it.SK, err)
		}
		requests = append(requests, types.WriteRequest{PutRequest: &types.PutRequest{Item: av}})
	}
	for _, sk := range deletes {
		requests = append(requests, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: itemKey(pk, sk)}})
	}
	for start := 0; start < len(requests); start += batchSize {
		if err := s.writeChunk(ctx, requests[start:min(start+batchSize, len(requests))]); err != nil {
			return err
		}
	}
	return nil
}

// writeChunk writes up to 25 requests, calling again with the
// UnprocessedItems DynamoDB hands back. The SDK retries throttled calls but
// has no helper for UnprocessedItems (a successful answer that did part of
// the work), hence this bounded loop with exponential backoff and jitter,
// as the BatchWriteItem documentation asks.
func (s *Store) writeChunk(ctx context.Context, requests []types.WriteRequest) error {
	pending := map[string][]types.WriteRequest{s.table: requests}
	backoff := s.retryBase
	for attempt := 1; ; attempt++ {
		out, err := s.api.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
		if err != nil {
			return fmt.Errorf("dynamodb BatchWriteItem: %w", err)
		}
		if len(out.UnprocessedItems[s.table]) == 0 {
			return nil
		}
		pending = out.UnprocessedItems
		if attempt == maxBatchAttempts {
			return fmt.Errorf("dynamodb BatchWriteItem: %d of %d writes still unprocessed after %d attempts", len(pending[s.table]), len(requests), attempt)
		}
		// Full jitter: a random wait up to backoff, so that retrying writers spread out.
		wait := time.Duration(rand.Int64N(int64(backoff) + 1))
		select {
		case <-ctx.Done():
			return fmt.Errorf("dynamodb BatchWriteItem: %d writes unprocessed: %w", len(pending[s.table]), ctx.Err())
		case <-time.After(wait):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}
