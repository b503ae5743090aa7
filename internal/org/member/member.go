// Package member enters the member accounts of an organization: it hands
// out, per account, a configuration whose credentials come from assuming
// the member role there (deployed to every account by the SecadvisorMember
// stack), the way Prowler and Cloud Custodian scan many accounts. The
// caller's own account is scanned with its own credentials.
//
// It is apart from package org so that the orchestrator, which names
// accounts but never enters them, does not link the STS client.
package member

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/org"
)

// SessionName names the member-role sessions, so that a member account's
// CloudTrail shows who read it.
const SessionName = "secadvisor"

// credentialsExpiryWindow is how long before they expire cached member
// credentials are renewed: a job never starts with credentials that run out
// in the middle of it (jobs are bounded by scan.DefaultJobTimeout, 5 minutes).
const credentialsExpiryWindow = 6 * time.Minute

// Entry tells how to enter member accounts.
type Entry struct {
	// Base is the caller's configuration: it calls STS and scans the
	// caller's own account.
	Base aws.Config
	// Own is the caller's account ID: it is scanned with Base itself.
	Own string
	// Partition is the caller's partition (aws, aws-cn, aws-us-gov).
	Partition string
	// RoleName is the member role's name (org.DefaultRoleName when empty).
	RoleName string
	// ExternalID, when set, is passed to AssumeRole.
	ExternalID string
	// SessionPolicy, when set, limits the member sessions (org.SessionPolicy).
	SessionPolicy string
}

// Accounts hands out a configuration per account: the caller's own for its
// own account, and for every other account one whose credentials come from
// assuming the member role there. Credentials are cached per account and
// renewed shortly before they expire, so a warm function or a long scan
// calls AssumeRole once per account and hour, not once per job.
type Accounts struct {
	entry Entry
	mu    sync.Mutex
	byID  map[string]aws.Config
}

// NewAccounts returns the account configurations of entry.
func NewAccounts(entry Entry) *Accounts {
	if entry.RoleName == "" {
		entry.RoleName = org.DefaultRoleName
	}
	if entry.Partition == "" {
		entry.Partition = "aws"
	}
	return &Accounts{entry: entry, byID: map[string]aws.Config{}}
}

// RoleARN is the member role's ARN in account.
func (a *Accounts) RoleARN(account string) string {
	return org.RoleARN(a.entry.Partition, account, a.entry.RoleName)
}

// Config returns the configuration that reaches account. Nothing is called
// yet: the role is assumed on the first call made with it (see Enter).
func (a *Accounts) Config(account string) aws.Config {
	if account == a.entry.Own {
		return a.entry.Base
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if cfg, ok := a.byID[account]; ok {
		return cfg
	}
	roleARN := a.RoleARN(account)
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(a.entry.Base), roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = SessionName
		if a.entry.ExternalID != "" {
			o.ExternalID = aws.String(a.entry.ExternalID)
		}
		if a.entry.SessionPolicy != "" {
			o.Policy = aws.String(a.entry.SessionPolicy)
		}
	})
	cfg := a.entry.Base.Copy()
	cfg.Credentials = aws.NewCredentialsCache(provider, func(o *aws.CredentialsCacheOptions) {
		o.ExpiryWindow = credentialsExpiryWindow
	})
	a.byID[account] = cfg
	return cfg
}

// Enter assumes the member role in account now (or finds cached
// credentials), so that an account that cannot be entered is known before
// any job runs there. The error names the role and AWS's error code.
func (a *Accounts) Enter(ctx context.Context, account string) error {
	cfg := a.Config(account)
	if account == a.entry.Own {
		return nil
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return a.EnterError(account, err)
	}
	return nil
}

// EnterError describes why account could not be entered: the role, the
// error code and AWS's message, as every error finding of that account says it.
//
// Its text is stable from one attempt to the next (no request ID), so that
// the error finding it becomes is not rewritten on every scan.
func (a *Accounts) EnterError(account string, err error) error {
	return &enterError{
		text: fmt.Sprintf("could not assume %s: sts AssumeRole: %s", a.RoleARN(account), awsx.Describe(stsAnswer(err))),
		err:  err,
	}
}

// enterError says why an account could not be entered; it wraps the SDK's
// error for errors.As.
type enterError struct {
	text string
	err  error
}

func (e *enterError) Error() string { return e.text }
func (e *enterError) Unwrap() error { return e.err }

// stsAnswer is the API error inside err, without the SDK's operation and
// request-ID wrapping, when there is one.
func stsAnswer(err error) error {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	return err
}
