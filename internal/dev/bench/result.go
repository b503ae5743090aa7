package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/secadvisor/secadvisor/internal/check"
)

// Result is one benchmark run, as written to bench/results/*.json.
type Result struct {
	Date      string       `json:"date"`
	GoVersion string       `json:"goVersion"`
	Machine   Machine      `json:"machine"`
	Load      []LoadSample `json:"load"`
	Spec      Spec         `json:"spec"`
	Seed      SeedResult   `json:"seed"`
	Jobs      int          `json:"jobs"`
	Parallel  ScanResult   `json:"parallelScan"`
	Serial    ScanResult   `json:"serialScan"`
	// Speedup is the serial scan's wall time over the parallel one's.
	Speedup     float64       `json:"speedup"`
	PerJob      []JobResult   `json:"perJob"`
	SteadyState *SteadyState  `json:"steadyState"`
	Lambda      []LambdaSize  `json:"lambdaBootstraps,omitempty"`
	Model       []ModelResult `json:"orgModel,omitempty"`
	ModelInputs *ModelInputs  `json:"orgModelInputs,omitempty"`
	// Events is the event-driven re-checks' model (EventModel).
	Events *EventReport `json:"eventModel,omitempty"`
}

// Machine describes where the run happened.
type Machine struct {
	CPUs        int    `json:"cpus"`
	CPUModel    string `json:"cpuModel"`
	MemoryBytes int64  `json:"memoryBytes"`
	OS          string `json:"os"`
}

// LoadSample is /proc/loadavg at a point of the run: the machine is shared,
// and the load says how much of it the run had.
type LoadSample struct {
	At      string `json:"at"`
	LoadAvg string `json:"loadavg"`
}

// SeedResult is the seeding's cost.
type SeedResult struct {
	Seconds        float64 `json:"seconds"`
	Calls          int64   `json:"calls"`
	CallsPerSecond float64 `json:"callsPerSecond"`
	Workers        int     `json:"workers"`
}

// ScanResult is one scan.
type ScanResult struct {
	Concurrency   int                  `json:"concurrency"`
	Seconds       float64              `json:"wallSeconds"`
	Findings      int                  `json:"findings"`
	ByStatus      map[check.Status]int `json:"findingsByStatus"`
	ErrorFindings []string             `json:"errorFindings,omitempty"`
	PeakRSSBytes  int64                `json:"peakRssBytes"`
	// AvgFindingBytes is the mean size of a finding as JSON: the bulk of a
	// stored item (the store adds keys and timestamps).
	AvgFindingBytes int        `json:"avgFindingJsonBytes,omitempty"`
	TotalCalls      int        `json:"totalCalls"`
	APICalls        []OpResult `json:"apiCalls"`
	jobs            []JobResult
}

// OpResult is one operation's calls against the minimum.
type OpResult struct {
	Service   string  `json:"service"`
	Operation string  `json:"operation"`
	Calls     int     `json:"calls"`
	Attempts  int     `json:"attempts"`
	Errors    int     `json:"errors"`
	Minimal   int     `json:"minimal"`
	Formula   string  `json:"formula"`
	Ratio     float64 `json:"ratio"`
	Note      string  `json:"note,omitempty"`
}

// JobResult is one job of the serial scan.
type JobResult struct {
	CheckID  string  `json:"checkId"`
	Slug     string  `json:"slug"`
	Region   string  `json:"region"`
	Scope    string  `json:"scope"`
	Millis   float64 `json:"ms"`
	Calls    int     `json:"calls"`
	Findings int     `json:"findings"`
}

// SteadyState is the findings table's writes over three scans.
type SteadyState struct {
	Initial            ApplyResult `json:"firstScan"`
	Unchanged          ApplyResult `json:"unchangedRescan"`
	Change             Change      `json:"change"`
	ChangedScanSeconds float64     `json:"changedScanWallSeconds"`
	Changed            ApplyResult `json:"changedRescan"`
}

