// Package pipeline holds what the serverless scanner's functions share: the
// job message the orchestrator sends and the check functions run, the
// refresh event, the environment the CDK stack sets, and SNS's rules for the
// subject of what the notifier and the digest publish. Each function's
// logic is in its own package (orchestrator, worker, notifier), so that a
// function links only the AWS clients and checks it calls; functions/* only
// wire these to lambda.Start.
package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/secadvisor/secadvisor/internal/check"
)

// JobVersion is the version of the job message format.
const JobVersion = 1

// maxAccountNameBytes bounds a job's account name: Organizations allows 50
// printable ASCII characters; the bound leaves room for a longer limit.
const maxAccountNameBytes = 256

// MaxJobBytes bounds a job message: a real one is ~200 bytes; anything far
// larger is not ours.
const MaxJobBytes = 4096

// JobMessage is the SQS message that asks a check's function to run one job
// (a scan.Job on the wire: the check by ID, the scan it belongs to).
type JobMessage struct {
	Version  int       `json:"v"`
	ScanID   string    `json:"scanId"`
	ScanTime time.Time `json:"scanTime"`
	CheckID  string    `json:"checkId"`
	Account  string    `json:"account"`
	// AccountName is the account's name in the organization, when known.
	AccountName string `json:"accountName,omitempty"`
	// Region is an AWS region, or check.GlobalRegion for global checks.
	Region string `json:"region"`
}

var (
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	checkIDPattern = regexp.MustCompile(`^[A-Za-z0-9]{9,12}$`)
)

// IsRegion reports whether s is shaped like an AWS region name, as the
// region of a regional job must be.
func IsRegion(s string) bool { return regionPattern.MatchString(s) }

// Encode renders the job as a message body.
func (j JobMessage) Encode() string {
	b, err := json.Marshal(j)
	if err != nil {
		// A JobMessage has only strings, ints and a time: Marshal cannot fail.
		return ""
	}
	return string(b)
}

// DecodeJobMessage parses and validates a message body. Anything that is not a
// well-formed job of this version is an error that says what is wrong.
func DecodeJobMessage(body string) (JobMessage, error) {
	if len(body) > MaxJobBytes {
		return JobMessage{}, fmt.Errorf("job message is %d bytes, more than %d", len(body), MaxJobBytes)
	}
	dec := json.NewDecoder(bytes.NewBufferString(body))
	dec.DisallowUnknownFields()
	var j JobMessage
	if err := dec.Decode(&j); err != nil {
		return JobMessage{}, fmt.Errorf("job message is not a job: %w", err)
	}
	if dec.More() {
		return JobMessage{}, fmt.Errorf("job message has data after the job")
	}
	if err := j.validate(); err != nil {
		return JobMessage{}, err
	}
	return j, nil
}

func (j JobMessage) validate() error {
	switch {
	case j.Version != JobVersion:
		return fmt.Errorf("job version %d, want %d", j.Version, JobVersion)
	case j.ScanID == "" || len(j.ScanID) > 128:
		return fmt.Errorf("job has no valid scanId")
	case j.ScanTime.IsZero():
		return fmt.Errorf("job has no scanTime")
	case !checkIDPattern.MatchString(j.CheckID):
		return fmt.Errorf("job checkId %q is not a check ID", j.CheckID)
	case !accountPattern.MatchString(j.Account):
		return fmt.Errorf("job account %q is not a 12-digit account ID", j.Account)
	case len(j.AccountName) > maxAccountNameBytes || strings.ContainsFunc(j.AccountName, unicode.IsControl):
		// The name ends in alert subjects, which SNS refuses with a line
		// break or a control character.
		return fmt.Errorf("job account name %q is not an account name", j.AccountName)
	case j.Region != check.GlobalRegion && !IsRegion(j.Region):
		return fmt.Errorf("job region %q is not a region", j.Region)
	}
	return nil
}
