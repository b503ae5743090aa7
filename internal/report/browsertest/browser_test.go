package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/report"
)

// readmeHeight is the height of the README's screenshot, in CSS pixels.
const readmeHeight = 1500

// browsers are the names Chromium goes by on PATH, as chromedp looks for them.
var browsers = []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"}

// chromium returns the browser to drive: $CHROMIUM, else the first of
// browsers on PATH. Without one the test fails: a report nobody opened in a
// browser is not tested.
func chromium(t *testing.T) string {
	t.Helper()
	if name := os.Getenv("CHROMIUM"); name != "" {
		path, err := exec.LookPath(name)
		if err != nil {
			t.Fatalf("CHROMIUM=%s: %v", name, err)
		}
		return path
	}
	for _, name := range browsers {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Fatalf("no Chromium: set CHROMIUM to its binary or put one of %s on PATH "+
		"(`make need-chromium` installs it; on Debian or Ubuntu: apt-get install chromium)", strings.Join(browsers, ", "))
	return ""
}

// demoReport is what `secadvisor demo` reports: a three-account
// organization (one account that could not be entered), two regions, every
// status, a suppressed finding. Regenerate it with
// `go run ./cmd/secadvisor demo --format json --output internal/report/browsertest/testdata/demo-report.json`.
func demoReport(t *testing.T) report.Report {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "demo-report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r report.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("testdata/demo-report.json: %v", err)
	}
	return r
}

// page is the report open in a headless Chromium, with everything the page
// asked of the network and wrote to the console.
type page struct {
	t   *testing.T
	ctx context.Context
	url string

	mu       sync.Mutex
	requests []string // URLs requested other than the page itself and data: URIs
	problems []string // console errors, uncaught exceptions, browser log errors
}

// open writes html to a file in a temporary directory and opens it.
func open(t *testing.T, html []byte) *page {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, html, 0o644); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		// Containers give no user namespace for Chromium's sandbox.
		chromedp.NoSandbox,
		chromedp.Flag("headless", "new"),
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	p := &page{t: t, url: (&url.URL{Scheme: "file", Path: path}).String()}
	if err := chromedp.Listen(ctx, p.record); err != nil {
		t.Fatalf("listen to the page: %v", err)
	}
	// One limit for the whole visit; the browser outlives it (see chromedp's
	// "timeout for one action").
	visit, cancelVisit := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelVisit)
	p.ctx = visit
	p.do(chromedp.Navigate(p.url), chromedp.WaitVisible(chromedp.CSS("#filters")))
	return p
}

// record runs in chromedp's event loop: it only files what it sees.
func (p *page) record(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if u := ev.Request.URL; u != p.url && !strings.HasPrefix(u, "data:") {
			p.requests = append(p.requests, u)
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type == "error" || ev.Type == "assert" {
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			p.problems = append(p.problems, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " ")))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil {
			text += " " + d.Exception.Description
		}
		p.problems = append(p.problems, fmt.Sprintf("exception at %d:%d: %s", d.LineNumber+1, d.ColumnNumber+1, text))
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level == cdplog.EntryLevelError {
			p.problems = append(p.problems, fmt.Sprintf("log (%s): %s", ev.Entry.Source, ev.Entry.Text))
		}
	}
}

func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatal(err)
	}
}

// eval returns the value of the JavaScript expression on the page.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// visibleRows counts the finding rows a reader sees, per status.
func (p *page) visibleRows() map[string]int {
	p.t.Helper()
	return eval[map[string]int](p, `(() => {
		const out = {};
		for (const row of document.querySelectorAll("tr.finding")) {
			if (row.getClientRects().length > 0) {
				out[row.dataset.status] = (out[row.dataset.status] || 0) + 1;
			}
		}
		return out;
	})()`)
}

// choose selects value in the filter select name, as a reader does: the
// select changes and says so.
func (p *page) choose(name, value string) {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`(() => {
		const select = document.querySelector("select[name=%s]");
		select.value = %q;
		return select.dispatchEvent(new Event("change", { bubbles: true }));
	})()`, name, value))
}

func (p *page) shown() int {
	p.t.Helper()
	n, err := strconv.Atoi(eval[string](p, `document.getElementById("shown").textContent`))
	if err != nil {
		p.t.Fatalf("#shown: %v", err)
	}
	return n
}

// countFindings counts findings per status, of those keep selects.
func countFindings(findings []check.Finding, keep func(check.Finding) bool) map[string]int {
	out := map[string]int{}
	for _, f := range findings {
		if keep(f) {
			out[string(f.Status)]++
		}
	}
	return out
}