// ApplyResult is what storing one scan wrote. ItemsWritten are the
// BatchWriteItem items (puts and deletes of findings); every job also makes
// one PutItem (claim) and one UpdateItem (commit) on its summary item.
type ApplyResult struct {
	ItemsWritten  int            `json:"findingItemsWritten"`
	Put           int            `json:"put"`
	Deleted       int            `json:"deleted"`
	Unchanged     int            `json:"unchanged"`
	Stale         int            `json:"staleJobs"`
	Seconds       float64        `json:"seconds"`
	DynamoDBCalls map[string]int `json:"dynamodbCalls"`
}

// LambdaSize is one function's bootstrap binary.
type LambdaSize struct {
	Function string `json:"function"`
	Bytes    int64  `json:"bytes"`
}

func readMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		s := bufio.NewScanner(f)
		for s.Scan() {
			if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if kb := procField("/proc/meminfo", "MemTotal"); kb > 0 {
		m.MemoryBytes = kb * 1024
	}
	return m
}

func loadSample(at string) LoadSample {
	b, _ := os.ReadFile("/proc/loadavg")
	return LoadSample{At: at, LoadAvg: strings.TrimSpace(string(b))}
}

// resetPeakRSS resets this process's peak RSS (VmHWM), so that the next
// reading is the peak of one phase (Linux: "5" to clear_refs).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is this process's peak resident set size since the last reset.
func peakRSS() int64 { return procField("/proc/self/status", "VmHWM") * 1024 }

