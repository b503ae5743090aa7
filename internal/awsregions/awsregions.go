// Package awsregions answers, from AWS's published endpoint metadata, which
// partition a region belongs to and whether a service has an endpoint in a
// region. Checks use it to tell "AWS does not offer this here" (a fact of
// the region, reported as unavailable without calling) from "the call
// failed" (an error), which a network error alone cannot tell.
//
// The data is regions.json, derived from botocore's endpoints.json by
// ./gen; its Source and AsOf say where it came from and when it was read.
// Regions newer than the data are not Known: callers then ask AWS instead of
// guessing.
package awsregions

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
)

//go:embed regions.json
var regionsJSON []byte

// Partition is one AWS partition (aws, aws-cn, aws-us-gov, aws-iso…): a set
// of regions sharing one identity namespace and ARN prefix.
type Partition struct {
	// ID is the partition's name as it appears in ARNs, e.g. "aws-cn".
	ID string
	// Regions are the partition's region names, sorted.
	Regions     []string
	regionRegex *regexp.Regexp
}

// serviceInPartition is where one service has endpoints in one partition.
type serviceInPartition struct {
	Regions []string `json:"regions"`
	// GlobalRegion signs for the service's partition-wide endpoint, empty
	// when the service has none in the partition.
	GlobalRegion string `json:"globalRegion"`
}

// table is regions.json as parsed.
type table struct {
	source, asOf string
	partitions   []Partition
	services     map[string]map[string]serviceInPartition
}

// data is the shipped table. A file that does not parse is a build defect
// (TestData catches it); at run time it leaves every region unknown, so
// callers ask AWS instead of trusting the table: never a crash, never a guess.
var data, dataErr = parse(regionsJSON)

// parse reads and validates the table: every pattern compiles, and every
// service's partitions and regions are ones the table lists.
func parse(raw []byte) (table, error) {
	var file struct {
		Source     string `json:"source"`
		AsOf       string `json:"asOf"`
		Partitions []struct {
			ID          string   `json:"id"`
			RegionRegex string   `json:"regionRegex"`
			Regions     []string `json:"regions"`
		} `json:"partitions"`
		Services map[string]map[string]serviceInPartition `json:"services"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		return table{}, fmt.Errorf("parse regions.json: %w", err)
	}
	if file.Source == "" {
		return table{}, errors.New("regions.json: no source")
	}
	if _, err := time.Parse(time.DateOnly, file.AsOf); err != nil {
		return table{}, fmt.Errorf("regions.json asOf: %w", err)
	}
	t := table{source: file.Source, asOf: file.AsOf, services: file.Services}
	regionsOf := map[string][]string{}
	for _, p := range file.Partitions {
		re, err := regexp.Compile(p.RegionRegex)
		if err != nil {
			return table{}, fmt.Errorf("regions.json partition %s: %w", p.ID, err)
		}
		t.partitions = append(t.partitions, Partition{ID: p.ID, Regions: p.Regions, regionRegex: re})
		regionsOf[p.ID] = p.Regions
	}
	for name, byPartition := range file.Services {
		for id, s := range byPartition {
			partitionRegions, ok := regionsOf[id]
			if !ok {
				return table{}, fmt.Errorf("regions.json service %s: unknown partition %s", name, id)
			}
			for _, r := range append(slices.Clone(s.Regions), s.GlobalRegion) {
				if r != "" && !slices.Contains(partitionRegions, r) {
					return table{}, fmt.Errorf("regions.json service %s: region %s is not in partition %s", name, r, id)
				}
			}
		}
	}
	return t, nil
}

// Source names the data's origin: botocore's endpoints.json, its commit and
// that commit's date.
func Source() string {
	if dataErr != nil {
		return "unknown (" + dataErr.Error() + ")"
	}
	return data.source
}

// AsOf is the date (YYYY-MM-DD) the data was read from its source.
func AsOf() string {
	if dataErr != nil {
		return "unknown"
	}
	return data.asOf
}

// Partitions lists every partition the data knows, in the source's order.
func Partitions() []Partition { return slices.Clone(data.partitions) }

// PartitionOf returns the partition region belongs to: the one listing it,
// else the first whose region pattern matches it (a region newer than the
// data still has its partition). ok is false for a name no partition claims.
func PartitionOf(region string) (p Partition, ok bool) {
	for _, p := range data.partitions {
		if slices.Contains(p.Regions, region) {
			return p, true
		}
	}
	for _, p := range data.partitions {
		if p.regionRegex.MatchString(region) {
			return p, true
		}
	}
	return Partition{}, false
}

// Known reports whether region is listed in a partition of the data, i.e.
// the data can speak for it. A well-formed region absent from the data
// (launched after AsOf, or misspelt) is not Known.
func Known(region string) bool {
	for _, p := range data.partitions {
		if slices.Contains(p.Regions, region) {
			return true
		}
	}
	return false
}

// ServiceAvailable reports whether service (an endpoints.json service key,
// e.g. "wellarchitected") has an endpoint serving region: a regional
// endpoint there, or a partition-wide one in its partition. known is false
// when the data cannot say: region is not Known, or the data does not carry
// service at all. Callers ask AWS when known is false.
func ServiceAvailable(service, region string) (available, known bool) {
	byPartition, tracked := data.services[service]
	if !tracked || !Known(region) {
		return false, false
	}
	p, _ := PartitionOf(region)
	s, offered := byPartition[p.ID]
	if !offered {
		return false, true
	}
	return s.GlobalRegion != "" || slices.Contains(s.Regions, region), true
}

// GlobalRegion returns the region whose endpoint serves service for the
// whole partition partitionID (e.g. AWS Health: us-east-1 in aws,
// cn-northwest-1 in aws-cn, us-gov-west-1 in aws-us-gov). ok is false when
// the service has no partition-wide endpoint there.
func GlobalRegion(service, partitionID string) (region string, ok bool) {
	s := data.services[service][partitionID]
	return s.GlobalRegion, s.GlobalRegion != ""
}

// Dataset describes this data file for `secadvisor checks` and `version`.
func Dataset() check.Dataset {
	return check.Dataset{Name: "AWS partitions, regions and service endpoints", Source: Source(), AsOf: AsOf()}
}