func all(check.Finding) bool { return true }

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// nonZero drops the statuses counted zero: a page lists no status it has
// no row of.
func nonZero(m map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

func TestHTMLReportInChromium(t *testing.T) {
	r := demoReport(t)
	var html bytes.Buffer
	if err := report.Write(&html, "html", r, checks.All(), 0); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	p := open(t, html.Bytes())
	t.Logf("Chromium opened the report (%d bytes) in %s", html.Len(), time.Since(start).Round(time.Millisecond))

	// What the summaries (the JSON report's counts) say, per status and per
	// account.
	want := map[string]int{}
	perAccount := map[string]map[string]int{}
	checkStatuses := map[string]int{}
	for _, s := range r.Summaries {
		checkStatuses[s.Status]++
		if perAccount[s.Account] == nil {
			perAccount[s.Account] = map[string]int{}
		}
		for st, n := range s.Counts {
			want[st] += n
			perAccount[s.Account][st] += n
		}
	}

	t.Run("counts", func(t *testing.T) {
		p.t = t
		cards := eval[map[string]int](p, `Object.fromEntries([...document.querySelectorAll("[data-count-status]")]
			.map(card => [card.dataset.countStatus, Number(card.querySelector(".n").textContent)]))`)
		if !maps.Equal(cards, want) {
			t.Errorf("summary cards show %v, want the report's counts %v", cards, want)
		}
		var data struct {
			Findings map[string]int            `json:"findings"`
			Checks   map[string]int            `json:"checks"`
			Accounts map[string]map[string]int `json:"accounts"`
		}
		if err := json.Unmarshal([]byte(eval[string](p, `document.getElementById("report-data").textContent`)), &data); err != nil {
			t.Fatalf("report-data: %v", err)
		}
		if !maps.Equal(data.Findings, want) || !maps.Equal(data.Checks, checkStatuses) {
			t.Errorf("report-data counts findings %v and checks %v, want %v and %v", data.Findings, data.Checks, want, checkStatuses)
		}
		cells := eval[map[string]map[string]int](p, `Object.fromEntries([...document.querySelectorAll("#accounts tbody tr")]
			.map(row => [row.dataset.account, Object.fromEntries([...row.querySelectorAll("[data-account-count]")]
				.map(cell => [cell.dataset.accountCount, Number(cell.textContent)]))]))`)
		for account, counts := range perAccount {
			if !maps.Equal(cells[account], counts) || !maps.Equal(data.Accounts[account], counts) {
				t.Errorf("account %s: table shows %v, report-data %v, want %v", account, cells[account], data.Accounts[account], counts)
			}
		}
		if got, want := p.visibleRows(), nonZero(countFindings(r.Findings, all)); !maps.Equal(got, want) {
			t.Errorf("visible finding rows per status = %v, want every finding: %v", got, want)
		}
		if got, want := p.shown(), len(r.Findings); got != want {
			t.Errorf("#shown = %d, want %d", got, want)
		}
	})

	t.Run("status filter", func(t *testing.T) {
		p.t = t
		for _, status := range []check.Status{check.Red, check.Yellow, check.Error, check.Green} {
			p.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`button[data-filter-status=%q]`, status))))
			wantRows := nonZero(countFindings(r.Findings, func(f check.Finding) bool { return f.Status == status }))
			if got := p.visibleRows(); !maps.Equal(got, wantRows) {
				t.Errorf("after clicking the %s card, visible rows = %v, want %v", status, got, wantRows)
			}
			if got, want := p.shown(), sum(wantRows); got != want {
				t.Errorf("after clicking the %s card, #shown = %d, want %d", status, got, want)
			}
			// A check left with no visible row is hidden with its title.
			empty := eval[[]string](p, fmt.Sprintf(`[...document.querySelectorAll("section.check")]
				.filter(s => s.getClientRects().length > 0 && !s.querySelector("tr.finding[data-status=%s]"))
				.map(s => s.dataset.check)`, status))
			if len(empty) > 0 {
				t.Errorf("after clicking the %s card, checks without a %s finding still show: %v", status, status, empty)
			}
		}
		p.do(chromedp.Click(chromedp.ID("show-all")), chromedp.Click(chromedp.CSS(`input[name=status][value=green]`)))
		wantRows := nonZero(countFindings(r.Findings, func(f check.Finding) bool { return f.Status != check.Green }))
		if got := p.visibleRows(); !maps.Equal(got, wantRows) {
			t.Errorf("with green unticked, visible rows = %v, want %v", got, wantRows)
		}
		p.do(chromedp.Click(chromedp.ID("show-all")))
	})

	t.Run("account and check filters", func(t *testing.T) {
		p.t = t
		account := r.Scan.Accounts[1]
		p.choose("account", account)
		wantRows := nonZero(countFindings(r.Findings, func(f check.Finding) bool { return f.Account == account }))
		if got := p.visibleRows(); !maps.Equal(got, wantRows) {
			t.Errorf("account %s chosen: visible rows = %v, want %v", account, got, wantRows)
		}
		checkID := r.Findings[0].CheckID
		p.choose("check", checkID)
		wantRows = nonZero(countFindings(r.Findings, func(f check.Finding) bool { return f.Account == account && f.CheckID == checkID }))
		if got := p.visibleRows(); !maps.Equal(got, wantRows) {
			t.Errorf("account %s and check %s chosen: visible rows = %v, want %v", account, checkID, got, wantRows)
		}
		p.do(chromedp.Click(chromedp.ID("show-all")))
		if got, want := p.shown(), len(r.Findings); got != want {
			t.Errorf("after Show all, #shown = %d, want %d", got, want)
		}
	})

	t.Run("sorting", func(t *testing.T) {
		p.t = t
		// The check with the most findings, sorted by its Resource column.
		byCheck := map[string]int{}
		for _, f := range r.Findings {
			byCheck[f.CheckID]++
		}
		biggest := slices.MaxFunc(slices.Collect(maps.Keys(byCheck)), func(a, b string) int { return byCheck[a] - byCheck[b] })
		table := fmt.Sprintf("#check-%s table", biggest)
		column := eval[int](p, fmt.Sprintf(`[...document.querySelectorAll(%q)].findIndex(th => th.textContent.trim() === "Resource")`, table+" thead th"))
		if column < 0 {
			t.Fatalf("%s has no Resource column", table)
		}
		cells := func() []string {
			return eval[[]string](p, fmt.Sprintf(`[...document.querySelectorAll(%q)].map(row => row.cells[%d].textContent.trim())`, table+" tbody tr", column))
		}
		header := chromedp.CSS(fmt.Sprintf("%s thead th:nth-child(%d) button", table, column+1))
		before := cells()
		ascending := slices.SortedStableFunc(slices.Values(before), compareCells)
		if slices.Equal(before, ascending) {
			t.Fatalf("the demo's %s table is already in Resource order: the test would prove nothing", biggest)
		}
		p.do(chromedp.Click(header))
		if got := cells(); !slices.Equal(got, ascending) {
			t.Errorf("after one click on Resource, rows read\n%q\nwant\n%q", got, ascending)
		}
		p.do(chromedp.Click(header))
		got := cells()
		if !slices.IsSortedFunc(got, func(a, b string) int { return compareCells(b, a) }) || len(got) != len(before) {
			t.Errorf("after two clicks on Resource, rows read\n%q\nwant them in descending order", got)
		}
		sort := eval[string](p, fmt.Sprintf(`document.querySelector(%q).getAttribute("aria-sort")`, fmt.Sprintf("%s thead th:nth-child(%d)", table, column+1)))
		if sort != "descending" {
			t.Errorf("Resource header aria-sort = %q, want descending", sort)
		}
	})

	t.Run("print", func(t *testing.T) {
		p.t = t
		p.do(chromedp.Click(chromedp.CSS(`button[data-filter-status="red"]`)))
		if _, err := chromedp.Call(p.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
		// On paper every finding shows, whatever the filters, and no control.
		if got, want := p.visibleRows(), nonZero(countFindings(r.Findings, all)); !maps.Equal(got, want) {
			t.Errorf("printed with a filter on, rows = %v, want every finding: %v", got, want)
		}
		if controls := eval[int](p, `document.getElementById("filters").getClientRects().length`); controls != 0 {
			t.Errorf("printed page shows the filters")
		}
		if _, err := chromedp.Call(p.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
			t.Fatal(err)
		}
		p.do(chromedp.Click(chromedp.ID("show-all")))
	})

	t.Run("screenshot", func(t *testing.T) {
		p.t = t
		p.do(chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
		full, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(full))
		if err != nil {
			t.Fatalf("screenshot is no PNG: %v", err)
		}
		if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 900 {
			t.Errorf("screenshot is %dx%d, want at least the 1280x900 window", b.Dx(), b.Dy())
		}
		// go test -artifacts keeps it (in -outputdir); otherwise it goes
		// with the test.
		path := filepath.Join(t.ArtifactDir(), "report.png")
		if err := os.WriteFile(path, full, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("full-page screenshot (%dx%d): %s", img.Bounds().Dx(), img.Bounds().Dy(), path)
		// The README's picture: the top of the page (scan, summary,
		// filters, the most urgent checks); the whole page is too long to
		// read as an image.
		if dest := os.Getenv("SECADVISOR_SCREENSHOT"); dest != "" {
			top, err := chromedp.Call(p.ctx, cdppage.CaptureScreenshot, cdppage.CaptureScreenshotParams{
				Format: cdppage.CaptureScreenshotFormatPng, CaptureBeyondViewport: new(true),
				Clip: &cdppage.Viewport{Width: 1280, Height: readmeHeight, Scale: 1},
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dest, top.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("README screenshot (1280x%d): %s", readmeHeight, dest)
		}
	})

	// Last: the visit as a whole asked nothing of the network and logged no
	// error, clicks and filters included.
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.requests) > 0 {
		t.Errorf("the page requested %d URLs besides itself, want none:\n%s", len(p.requests), strings.Join(p.requests, "\n"))
	}
	if len(p.problems) > 0 {
		t.Errorf("the page logged %d errors, want none:\n%s", len(p.problems), strings.Join(p.problems, "\n"))
	}
}

var number = regexp.MustCompile(`^-?\d+(\.\d+)?$`)

// compareCells is the page's own order (report.js): numbers by value, text
// by its lower-case characters.
func compareCells(a, b string) int {
	if number.MatchString(a) && number.MatchString(b) {
		x, _ := strconv.ParseFloat(a, 64)
		y, _ := strconv.ParseFloat(b, 64)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}
