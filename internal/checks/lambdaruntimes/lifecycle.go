package lambdaruntimes

import "time"

// Lambda runtime lifecycle, as versioned data.
//
// Source: AWS Lambda Developer Guide, "Lambda runtimes" — the "Supported
// runtimes" and "Deprecated runtimes" tables (columns: Deprecation date, Block
// function create, Block function update):
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
// and, for .NET, https://docs.aws.amazon.com/lambda/latest/dg/csharp-dev-env.html.
// Cross-checked against the AWS CloudFormation linter's copy of the same
// table (cfn-lint 1.51.0, src/cfnlint/data/AdditionalSpecs/LmbdRuntimeLifecycle.json).
// The AWS page says the dates are projections "subject to change": when it
// moves a date, update this table and lifecycleChecked.
//
// Dates are UTC calendar days: a runtime is deprecated from 00:00 UTC on its
// deprecation date. Only the deprecation date drives the status; the block
// dates are reported in the reason because they are what breaks deployments.
//
// Not listed: dotnet9 (container image only, so never a function's Runtime)
// and any runtime newer than lifecycleChecked — a runtime missing from the
// table is reported as error ("could not evaluate"), never as green.

// lifecycleChecked is the day the table above was last compared with its source.
var lifecycleChecked = day(2026, time.November, 28)

// runtimeLifecycle is one row of Lambda's runtime tables.
type runtimeLifecycle struct {
	Name        string
	Deprecation time.Time
	BlockCreate time.Time // zero when not scheduled
	BlockUpdate time.Time // zero when not scheduled
}

