// Package iamaccesskeyrotation finds active IAM access keys that have not been
// rotated recently. The longer a key lives, the longer a leaked copy of it can
// be used without anyone noticing.
package iamaccesskeyrotation

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/credreport"
	"github.com/secadvisor/secadvisor/internal/spec"
)

// Meta describes the check: its name, description, criteria,
// recommended action and columns are the specification's (spec.Meta).
var Meta = spec.Meta("DqdJqYeRm5", check.Meta{
	Slug:       "iam-access-key-rotation",
	IAMActions: append(slices.Clone(credreport.IAMActions), "iam:ListAccessKeys"),
	Scope:      check.Global,
	BeyondSpec: "Exact boundaries: green while a key is less than 90×24 hours old; red once it is past its second anniversary " +
		"(calendar years, last rotation + 2 years, UTC); yellow in between, both edges included. " +
		"The root user's access keys are reported too (as user <root_account>). " +
		"The Access Key column shows the key ID, found with one iam ListAccessKeys call per user who has an active key; " +
		"where a report slot cannot be matched to one key ID it shows the slot (access_key_1 or access_key_2).",
	// No Triggers: the check judges IAM's credential report, which IAM
	// regenerates at most every four hours, so a re-check minutes after
	// CreateAccessKey, UpdateAccessKey or DeleteAccessKey would read the
	// report from before the call (and could lose a deleted key's ID), and
	// key ages change only with time.
})

// Check is the catalog entry.
var Check = check.New(Meta, collectFrom, evaluate)

// API is the part of the IAM client the check calls.
type API interface {
	credreport.API
	iam.ListAccessKeysAPIClient
}

var _ API = (*iam.Client)(nil)

// listKeysPageSize is ListAccessKeys' largest page (a user has at most two keys).
const listKeysPageSize = 1000

// Rotation thresholds: green below rotateAfter, red after staleAfterYears.
const (
	rotateAfter     = 90 * 24 * time.Hour
	staleAfterYears = 2
)

// Input is what the check evaluates.
type Input struct {
	Report *credreport.Report
	// Keys holds ListAccessKeys' answer for each IAM user with an active key
	// in the report, to name the report's key slots by key ID.
	Keys map[string][]types.AccessKeyMetadata
	// ListErrors holds the users whose keys could not be listed.
	ListErrors map[string]error
}

// collectFrom collects with an IAM client for target.
func collectFrom(ctx context.Context, target check.Target) (Input, error) {
	return collect(ctx, iam.NewFromConfig(target.Config))
}

// collect reads the credential report (two calls however many users), then
// lists the keys of each IAM user holding an active key: the report names
// key slots, not key IDs, and the ID is what a user needs to act.
func collect(ctx context.Context, api API) (Input, error) {
	report, err := credreport.Fetch(ctx, api)
	if err != nil {
		return Input{}, err
	}
	in := Input{Report: report, Keys: map[string][]types.AccessKeyMetadata{}, ListErrors: map[string]error{}}
	for _, u := range report.Users {
		if u.Root || !hasActiveKey(u) {
			// Root's keys cannot be listed by an IAM principal.
			continue
		}
		keys, err := listKeys(ctx, api, u.Name)
		if err != nil {
			in.ListErrors[u.Name] = err
			continue
		}
		in.Keys[u.Name] = keys
	}
	return in, nil
}

func hasActiveKey(u credreport.User) bool {
	return u.AccessKeys[0].Active == credreport.Yes || u.AccessKeys[1].Active == credreport.Yes
}

func listKeys(ctx context.Context, api API, user string) ([]types.AccessKeyMetadata, error) {
	pages := iam.NewListAccessKeysPaginator(api, &iam.ListAccessKeysInput{UserName: aws.String(user), MaxItems: aws.Int32(listKeysPageSize)},
		func(o *iam.ListAccessKeysPaginatorOptions) { o.StopOnDuplicateToken = true })
	keys, err := awsx.AllPages(ctx, pages, func(p *iam.ListAccessKeysOutput) []types.AccessKeyMetadata { return p.AccessKeyMetadata })
	if awsx.Is(err, awsx.KindNotFound) {
		// Deleted since the report was generated: no key to name.
		return nil, nil
	}
	if err != nil {
		return nil, check.WrapOp("iam ListAccessKeys", err)
	}
	return keys, nil
}

