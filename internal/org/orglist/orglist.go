// Package orglist lists an AWS organization's accounts. It is apart from
// package org so that the check functions, which enter accounts but never
// list them, do not link the Organizations client.
package orglist

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/org"
)

// ListAPI is the part of the Organizations client ListActive calls.
type ListAPI interface {
	organizations.ListAccountsAPIClient
}

var _ ListAPI = (*organizations.Client)(nil)

// ListActive returns the organization's active accounts, sorted by ID.
// Suspended accounts and accounts being closed cannot be entered and hold
// nothing to fix, so they are left out. Account.Status was retired by AWS on
// 2026-09-09: State is the field read.
func ListActive(ctx context.Context, api ListAPI) ([]org.Account, error) {
	pages := organizations.NewListAccountsPaginator(api, &organizations.ListAccountsInput{},
		func(o *organizations.ListAccountsPaginatorOptions) { o.StopOnDuplicateToken = true })
	listed, err := awsx.AllPages(ctx, pages, func(p *organizations.ListAccountsOutput) []orgtypes.Account { return p.Accounts })
	if err != nil {
		return nil, check.WrapOp("organizations ListAccounts", err)
	}
	var accounts []org.Account
	for _, a := range listed {
		if a.State == orgtypes.AccountStateActive {
			accounts = append(accounts, org.Account{ID: aws.ToString(a.Id), Name: aws.ToString(a.Name)})
		}
	}
	slices.SortFunc(accounts, func(a, b org.Account) int { return strings.Compare(a.ID, b.ID) })
	return accounts, nil
}