// runtimes maps a runtime identifier (FunctionConfiguration.Runtime) to its lifecycle.
var runtimes = map[string]runtimeLifecycle{
	// Node.js
	"nodejs24.x":     {"Node.js 24", day(2028, time.April, 30), day(2028, time.June, 1), day(2028, time.July, 1)},
	"nodejs22.x":     {"Node.js 22", day(2027, time.April, 30), day(2027, time.June, 1), day(2027, time.July, 1)},
	"nodejs20.x":     {"Node.js 20", day(2026, time.April, 30), day(2026, time.June, 1), day(2026, time.July, 1)},
	"nodejs18.x":     {"Node.js 18", day(2025, time.September, 1), day(2026, time.June, 1), day(2026, time.July, 1)},
	"nodejs16.x":     {"Node.js 16", day(2024, time.June, 12), day(2026, time.June, 1), day(2026, time.July, 1)},
	"nodejs14.x":     {"Node.js 14", day(2023, time.December, 4), day(2024, time.January, 9), day(2026, time.July, 1)},
	"nodejs12.x":     {"Node.js 12", day(2023, time.March, 31), day(2023, time.March, 31), day(2023, time.April, 30)},
	"nodejs10.x":     {"Node.js 10", day(2021, time.July, 30), day(2021, time.July, 30), day(2022, time.February, 14)},
	"nodejs8.10":     {"Node.js 8.10", day(2020, time.March, 6), day(2020, time.February, 4), day(2020, time.March, 6)},
	"nodejs6.10":     {"Node.js 6.10", day(2019, time.August, 12), day(2019, time.July, 12), day(2019, time.August, 12)},
	"nodejs4.3":      {"Node.js 4.3", day(2020, time.March, 5), day(2020, time.February, 3), day(2020, time.March, 5)},
	"nodejs4.3-edge": {"Node.js 4.3 edge", day(2020, time.March, 5), day(2019, time.March, 31), day(2019, time.April, 30)},
	"nodejs":         {"Node.js 0.10", day(2016, time.August, 30), day(2016, time.September, 30), day(2016, time.October, 31)},

	// Python
	"python3.14": {"Python 3.14", day(2029, time.June, 30), day(2029, time.July, 31), day(2029, time.August, 31)},
	"python3.13": {"Python 3.13", day(2029, time.June, 30), day(2029, time.July, 31), day(2029, time.August, 31)},
	"python3.12": {"Python 3.12", day(2028, time.October, 31), day(2028, time.November, 30), day(2029, time.January, 10)},
	"python3.11": {"Python 3.11", day(2026, time.June, 30), day(2026, time.July, 31), day(2026, time.August, 31)},
	"python3.10": {"Python 3.10", day(2026, time.June, 30), day(2026, time.July, 31), day(2026, time.August, 31)},
	"python3.9":  {"Python 3.9", day(2025, time.December, 15), day(2026, time.June, 1), day(2026, time.July, 1)},
	"python3.8":  {"Python 3.8", day(2024, time.October, 14), day(2026, time.June, 1), day(2026, time.July, 1)},
	"python3.7":  {"Python 3.7", day(2023, time.December, 4), day(2024, time.January, 9), day(2026, time.March, 9)},
	"python3.6":  {"Python 3.6", day(2022, time.July, 18), day(2022, time.July, 18), day(2022, time.August, 29)},
	"python2.7":  {"Python 2.7", day(2021, time.July, 15), day(2021, time.July, 15), day(2022, time.May, 30)},

	// Java
	"java25":    {"Java 25", day(2029, time.June, 30), day(2029, time.July, 31), day(2029, time.August, 31)},
	"java21":    {"Java 21", day(2029, time.June, 30), day(2029, time.July, 31), day(2029, time.August, 31)},
	"java17":    {"Java 17", day(2026, time.June, 30), day(2026, time.July, 31), day(2026, time.August, 31)},
	"java11":    {"Java 11", day(2026, time.June, 30), day(2026, time.July, 31), day(2026, time.August, 31)},
	"java8.al2": {"Java 8 (Amazon Linux 2)", day(2026, time.June, 30), day(2026, time.July, 31), day(2026, time.August, 31)},
	"java8":     {"Java 8 (Amazon Linux)", day(2024, time.January, 8), day(2024, time.February, 8), day(2026, time.July, 1)},

	// .NET
	"dotnet10":      {".NET 10", day(2028, time.November, 14), day(2028, time.December, 14), day(2029, time.January, 15)},
	"dotnet8":       {".NET 8", day(2026, time.November, 10), day(2026, time.December, 10), day(2027, time.January, 11)},
	"dotnet6":       {".NET 6", day(2024, time.December, 20), day(2026, time.June, 1), day(2026, time.July, 1)},
	"dotnetcore3.1": {".NET Core 3.1", day(2023, time.April, 3), day(2023, time.April, 3), day(2023, time.May, 3)},
	"dotnetcore2.1": {".NET Core 2.1", day(2022, time.January, 5), day(2022, time.January, 5), day(2022, time.April, 13)},
	"dotnetcore2.0": {".NET Core 2.0", day(2019, time.May, 30), day(2019, time.April, 30), day(2019, time.May, 30)},
	"dotnetcore1.0": {".NET Core 1.0", day(2019, time.June, 27), day(2019, time.June, 30), day(2019, time.July, 30)},

	// Ruby
	"ruby3.4": {"Ruby 3.4", day(2028, time.March, 31), day(2028, time.April, 30), day(2028, time.May, 31)},
	"ruby3.3": {"Ruby 3.3", day(2027, time.March, 31), day(2027, time.April, 30), day(2027, time.May, 31)},
	"ruby3.2": {"Ruby 3.2", day(2026, time.March, 31), day(2026, time.June, 1), day(2026, time.July, 1)},
	"ruby2.7": {"Ruby 2.7", day(2023, time.December, 7), day(2024, time.January, 9), day(2026, time.July, 1)},
	"ruby2.5": {"Ruby 2.5", day(2021, time.July, 30), day(2021, time.July, 30), day(2022, time.March, 31)},

	// OS-only runtimes
	"provided.al2023": {"OS-only runtime (Amazon Linux 2023)", day(2029, time.June, 30), day(2029, time.July, 31), day(2029, time.August, 31)},
	"provided.al2":    {"OS-only runtime (Amazon Linux 2)", day(2026, time.June, 30), day(2026, time.July, 31), day(2026, time.August, 31)},
	"provided":        {"OS-only runtime (Amazon Linux)", day(2024, time.January, 8), day(2024, time.February, 8), day(2026, time.July, 1)},
	"go1.x":           {"Go 1.x", day(2024, time.January, 8), day(2024, time.February, 8), day(2026, time.July, 1)},
}

// day is 00:00 UTC on the given date.
func day(year int, month time.Month, d int) time.Time {
	return time.Date(year, month, d, 0, 0, 0, 0, time.UTC)
}