// procField reads a "Name: N kB" line of a /proc file.
func procField(path, name string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == name {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// avgJSONBytes is the mean size of findings marshalled as JSON.
func avgJSONBytes(findings []check.Finding) int {
	if len(findings) == 0 {
		return 0
	}
	total := 0
	for _, f := range findings {
		b, _ := json.Marshal(f)
		total += len(b)
	}
	return total / len(findings)
}

// WriteTable prints the results for people.
func WriteTable(w io.Writer, r *Result) {
	fmt.Fprintf(w, "machine: %d CPUs, %s, %.1f GiB; load: ", r.Machine.CPUs, r.Machine.CPUModel, float64(r.Machine.MemoryBytes)/(1<<30))
	for i, l := range r.Load {
		if i > 0 {
			fmt.Fprint(w, "; ")
		}
		fmt.Fprintf(w, "%s %s", l.At, strings.Join(strings.Fields(l.LoadAvg)[:3], " "))
	}
	fmt.Fprintln(w)
	s := r.Spec
	fmt.Fprintf(w, "account (scale %g): %d regions × {%d SGs, %d rules, %d EBS snapshots (%d public), %d RDS snapshots, %d CLBs, %d functions}; %d buckets, %d users, %d keys, %d zones\n",
		s.Scale, len(s.Regions), s.SecurityGroups, s.SecurityGroups*s.RulesPerGroup, s.EBSSnapshots, s.PublicSnapshot, s.RDSSnapshots, s.ClassicLBs, s.LambdaFuncs,
		s.Buckets, s.Users, s.AccessKeys, s.HostedZones)
	fmt.Fprintf(w, "seeding: %.1f s, %d calls (%.0f/s, %d workers)\n\n", r.Seed.Seconds, r.Seed.Calls, r.Seed.CallsPerSecond, r.Seed.Workers)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCAN\tJOBS\tWALL s\tCALLS\tFINDINGS\tred\tyellow\tgreen\terror\tPEAK RSS MiB")
	for _, sc := range []ScanResult{r.Parallel, r.Serial} {
		fmt.Fprintf(tw, "concurrency %d\t%d\t%.1f\t%d\t%d\t%d\t%d\t%d\t%d\t%.0f\n", sc.Concurrency, r.Jobs, sc.Seconds, sc.TotalCalls, sc.Findings,
			sc.ByStatus[check.Red], sc.ByStatus[check.Yellow], sc.ByStatus[check.Green], sc.ByStatus[check.Error], float64(sc.PeakRSSBytes)/(1<<20))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "speedup (serial ÷ parallel wall time): %.2f×\n\n", r.Speedup)

	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tOPERATION\tCALLS\tMINIMAL\tRATIO\tFORMULA")
	for _, op := range r.Parallel.APICalls {
		ratio := "n/a"
		switch {
		case op.Minimal > 0 && op.Calls < op.Minimal:
			ratio = fmt.Sprintf("%.2f*", op.Ratio)
		case op.Minimal > 0:
			ratio = fmt.Sprintf("%.2f", op.Ratio)
		case op.Calls > 0 && op.Formula != "no formula":
			ratio = "∞"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\n", op.Service, op.Operation, op.Calls, op.Minimal, ratio, op.Formula)
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "* fewer calls than the minimum: the emulator ignores that listing's page size (one page); against AWS it would be the minimum")
	minimal, total := 0, 0
	for _, op := range r.Parallel.APICalls {
		total += op.Calls
		minimal += op.Minimal
	}
	fmt.Fprintf(w, "total: %d calls, minimum %d (%.2f×)\n", total, minimal, float64(total)/float64(max(minimal, 1)))

	fmt.Fprintln(w, "\nslowest checks (serial scan, summed over regions):")
	type agg struct {
		slug        string
		ms          float64
		calls, jobs int
	}
	bySlug := map[string]*agg{}
	for _, j := range r.PerJob {
		a := bySlug[j.Slug]
		if a == nil {
			a = &agg{slug: j.Slug}
			bySlug[j.Slug] = a
		}
		a.ms += j.Millis
		a.calls += j.Calls
		a.jobs++
	}
	list := make([]*agg, 0, len(bySlug))
	for _, a := range bySlug {
		list = append(list, a)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ms > list[j].ms })
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tJOBS\tSECONDS\tCALLS")
	for _, a := range list {
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%d\n", a.slug, a.jobs, a.ms/1000, a.calls)
	}
	_ = tw.Flush()

	if ss := r.SteadyState; ss != nil {
		fmt.Fprintln(w, "\nfindings table (DynamoDB BatchWriteItem items; plus 1 PutItem + 1 UpdateItem summary write per job):")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "APPLY\tITEMS WRITTEN\tPUT\tDELETED\tUNCHANGED\tSTALE JOBS\tBatchWriteItem CALLS\tPutItem\tUpdateItem\tQuery")
		for _, a := range []struct {
			name string
			r    ApplyResult
		}{{"first scan", ss.Initial}, {"unchanged re-scan", ss.Unchanged}, {"after 1 % change", ss.Changed}} {
			c := a.r.DynamoDBCalls
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", a.name, a.r.ItemsWritten, a.r.Put, a.r.Deleted, a.r.Unchanged, a.r.Stale,
				c["BatchWriteItem"], c["PutItem"], c["UpdateItem"], c["Query"])
		}
		_ = tw.Flush()
		fmt.Fprintf(w, "the change: per region %d EBS snapshots made public, %d security groups given SSH from 0.0.0.0/0\n",
			ss.Change.SnapshotsMadePublic, ss.Change.GroupsOpened)
	}
	if len(r.Lambda) > 0 {
		fmt.Fprintln(w, "\nLambda bootstraps (linux/arm64, -tags lambda.norpc, -ldflags '-s -w'):")
		for _, l := range r.Lambda {
			fmt.Fprintf(w, "  %-13s %d bytes (%.1f MiB)\n", l.Function, l.Bytes, float64(l.Bytes)/(1<<20))
		}
	}
	if len(r.Model) > 0 {
		fmt.Fprintln(w)
		WriteModel(w, r.Model)
	}
	if r.Events != nil && r.ModelInputs != nil {
		fmt.Fprintln(w)
		WriteEvents(w, r.Events, *r.ModelInputs)
	}
}
