package lambdaruntimes

import (
	_ "embed"
	"errors"
	"fmt"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/datafile"
)

// lifecycleJSON is Lambda's runtime lifecycle as data: per runtime identifier
// the deprecation date and the dates Lambda blocks creating and updating
// functions on it. The file names its source, the source's update and the
// day it was read (asOf); AWS calls the dates projections "subject to
// change", so when it moves one, update the file and its asOf.
//
//go:embed lifecycle.json
var lifecycleJSON []byte

// lifecycleFile is lifecycle.json as written.
type lifecycleFile struct {
	datafile.Header
	SourceCommit  string `json:"sourceCommit"`
	SourceUpdated string `json:"sourceUpdated"`
	Runtimes      map[string]struct {
		Name        string `json:"name"`
		Deprecation string `json:"deprecation"`
		BlockCreate string `json:"blockCreate"`
		BlockUpdate string `json:"blockUpdate"`
	} `json:"runtimes"`
}

// lifecycleTable is the parsed lifecycle data.
type lifecycleTable struct {
	// asOf is the day the data was read from its source: a runtime AWS
	// added later is missing from it.
	asOf time.Time
	// source names where the dates come from and when that was updated.
	source   string
	runtimes map[string]runtimeLifecycle
}

// runtimeLifecycle is one runtime's row. Dates are 00:00 UTC on the day.
type runtimeLifecycle struct {
	Name        string
	Deprecation time.Time
	BlockCreate time.Time
	BlockUpdate time.Time
}

// lifecycle is the shipped table. A file that does not parse is a build
// defect (TestLifecycleData catches it); at run time it makes every job an
// error instead of a crash.
var lifecycle, lifecycleErr = parseLifecycle(lifecycleJSON)

// parseLifecycle reads and validates the lifecycle data: every runtime has a
// name and three well-formed dates, and never blocks updates before it blocks
// creation.
func parseLifecycle(raw []byte) (lifecycleTable, error) {
	var file lifecycleFile
	asOf, err := datafile.Read("lifecycle data", raw, &file)
	if err != nil {
		return lifecycleTable{}, err
	}
	if file.SourceUpdated == "" {
		return lifecycleTable{}, errors.New("lifecycle data: sourceUpdated is required")
	}
	if len(file.Runtimes) == 0 {
		return lifecycleTable{}, errors.New("lifecycle data: no runtimes")
	}
	table := lifecycleTable{
		asOf:     asOf,
		source:   fmt.Sprintf("%s, updated %s (commit %s)", file.Source, file.SourceUpdated, file.SourceCommit),
		runtimes: make(map[string]runtimeLifecycle, len(file.Runtimes)),
	}
	for id, r := range file.Runtimes {
		var lc runtimeLifecycle
		lc.Name = r.Name
		if lc.Name == "" {
			return lifecycleTable{}, fmt.Errorf("lifecycle data: runtime %s has no name", id)
		}
		for _, d := range []struct {
			field, value string
			into         *time.Time
		}{
			{"deprecation", r.Deprecation, &lc.Deprecation},
			{"blockCreate", r.BlockCreate, &lc.BlockCreate},
			{"blockUpdate", r.BlockUpdate, &lc.BlockUpdate},
		} {
			if *d.into, err = time.Parse(time.DateOnly, d.value); err != nil {
				return lifecycleTable{}, fmt.Errorf("lifecycle data: runtime %s %s: %w", id, d.field, err)
			}
		}
		if lc.BlockUpdate.Before(lc.BlockCreate) {
			return lifecycleTable{}, fmt.Errorf("lifecycle data: runtime %s blocks updates (%s) before creation (%s)",
				id, r.BlockUpdate, r.BlockCreate)
		}
		table.runtimes[id] = lc
	}
	return table, nil
}

// lifecycleDataset describes lifecycle.json for `secadvisor checks` and `version`.
func lifecycleDataset() check.Dataset {
	return datafile.Dataset("Lambda runtime lifecycle", lifecycle.source, lifecycle.asOf, lifecycleErr)
}