// evaluate reports one finding per active key: green when rotated less than
// 90 days before the scan, red when rotated more than two years before it,
// yellow in between. Inactive keys and empty slots are not reported.
func evaluate(target check.Target, in Input) []check.Finding {
	now := target.ScanTime.UTC()
	var findings []check.Finding
	for _, u := range in.Report.Users {
		if listErr, failed := in.ListErrors[u.Name]; failed {
			findings = append(findings, Meta.ErrorFinding(target, u.Name+"/key-ids", "iam ListAccessKeys", listErr))
		}
		activeSlots := 0
		for _, k := range u.AccessKeys {
			if k.Active == credreport.Yes {
				activeSlots++
			}
		}
		for _, k := range u.AccessKeys {
			slot := fmt.Sprintf("access_key_%d", k.Slot)
			switch {
			case k.Active == credreport.No:
				continue
			case k.Active == credreport.Unknown && k.LastRotated.IsZero():
				// N/A everywhere: the slot holds no key.
				continue
			case k.Active == credreport.Unknown:
				findings = append(findings, Meta.Unevaluated(target, u.Name+"/"+slot,
					fmt.Sprintf("the credential report does not say whether %s of %s is active.", slot, u.Name),
					map[string]string{"IAM user": u.Name, "Access Key": slot, "Key Last Rotated": formatTime(k.LastRotated)}))
				continue
			case k.LastRotated.IsZero():
				findings = append(findings, Meta.Unevaluated(target, u.Name+"/"+slot,
					fmt.Sprintf("the credential report gives no last-rotated date for active %s of %s.", slot, u.Name),
					map[string]string{"IAM user": u.Name, "Access Key": slot}))
				continue
			}
			keyID := matchKeyID(k, activeSlots, in.Keys[u.Name])
			resourceID, keyColumn := u.Name+"/"+slot, slot
			if keyID != "" {
				resourceID, keyColumn = keyID, keyID
			}
			status, reason := judge(k.LastRotated, now)
			findings = append(findings, Meta.NewFinding(target, resourceID, status, reason, map[string]string{
				"IAM user":         u.Name,
				"Access Key":       keyColumn,
				"Key Last Rotated": formatTime(k.LastRotated),
				"Reason":           reason,
			}))
		}
	}
	return findings
}

// judge applies the spec's thresholds. "2 years" is calendar years: a key
// turns red once now is past lastRotated + 2 years (Go's AddDate, so a key
// rotated on 29 February turns red after 1 March two years later).
func judge(lastRotated, now time.Time) (check.Status, string) {
	age := now.Sub(lastRotated)
	days := int(age / (24 * time.Hour))
	switch {
	case age < rotateAfter:
		return check.Green, fmt.Sprintf("Active key rotated %d days ago: within the last 90 days.", days)
	case !now.After(lastRotated.AddDate(staleAfterYears, 0, 0)):
		return check.Yellow, fmt.Sprintf("Active key rotated %d days ago: more than 90 days ago, within the last 2 years.", days)
	default:
		return check.Red, fmt.Sprintf("Active key rotated %d days ago: not rotated in the last 2 years.", days)
	}
}

// matchKeyID names a report slot by key ID, from ListAccessKeys' answer:
// the one active key when the user has exactly one active slot and one
// active key, otherwise the active key created at the slot's last-rotated
// time (a key never deactivated was last rotated when created). It returns
// "" when neither rule picks exactly one key.
func matchKeyID(k credreport.AccessKey, activeSlots int, listed []types.AccessKeyMetadata) string {
	var active []types.AccessKeyMetadata
	for _, key := range listed {
		if key.Status == types.StatusTypeActive {
			active = append(active, key)
		}
	}
	if activeSlots == 1 && len(active) == 1 {
		return aws.ToString(active[0].AccessKeyId)
	}
	var sameTime []string
	for _, key := range active {
		if aws.ToTime(key.CreateDate).Truncate(time.Second).Equal(k.LastRotated.Truncate(time.Second)) {
			sameTime = append(sameTime, aws.ToString(key.AccessKeyId))
		}
	}
	if len(sameTime) == 1 {
		return sameTime[0]
	}
	return ""
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
