// Package credreport fetches and parses the IAM credential report: the CSV
// AWS builds with one row per IAM user (plus the root user) saying which
// passwords, MFA devices and access keys each has, and when keys were last
// rotated. It is the one source of access-key ages and of the root user's MFA
// state that needs no per-user call, so the checks that read it share it here.
package credreport

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// RootUser is the "user" value of the root user's row.
const RootUser = "<root_account>"

// Values AWS writes instead of a date or a flag, per the credential report
// documentation: N/A (the credential does not exist), not_supported (the
// field does not apply, e.g. the root user's password_enabled in accounts
// whose root user keeps its password), no_information (AWS has not recorded
// it, e.g. a password used before tracking began).
const (
	valueNotApplicable = "N/A"
	valueNotSupported  = "not_supported"
	valueNoInformation = "no_information"
)

// Flag is a yes/no field that AWS may also leave without an answer.
type Flag int8

// The flag values. Unknown stands for N/A, not_supported and no_information.
const (
	Unknown Flag = iota
	No
	Yes
)

func (f Flag) String() string {
	switch f {
	case Yes:
		return "true"
	case No:
		return "false"
	}
	return "unknown"
}

// Report is a parsed credential report.
type Report struct {
	// GeneratedTime is when AWS built the report (zero when not known, e.g.
	// for a report parsed from a file).
	GeneratedTime time.Time
	// Users holds one entry per row, in the report's order; the root user's
	// row, when present, has Root set.
	Users []User
}

// Root returns the root user's row and whether the report has one.
func (r *Report) Root() (User, bool) {
	for _, u := range r.Users {
		if u.Root {
			return u, true
		}
	}
	return User{}, false
}

// User is one row of the report.
type User struct {
	// Name is the IAM user name, or RootUser.
	Name string
	ARN  string
	Root bool
	// PasswordEnabled says whether the user has a console password. For the
	// root user AWS writes not_supported (Unknown) in the classic report,
	// where the root user always has a password, and false once the password
	// is removed, as with centralized root access for organization member
	// accounts. Unknown also when the column is absent.
	PasswordEnabled Flag
	// MFAActive says whether an MFA device is enabled for the user.
	MFAActive Flag
	// AccessKeys are the two key slots, access_key_1 and access_key_2.
	AccessKeys [2]AccessKey
}

// AccessKey is one key slot of a user. The report names no key ID: slots
// are matched to IDs with iam ListAccessKeys where an ID is needed.
type AccessKey struct {
	// Slot is 1 or 2.
	Slot   int
	Active Flag
	// LastRotated is when the key was created or last activated; zero when
	// the slot holds no key (N/A) or AWS does not say.
	LastRotated time.Time
	// LastUsed is zero when the key was never used or the column is absent.
	LastUsed time.Time
}

// Column names read from the header row.
const (
	colUser     = "user"
	colARN      = "arn"
	colPassword = "password_enabled"
	colMFA      = "mfa_active"
)

// keyColumns names the columns of each key slot, computed once rather than per row.
var keyColumns = [2]struct{ active, lastRotated, lastUsed string }{
	{keyColumn(1, "active"), keyColumn(1, "last_rotated"), keyColumn(1, "last_used_date")},
	{keyColumn(2, "active"), keyColumn(2, "last_rotated"), keyColumn(2, "last_used_date")},
}

func keyColumn(slot int, field string) string { return fmt.Sprintf("access_key_%d_%s", slot, field) }

// requiredColumns are the columns Parse needs. password_enabled and
// access_key_N_last_used_date are read when present; the report's other
// columns (password dates, certificates, last-used region and service) are
// not read.
var requiredColumns = []string{
	colUser, colARN, colMFA,
	keyColumn(1, "active"), keyColumn(1, "last_rotated"),
	keyColumn(2, "active"), keyColumn(2, "last_rotated"),
}

// ErrEmpty says the content held no header row.
var ErrEmpty = errors.New("credential report is empty: no header row")

