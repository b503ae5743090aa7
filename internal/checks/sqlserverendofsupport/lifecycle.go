package sqlserverendofsupport

import (
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/datafile"
)

// lifecycleJSON is SQL Server's Fixed Lifecycle as data: per version
// ("2014", "2008 R2") the last day of mainstream and of extended support.
// The file names its source and the day it was read (asOf); a version
// Microsoft releases later is missing from it, and an instance running it is
// an error finding until its row is added.
//
//go:embed lifecycle.json
var lifecycleJSON []byte

// lifecycleFile is lifecycle.json as written.
type lifecycleFile struct {
	datafile.Header
	Versions map[string]struct {
		MainstreamEnd string `json:"mainstreamEnd"`
		ExtendedEnd   string `json:"extendedEnd"`
	} `json:"versions"`
}

// lifecycleTable is the parsed lifecycle data.
type lifecycleTable struct {
	// asOf is the day the data was read from its source.
	asOf     time.Time
	source   string
	versions map[string]supportLifecycle
}

// supportLifecycle is one SQL Server version's Fixed Lifecycle dates, each
// 00:00 UTC on the last day of that support phase as Microsoft lists it:
// the check treats support as ended from that instant (Microsoft's
// Pacific-time cut-off falls within the day), so a version is red on its
// end date.
type supportLifecycle struct {
	MainstreamEnd time.Time
	ExtendedEnd   time.Time
}

// lifecycle is the shipped table. A file that does not parse is a build
// defect (TestLifecycleData catches it); at run time it makes every SQL
// Server instance an error finding instead of a crash.
var lifecycle, lifecycleErr = parseLifecycle(lifecycleJSON)

// versionName is how the table and the detectors name a release.
var versionName = regexp.MustCompile(`^\d{4}( R2)?$`)

// parseLifecycle reads and validates the lifecycle data: every version is
// named like the detectors name it and has two well-formed dates, mainstream
// support ending before extended support.
func parseLifecycle(raw []byte) (lifecycleTable, error) {
	var file lifecycleFile
	asOf, err := datafile.Read("lifecycle data", raw, &file)
	if err != nil {
		return lifecycleTable{}, err
	}
	if len(file.Versions) == 0 {
		return lifecycleTable{}, errors.New("lifecycle data: no versions")
	}
	table := lifecycleTable{asOf: asOf, source: file.Source, versions: make(map[string]supportLifecycle, len(file.Versions))}
	for name, v := range file.Versions {
		if !versionName.MatchString(name) {
			return lifecycleTable{}, fmt.Errorf("lifecycle data: version %q is not named like \"2014\" or \"2008 R2\"", name)
		}
		var lc supportLifecycle
		if lc.MainstreamEnd, err = time.Parse(time.DateOnly, v.MainstreamEnd); err != nil {
			return lifecycleTable{}, fmt.Errorf("lifecycle data: version %s mainstreamEnd: %w", name, err)
		}
		if lc.ExtendedEnd, err = time.Parse(time.DateOnly, v.ExtendedEnd); err != nil {
			return lifecycleTable{}, fmt.Errorf("lifecycle data: version %s extendedEnd: %w", name, err)
		}
		if !lc.MainstreamEnd.Before(lc.ExtendedEnd) {
			return lifecycleTable{}, fmt.Errorf("lifecycle data: version %s ends mainstream support (%s) no earlier than extended support (%s)",
				name, v.MainstreamEnd, v.ExtendedEnd)
		}
		table.versions[name] = lc
	}
	return table, nil
}

// dataset describes the embedded data file for `secadvisor checks` and `version`.
func dataset() check.Dataset {
	return datafile.Dataset("SQL Server lifecycle", lifecycle.source, lifecycle.asOf, lifecycleErr)
}
