// Package storetest creates findings tables in the emulator for the tests of
// what reads and writes them (the CLI, the pipeline functions). The store's
// own tests keep theirs: they cannot import this package.
package storetest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/secadvisor/secadvisor/internal/store"
)

// Table creates the findings table name, as the stack defines it
// (store.CreateTable), in cfg's emulated account, and returns a store on it.
func Table(t testing.TB, cfg aws.Config, name string) *store.Store {
	t.Helper()
	client := dynamodb.NewFromConfig(cfg)
	if err := store.CreateTable(context.Background(), client, name); err != nil {
		t.Fatalf("create the findings table %s: %v", name, err)
	}
	return store.New(client, name)
}
