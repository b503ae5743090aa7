package orglist

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/org"
)

// TestListActiveOnEmulator lists an emulated organization: the management
// account and its members, with their names.
func TestListActiveOnEmulator(t *testing.T) {
	t.Parallel()
	cfg, management := emutest.Config(t)
	members := emutest.Organization(t, management, emulator.Member{Name: "prod"}, emulator.Member{Name: "dev"})
	listed, err := ListActive(context.Background(), organizations.NewFromConfig(cfg))
	if err != nil {
		t.Fatalf("ListActive: %v", err)
	}
	names := map[string]string{}
	for _, a := range listed {
		names[a.ID] = a.Name
	}
	for i, want := range []string{"prod", "dev"} {
		if names[members[i]] != want {
			t.Errorf("ListActive = %v, want %s named %s", listed, members[i], want)
		}
	}
	if _, ok := names[management]; !ok {
		t.Errorf("ListActive = %v, want the management account %s too", listed, management)
	}
}

// twoPages answers ListAccounts in two pages, shaped like AWS's answer.
type twoPages struct{ pages [][]orgtypes.Account }

func (f twoPages) ListAccounts(_ context.Context, in *organizations.ListAccountsInput, _ ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
	accounts, next := checktest.Page(f.pages, in.NextToken)
	return &organizations.ListAccountsOutput{Accounts: accounts, NextToken: next}, nil
}

func account(id, name string, state orgtypes.AccountState) orgtypes.Account {
	return orgtypes.Account{Id: aws.String(id), Name: aws.String(name), State: state}
}

func TestListActiveReadsEveryPageAndKeepsActiveAccounts(t *testing.T) {
	t.Parallel()
	api := twoPages{pages: [][]orgtypes.Account{
		{account("333333333333", "prod", orgtypes.AccountStateActive), account("444444444444", "old", orgtypes.AccountStateSuspended)},
		{account("222222222222", "dev", orgtypes.AccountStateActive), account("555555555555", "closing", orgtypes.AccountStatePendingClosure),
			account("666666666666", "gone", orgtypes.AccountStateClosed)},
	}}
	got, err := ListActive(context.Background(), api)
	if err != nil {
		t.Fatalf("ListActive: %v", err)
	}
	want := []org.Account{{ID: "222222222222", Name: "dev"}, {ID: "333333333333", Name: "prod"}}
	if !slices.Equal(got, want) {
		t.Errorf("ListActive = %v, want %v (active accounts of both pages, sorted by ID)", got, want)
	}
}
