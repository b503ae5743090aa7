// Command gen rebuilds internal/awsregions/regions.json from botocore's
// endpoints.json (github.com/boto/botocore, botocore/data/endpoints.json):
// every partition with its ID, region pattern and region names, and for each
// service the project asks about, the regions that have an endpoint and the
// region that signs for its partition-wide (global) endpoint, if any.
// Deprecated endpoints are kept: they still answer.
//
// Usage, from the repository root:
//
//	go run ./internal/awsregions/gen -endpoints /path/to/botocore/data/endpoints.json \
//	  -source 'botocore/data/endpoints.json at github.com/boto/botocore@<commit> (committed <date>)' \
//	  > internal/awsregions/regions.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"time"
)

// services are the endpoints.json service keys the project reads.
var services = []string{"health", "wellarchitected"}

func main() {
	endpointsPath := flag.String("endpoints", "", "path to botocore's botocore/data/endpoints.json")
	source := flag.String("source", "", "where the file came from: repository, path, commit and its date")
	asOf := flag.String("asof", time.Now().UTC().Format(time.DateOnly), "the date the file was read (YYYY-MM-DD)")
	flag.Parse()
	if *endpointsPath == "" || *source == "" {
		fmt.Fprintln(os.Stderr, "gen: -endpoints and -source are required")
		os.Exit(2)
	}
	if err := run(*endpointsPath, *source, *asOf, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(endpointsPath, source, asOf string, w io.Writer) error {
	raw, err := os.ReadFile(endpointsPath)
	if err != nil {
		return fmt.Errorf("read endpoints: %w", err)
	}
	out, err := derive(raw, source, asOf)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// endpointsFile is the part of botocore's endpoints.json (version 3) read here.
type endpointsFile struct {
	Version    int `json:"version"`
	Partitions []struct {
		Partition   string              `json:"partition"`
		RegionRegex string              `json:"regionRegex"`
		Regions     map[string]struct{} `json:"regions"`
		Services    map[string]struct {
			PartitionEndpoint string `json:"partitionEndpoint"`
			Endpoints         map[string]struct {
				CredentialScope struct {
					Region string `json:"region"`
				} `json:"credentialScope"`
			} `json:"endpoints"`
		} `json:"services"`
	} `json:"partitions"`
}

// regionsFile mirrors the embedded file the awsregions package reads.
type regionsFile struct {
	Source      string                                   `json:"source"`
	AsOf        string                                   `json:"asOf"`
	GeneratedBy string                                   `json:"generatedBy"`
	Partitions  []partition                              `json:"partitions"`
	Services    map[string]map[string]serviceInPartition `json:"services"`
}

type partition struct {
	ID          string   `json:"id"`
	RegionRegex string   `json:"regionRegex"`
	Regions     []string `json:"regions"`
}

type serviceInPartition struct {
	Regions      []string `json:"regions"`
	GlobalRegion string   `json:"globalRegion,omitempty"`
}

// derive keeps, per service and partition, the endpoint keys that are
// regions of the partition (pseudo-regions such as "aws-global" or
// "fips-us-east-2" are dropped), and as the global region the credential
// scope (signing region) of the service's partition endpoint: the one its
// partitionEndpoint names, else the endpoint keyed "<partition>-global" (as
// AWS Health's in aws-us-gov), if it has one.
func derive(raw []byte, source, asOf string) (regionsFile, error) {
	var in endpointsFile
	if err := json.Unmarshal(raw, &in); err != nil {
		return regionsFile{}, fmt.Errorf("parse endpoints: %w", err)
	}
	if in.Version != 3 {
		return regionsFile{}, fmt.Errorf("endpoints.json version %d, want 3", in.Version)
	}
	out := regionsFile{Source: source, AsOf: asOf, GeneratedBy: "go run ./internal/awsregions/gen (see its doc comment)",
		Services: map[string]map[string]serviceInPartition{}}
	for _, p := range in.Partitions {
		out.Partitions = append(out.Partitions, partition{ID: p.Partition, RegionRegex: p.RegionRegex, Regions: slices.Sorted(maps.Keys(p.Regions))})
		for _, name := range services {
			svc, ok := p.Services[name]
			if !ok {
				continue
			}
			s := serviceInPartition{Regions: []string{}}
			for key := range svc.Endpoints {
				if _, isRegion := p.Regions[key]; isRegion {
					s.Regions = append(s.Regions, key)
				}
			}
			slices.Sort(s.Regions)
			global := svc.PartitionEndpoint
			if global == "" {
				global = p.Partition + "-global"
			}
			s.GlobalRegion = svc.Endpoints[global].CredentialScope.Region
			if out.Services[name] == nil {
				out.Services[name] = map[string]serviceInPartition{}
			}
			out.Services[name][p.Partition] = s
		}
	}
	return out, nil
}