// Parse reads a credential report's CSV content. Columns are located by the
// header row, not by position, so AWS adding or reordering columns does not
// break it; a missing required column, a duplicated column, or a row whose
// field count differs from the header's is an error naming the line. Values
// other than the documented ones (true/false, RFC 3339 dates, N/A,
// not_supported, no_information) are errors too: a report that cannot be
// read exactly must not be read as "no keys".
func Parse(content []byte) (*Report, error) {
	content = bytes.TrimPrefix(content, []byte("\uFEFF"))
	r := csv.NewReader(bytes.NewReader(content))
	// Every row must have as many fields as the header.
	r.FieldsPerRecord = 0
	r.ReuseRecord = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, ErrEmpty
	}
	if err != nil {
		return nil, fmt.Errorf("credential report header: %w", err)
	}
	index, err := indexHeader(header)
	if err != nil {
		return nil, err
	}
	report := &Report{}
	for {
		record, err := r.Read()
		if errors.Is(err, io.EOF) {
			return report, nil
		}
		if err != nil {
			var parseErr *csv.ParseError
			if errors.As(err, &parseErr) && errors.Is(parseErr.Err, csv.ErrFieldCount) {
				return nil, fmt.Errorf("credential report line %d: %d fields, the header has %d", parseErr.Line, len(record), len(header))
			}
			return nil, fmt.Errorf("credential report: %w", err)
		}
		line, _ := r.FieldPos(0)
		user, err := parseRow(record, index)
		if err != nil {
			return nil, fmt.Errorf("credential report line %d: %w", line, err)
		}
		report.Users = append(report.Users, user)
	}
}

// indexHeader maps each column Parse reads to its position.
func indexHeader(header []string) (map[string]int, error) {
	index := make(map[string]int, len(header))
	for i, name := range header {
		name = strings.TrimSpace(name)
		if _, dup := index[name]; dup {
			return nil, fmt.Errorf("credential report header: column %q appears twice", name)
		}
		index[name] = i
	}
	var missing []string
	for _, c := range requiredColumns {
		if _, ok := index[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("credential report header: missing column(s) %s (header: %q)", strings.Join(missing, ", "), header)
	}
	return index, nil
}

func parseRow(record []string, index map[string]int) (User, error) {
	field := func(name string) string {
		i, ok := index[name]
		if !ok {
			return valueNotApplicable
		}
		return record[i]
	}
	u := User{Name: field(colUser), ARN: field(colARN)}
	if u.Name == "" {
		return User{}, errors.New("empty user name")
	}
	u.Root = u.Name == RootUser
	var err error
	if u.PasswordEnabled, err = parseFlag(colPassword, field(colPassword)); err != nil {
		return User{}, err
	}
	if u.MFAActive, err = parseFlag(colMFA, field(colMFA)); err != nil {
		return User{}, err
	}
	for i, cols := range keyColumns {
		k := AccessKey{Slot: i + 1}
		if k.Active, err = parseFlag(cols.active, field(cols.active)); err != nil {
			return User{}, err
		}
		if k.LastRotated, err = parseTime(cols.lastRotated, field(cols.lastRotated)); err != nil {
			return User{}, err
		}
		if k.LastUsed, err = parseTime(cols.lastUsed, field(cols.lastUsed)); err != nil {
			return User{}, err
		}
		u.AccessKeys[i] = k
	}
	return u, nil
}

func isNoValue(v string) bool {
	switch v {
	case valueNotApplicable, valueNotSupported, valueNoInformation, "":
		return true
	}
	return false
}

func parseFlag(column, v string) (Flag, error) {
	switch {
	case strings.EqualFold(v, "true"):
		return Yes, nil
	case strings.EqualFold(v, "false"):
		return No, nil
	case isNoValue(v):
		return Unknown, nil
	}
	return Unknown, fmt.Errorf("column %s: %q is not true, false, N/A, not_supported or no_information", column, v)
}

func parseTime(column, v string) (time.Time, error) {
	if isNoValue(v) {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("column %s: %q is not an RFC 3339 date, N/A, not_supported or no_information", column, v)
	}
	return t.UTC(), nil
}
