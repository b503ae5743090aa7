package sqlserverendofsupport

import "time"

// SQL Server lifecycle, as versioned data.
//
// Source: Microsoft Lifecycle, "SQL Server end of support options"
// (https://learn.microsoft.com/en-us/sql/sql-server/end-of-support/sql-server-end-of-support-overview)
// and the per-version pages it links under
// https://learn.microsoft.com/en-us/lifecycle/products/ (Fixed Lifecycle
// Policy: "Mainstream End Date", "Extended End Date"). Cross-checked with
// Microsoft's ODBC driver lifecycle page, whose driver dates are aligned with
// SQL Server 2014, 2017 and 2022
// (https://learn.microsoft.com/en-us/sql/connect/odbc/support-lifecycle).
//
// Each date is the last day of support, as Microsoft lists it; the check
// treats support as ended from 00:00 UTC on that day (Microsoft's Pacific-time
// cut-off falls within it), so a version is red on its end date.
//
// SQL Server 2025 (17.x) is not listed: its dates could not be confirmed from
// Microsoft's pages when the table was checked. An instance running a version
// missing from the table is reported as error ("could not evaluate"), never
// as green; add the row when the dates are published.

// lifecycleChecked is the day the table above was last compared with its source.
var lifecycleChecked = time.Date(2026, time.November, 28, 0, 0, 0, 0, time.UTC)

// supportLifecycle is one SQL Server version's Fixed Lifecycle dates.
type supportLifecycle struct {
	MainstreamEnd time.Time
	ExtendedEnd   time.Time
}

// lifecycles maps a SQL Server version ("2014", "2008 R2") to its dates.
var lifecycles = map[string]supportLifecycle{
	"2005":    {day(2011, time.April, 12), day(2016, time.April, 12)},
	"2008":    {day(2014, time.July, 8), day(2019, time.July, 9)},
	"2008 R2": {day(2014, time.July, 8), day(2019, time.July, 9)},
	"2012":    {day(2017, time.July, 11), day(2022, time.July, 12)},
	"2014":    {day(2019, time.July, 9), day(2024, time.July, 9)},
	"2016":    {day(2021, time.July, 13), day(2026, time.July, 14)},
	"2017":    {day(2022, time.October, 11), day(2027, time.October, 12)},
	"2019":    {day(2025, time.February, 28), day(2030, time.January, 8)},
	"2022":    {day(2028, time.January, 11), day(2033, time.January, 11)},
}

// day is 00:00 UTC on the given date.
func day(year int, month time.Month, d int) time.Time {
	return time.Date(year, month, d, 0, 0, 0, 0, time.UTC)
}
