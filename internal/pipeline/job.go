// Package pipeline is the serverless scanner's logic: the orchestrator that
// plans a scan and fans it out as one SQS message per job, the per-check
// worker that runs a job and writes its findings through the store, and the
// notifier that turns red transitions on the table's stream into SNS alerts.
// functions/* only wire these to lambda.Start.
package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
)

// JobVersion is the version of the job message format.
const JobVersion = 1

// MaxJobBytes bounds a job message: a real one is ~200 bytes; anything far
// larger is not ours.
const MaxJobBytes = 4096

// Job is the SQS message that asks a check's function to run one job.
type Job struct {
	Version  int       `json:"v"`
	ScanID   string    `json:"scanId"`
	ScanTime time.Time `json:"scanTime"`
	CheckID  string    `json:"checkId"`
	Account  string    `json:"account"`
	// Region is an AWS region, or check.GlobalRegion for global checks.
	Region string `json:"region"`
}

var (
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	checkIDPattern = regexp.MustCompile(`^[A-Za-z0-9]{9,12}$`)
)

// Encode renders the job as a message body.
func (j Job) Encode() string {
	b, err := json.Marshal(j)
	if err != nil {
		// A Job has only strings, ints and a time: Marshal cannot fail.
		return ""
	}
	return string(b)
}

// DecodeJob parses and validates a message body. Anything that is not a
// well-formed job of this version is an error that says what is wrong.
func DecodeJob(body string) (Job, error) {
	if len(body) > MaxJobBytes {
		return Job{}, fmt.Errorf("job message is %d bytes, more than %d", len(body), MaxJobBytes)
	}
	dec := json.NewDecoder(bytes.NewBufferString(body))
	dec.DisallowUnknownFields()
	var j Job
	if err := dec.Decode(&j); err != nil {
		return Job{}, fmt.Errorf("job message is not a job: %w", err)
	}
	if dec.More() {
		return Job{}, fmt.Errorf("job message has data after the job")
	}
	if err := j.validate(); err != nil {
		return Job{}, err
	}
	return j, nil
}

func (j Job) validate() error {
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
	case j.Region != check.GlobalRegion && !regionPattern.MatchString(j.Region):
		return fmt.Errorf("job region %q is not a region", j.Region)
	}
	return nil
}
