package org

import (
	"context"
	"errors"
	"slices"
	"strings"
)

// Scope is which accounts a scan covers, as the CLI's --org, --accounts and
// --exclude-accounts and the orchestrator's ACCOUNTS setting say it. The
// zero value is the caller's own account.
type Scope struct {
	// Org covers every active account of the organization.
	Org bool
	// IDs, when Org is false, are the accounts covered.
	IDs []string
	// Exclude are accounts not scanned although Org or IDs cover them.
	Exclude []string
}

// Targets returns the accounts s covers, sorted by ID, each once: the
// organization's active accounts as list returns them (with their names),
// the listed IDs, or own's account; less the excluded ones. No account left
// is an error. own and list are asked only when s needs them, and their
// errors are returned as they are, so that each caller says what failed in
// its own words.
func (s Scope) Targets(ctx context.Context, own func(context.Context) (string, error), list func(context.Context) ([]Account, error)) ([]Account, error) {
	var accounts []Account
	switch {
	case s.Org:
		listed, err := list(ctx)
		if err != nil {
			return nil, err
		}
		accounts = slices.Clone(listed)
	case len(s.IDs) > 0:
		for _, id := range s.IDs {
			accounts = append(accounts, Account{ID: id})
		}
	default:
		id, err := own(ctx)
		if err != nil {
			return nil, err
		}
		accounts = []Account{{ID: id}}
	}
	accounts = slices.DeleteFunc(accounts, func(a Account) bool { return slices.Contains(s.Exclude, a.ID) })
	slices.SortFunc(accounts, func(a, b Account) int { return strings.Compare(a.ID, b.ID) })
	accounts = slices.CompactFunc(accounts, func(a, b Account) bool { return a.ID == b.ID })
	if len(accounts) == 0 {
		return nil, errors.New("no account left to scan")
	}
	return accounts, nil
}
