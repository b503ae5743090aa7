// Package datafile reads the embedded data files that age (lifecycle dates,
// policy and condition-key lists): strictly, so that a misspelt key is an
// error instead of silently missing data, and with the date the data was
// read, so that a stale table is visible.
package datafile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
)

// Decode reads the JSON data file name from raw into v, refusing fields v
// does not declare and anything after the first value.
func Decode(name string, raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if dec.More() {
		return fmt.Errorf("%s: data after the first JSON value", name)
	}
	return nil
}

// Header is what a data file says of itself beside its data: where the data
// comes from, the day (YYYY-MM-DD) it was read there, what it was checked
// against and notes for whoever updates it. A file's struct embeds it and
// is read with Read.
type Header struct {
	Source       string   `json:"source"`
	AsOf         string   `json:"asOf"`
	CrossChecked []string `json:"crossChecked"`
	Notes        []string `json:"notes"`
}

func (h *Header) header() *Header { return h }

// Read decodes the data file name from raw into file, a pointer to a struct
// that embeds Header, as strictly as Decode does, and checks the header: its
// asOf, which Read returns, is a date, and it names its source.
func Read(name string, raw []byte, file interface{ header() *Header }) (time.Time, error) {
	if err := Decode(name, raw, file); err != nil {
		return time.Time{}, err
	}
	h := file.header()
	asOf, err := AsOf(name, h.AsOf)
	if err != nil {
		return time.Time{}, err
	}
	if h.Source == "" {
		return time.Time{}, fmt.Errorf("%s: source is required", name)
	}
	return asOf, nil
}

// AsOf parses the file's asOf field, the day (YYYY-MM-DD) the data was read
// from its source.
func AsOf(name, value string) (time.Time, error) {
	day, err := time.Parse(time.DateOnly, value)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s asOf: %w", name, err)
	}
	return day, nil
}

// Dataset describes the data file name for `secadvisor checks` and
// `version`: where it comes from and the day it was read, both "unknown
// (err)" when err says the file could not be read.
func Dataset(name, source string, asOf time.Time, err error) check.Dataset {
	return check.Dataset{Name: name, Source: OrUnknown(source, err), AsOf: OrUnknown(asOf.Format(time.DateOnly), err)}
}

// OrUnknown returns value, or "unknown (err)" when the file could not be
// read, for the accessors that show a file's date and source.
func OrUnknown(value string, err error) string {
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	return value
}
