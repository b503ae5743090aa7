// Command secadvisor-bench runs the benchmark behind `make bench`: it starts
// its own emulator, seeds the reference synthetic account, scans it in
// parallel and serially, measures the findings store's steady-state writes,
// sizes the Lambda bootstraps, runs the org-scale cost and time model and the
// event-driven re-checks' model, and prints a table and writes the results
// as JSON (see BENCHMARKS.md).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/secadvisor/secadvisor/internal/dev/bench"
	"github.com/secadvisor/secadvisor/internal/lambdabuild"
	"github.com/secadvisor/secadvisor/internal/scan"
)

func main() {
	os.Exit(run())
}

func run() int {
	var (
		scale       = flag.Float64("scale", 1.0, "multiplies the reference account (1.0 = the issue's numbers)")
		concurrency = flag.Int("concurrency", scan.DefaultConcurrency, "job concurrency of the parallel scan (the serial scan uses 1)")
		seedWorkers = flag.Int("seed-workers", 16, "concurrent seeding requests")
		outDir      = flag.String("out", "bench/results", "folder for the results JSON")
		lambdas     = flag.Bool("lambda-sizes", true, "build the Lambda bootstraps (linux/arm64) and report their sizes")
		from        = flag.String("from", "", "do not run: recompute the minimal calls and the org-scale model of this results JSON, print it and rewrite it")
	)
	flag.Parse()
	if *from != "" {
		return recompute(*from)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	res, err := bench.Run(ctx, bench.Options{Scale: *scale, Concurrency: *concurrency, SeedWorkers: *seedWorkers, Log: os.Stderr})
	if err != nil {
		fmt.Fprintf(os.Stderr, "secadvisor-bench: %v\n", err)
		return 1
	}
	if *lambdas {
		if res.Lambda, err = lambdaSizes(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "secadvisor-bench: %v\n", err)
			return 1
		}
	}
	model, inputs := bench.OrgModel(res, bench.DefaultModelInputs())
	res.Model, res.ModelInputs, res.Events = model, &inputs, bench.EventModel(res, inputs)
	bench.WriteTable(os.Stdout, res)
	fmt.Println()
	bench.WriteShares(os.Stdout, bench.ConcurrencyShares(res, inputs), inputs)

	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "secadvisor-bench: %v\n", err)
		return 1
	}
	name := filepath.Join(*outDir, fmt.Sprintf("%s-scale%g.json", time.Now().UTC().Format("2006-01-02"), *scale))
	if err := writeJSON(name, res); err != nil {
		fmt.Fprintf(os.Stderr, "secadvisor-bench: %v\n", err)
		return 1
	}
	fmt.Printf("\nresults: %s\n", name)
	return 0
}

func writeJSON(name string, res *bench.Result) error {
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(name, append(b, '\n'), 0o644)
}

// recompute re-derives a stored result's minimal calls and model.
func recompute(name string) int {
	b, err := os.ReadFile(name)
	if err != nil {
		fmt.Fprintf(os.Stderr, "secadvisor-bench: %v\n", err)
		return 1
	}
	var res bench.Result
	if err := json.Unmarshal(b, &res); err != nil {
		fmt.Fprintf(os.Stderr, "secadvisor-bench: %s: %v\n", name, err)
		return 1
	}
	bench.Recompute(&res)
	model, inputs := bench.OrgModel(&res, bench.DefaultModelInputs())
	res.Model, res.ModelInputs, res.Events = model, &inputs, bench.EventModel(&res, inputs)
	bench.WriteTable(os.Stdout, &res)
	fmt.Println()
	bench.WriteShares(os.Stdout, bench.ConcurrencyShares(&res, inputs), inputs)
	if err := writeJSON(name, &res); err != nil {
		fmt.Fprintf(os.Stderr, "secadvisor-bench: %v\n", err)
		return 1
	}
	return 0
}

// lambdaSizes builds every function as `make build-lambdas` does (one
// bootstrap per check, linux/arm64, through lambdabuild) into a temporary
// folder and returns their sizes.
func lambdaSizes(context.Context) ([]bench.LambdaSize, error) {
	dir, err := os.MkdirTemp("", "secadvisor-bench-lambda")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	fns, err := lambdabuild.Generate(".")
	if err != nil {
		return nil, fmt.Errorf("list the functions: %w", err)
	}
	if err := lambdabuild.Build(".", dir, "arm64", fns); err != nil {
		return nil, fmt.Errorf("build the functions: %w", err)
	}
	var out []bench.LambdaSize
	for _, fn := range fns {
		info, err := os.Stat(filepath.Join(dir, fn.Name, "bootstrap"))
		if err != nil {
			return nil, err
		}
		out = append(out, bench.LambdaSize{Function: fn.Name, Bytes: info.Size()})
	}
	return out, nil
}
