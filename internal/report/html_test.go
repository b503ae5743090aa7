package report

import (
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/suppress"
)

// hostile is text a resource can carry (a tag, a description) that must
// stay text.
const hostile = `<script>alert(1)</script>"><img src=x onerror=alert(2)>`

// htmlFixture is an organization of two accounts with every status, a
// suppressed finding, an expired rule, a check missing from the catalog
// and hostile text wherever AWS data goes: the report and its page.
func htmlFixture(t *testing.T) (Report, string) {
	t.Helper()
	fs := findings()
	other := check.Target{Account: "444455556666", Region: "us-east-1"}
	fs = append(fs,
		metaA.NewFinding(other, "thing-"+hostile, check.Red, "tagged "+hostile, map[string]string{"Thing ID": hostile}),
		metaA.NewFinding(other, "thing-9", check.Unavailable, "unavailable: not offered here", nil),
		check.Finding{CheckID: "ZZZZZZZZZZ", Slug: "z", CheckName: "Retired check " + hostile, Account: other.Account,
			Region: other.Region, ResourceID: "z-1", Status: check.Yellow, Reason: "from an older catalog"},
	)
	for i := range fs {
		if fs[i].ResourceID == "thing-1" {
			fs[i].Suppressed = true
			fs[i].Suppression = &check.Suppression{Rule: "rules.yaml:2", Reason: "public on purpose " + hostile, Owner: "web-team", Expires: "2027-03-31"}
		}
	}
	info := ScanInfo{Accounts: []string{"111122223333", "444455556666"}, AccountNames: map[string]string{"444455556666": "name " + hostile},
		Regions: []string{"eu-west-1", "us-east-1"}, StartedAt: time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC), FinishedAt: time.Date(2026, 12, 1, 7, 0, 9, 0, time.UTC)}
	r := New(info, catalog(), fs)
	expired, err := suppress.New("rules.yaml:9", "*", "*", "*", "old-*", "was fine", "ops", "2026-01-31", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), suppress.DefaultMaxAhead)
	if err != nil {
		t.Fatal(err)
	}
	r.Suppressions = &suppress.Outcome{Suppressed: 1, Expired: []suppress.Rule{expired}}
	return r, render(t, "html", r, catalog(), 0)
}

var (
	// startTag matches an element's start tag; text never holds one (html/template escapes <).
	startTag = regexp.MustCompile(`<([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>`)
	attr     = regexp.MustCompile(`([a-zA-Z-]+)\s*=\s*"([^"]*)"`)
)

// tags returns the start tags named name, each as its attributes.
func tags(page, name string) []map[string]string {
	var out []map[string]string
	for _, m := range startTag.FindAllStringSubmatch(page, -1) {
		if !strings.EqualFold(m[1], name) {
			continue
		}
		attrs := map[string]string{}
		for _, a := range attr.FindAllStringSubmatch(m[2], -1) {
			attrs[strings.ToLower(a[1])] = a[2]
		}
		out = append(out, attrs)
	}
	return out
}

// withoutCode removes the contents of the page's script and style elements,
// which are not markup.
func withoutCode(page string) string {
	for _, name := range []string{"script", "style"} {
		re := regexp.MustCompile(`(?s)(<` + name + `\b[^>]*>).*?(</` + name + `>)`)
		page = re.ReplaceAllString(page, "$1$2")
	}
	return page
}

func TestHTMLIsSelfContained(t *testing.T) {
	t.Parallel()
	_, page := htmlFixture(t)
	markup := withoutCode(page)
	for _, m := range startTag.FindAllStringSubmatch(markup, -1) {
		for _, a := range attr.FindAllStringSubmatch(m[2], -1) {
			name, value := strings.ToLower(a[1]), a[2]
			switch name {
			case "src", "href", "action", "formaction", "poster", "srcset", "data", "background":
				if !strings.HasPrefix(value, "data:") && !strings.HasPrefix(value, "#") {
					t.Errorf("<%s %s=%q> loads from outside the page", m[1], name, value)
				}
			}
		}
		switch strings.ToLower(m[1]) {
		case "iframe", "object", "embed", "base", "img", "video", "audio":
			t.Errorf("page has a <%s> element: %s", m[1], m[0])
		}
	}
	for _, link := range tags(markup, "link") {
		if link["rel"] != "icon" {
			t.Errorf("page has <link rel=%q href=%q>, want no link but the data: icon (which stops a favicon request)", link["rel"], link["href"])
		}
	}
	for _, s := range tags(markup, "script") {
		if _, ok := s["src"]; ok {
			t.Errorf("page has <script src=%q>", s["src"])
		}
	}
	style := page[strings.Index(page, "<style>"):strings.Index(page, "</style>")]
	if regexp.MustCompile(`url\(\s*['"]?[^d'"]`).MatchString(style) || strings.Contains(style, "@import") || strings.Contains(style, "@font-face") {
		t.Errorf("the style loads a URL, an import or a font")
	}
	csp := ""
	for _, meta := range tags(markup, "meta") {
		if meta["http-equiv"] == "Content-Security-Policy" {
			csp = meta["content"]
		}
	}
	if !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy = %q, want default-src 'none' (the browser then refuses any request)", csp)
	}
}

func TestHTMLEscapesEveryValue(t *testing.T) {
	t.Parallel()
	_, page := htmlFixture(t)
	for _, raw := range []string{"<script>alert(1)", "<img src=x", `"><img`} {
		if strings.Contains(page, raw) {
			i := strings.Index(page, raw)
			t.Errorf("page holds %q unescaped: …%s…", raw, page[max(i-80, 0):min(i+80, len(page))])
		}
	}
	// The page's own two scripts, the data and the code, and no other.
	if got := strings.Count(strings.ToLower(page), "<script"); got != 2 {
		t.Errorf("page has %d <script tags, want 2 (report-data and the page's script)", got)
	}
	if got := strings.Count(strings.ToLower(page), "</script"); got != 2 {
		t.Errorf("page has %d </script tags, want 2", got)
	}
	escaped := template.HTMLEscapeString("tagged " + hostile)
	if !strings.Contains(page, escaped) {
		t.Errorf("page lacks the reason escaped as text, %q", escaped)
	}
}

func TestHTMLListsEveryFinding(t *testing.T) {
	t.Parallel()
	r, page := htmlFixture(t)
	type row struct{ status, account, check string }
	var got, want []row
	for _, tr := range tags(page, "tr") {
		if strings.HasPrefix(tr["class"], "finding") {
			got = append(got, row{tr["data-status"], tr["data-account"], tr["data-check"]})
		}
	}
	for _, f := range r.Findings {
		want = append(want, row{string(f.Status), f.Account, f.CheckID})
		for _, text := range []string{f.Reason, f.ResourceID} {
			if text != "(all)" && !strings.Contains(page, template.HTMLEscapeString(text)) {
				t.Errorf("page lacks %q of finding %s/%s", text, f.CheckID, f.ResourceID)
			}
		}
	}
	cmp := func(a, b row) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) }
	slices.SortFunc(got, cmp)
	slices.SortFunc(want, cmp)
	if !slices.Equal(got, want) {
		t.Errorf("finding rows (status, account, check) =\n%v\nwant one per finding:\n%v", got, want)
	}
	// Every spec column of a check heads its table.
	for _, col := range metaA.Columns {
		if !strings.Contains(page, `<button type="button" class="sort">`+col+`</button>`) {
			t.Errorf("page lacks check A's column %q", col)
		}
	}
}

func TestHTMLOrdersChecksAndAdvises(t *testing.T) {
	t.Parallel()
	green := check.Meta{ID: "DDDDDDDDDD", Slug: "d", Name: "Check D", Scope: check.Global, RecommendedAction: "Nothing to do here."}
	checks := append([]check.Check{{Meta: green, Runner: runnerFunc(nil)}}, catalog()...)
	fs := append(findings(), green.NewFinding(check.Target{Account: "111122223333", Region: check.GlobalRegion}, "d-1", check.Green, "fine", nil))
	r := New(ScanInfo{Accounts: []string{"111122223333"}}, checks, fs)
	page := render(t, "html", r, checks, 0)
	var statuses []string
	for _, s := range tags(page, "section") {
		if s["class"] == "check" {
			statuses = append(statuses, s["data-check-status"])
		}
	}
	byRank := func(a, b string) int { return slices.Index(tableOrder, a) - slices.Index(tableOrder, b) }
	if !slices.IsSortedFunc(statuses, byRank) || len(statuses) != 3 {
		t.Errorf("check sections by status = %v, want checks A, B and D most urgent first (%v)", statuses, tableOrder)
	}
	if !strings.Contains(page, "Recommended action:</strong> Reduce exposure.") {
		t.Errorf("page lacks the failing check A's recommended action")
	}
	if strings.Contains(page, green.RecommendedAction) {
		t.Errorf("page advises %q for a green check", green.RecommendedAction)
	}
	// Check C is not implemented: listed, with no table.
	if !strings.Contains(page, `data-check="CCCCCCCCCC" data-check-status="not_implemented"`) {
		t.Errorf("page does not list the unimplemented check C as not implemented")
	}
}

func TestHTMLMarksSuppressedFindings(t *testing.T) {
	t.Parallel()
	_, page := htmlFixture(t)
	var suppressed []map[string]string
	for _, tr := range tags(page, "tr") {
		if tr["data-suppressed"] == "true" {
			suppressed = append(suppressed, tr)
		}
	}
	if len(suppressed) != 1 || suppressed[0]["data-status"] != "red" {
		t.Errorf("suppressed rows = %v, want thing-1's red row", suppressed)
	}
	for _, text := range []string{"suppressed</span>", template.HTMLEscapeString("public on purpose " + hostile), "web-team", "until 2027-03-31",
		"rules.yaml:2", "Rules past their expiry date", "rules.yaml:9"} {
		if !strings.Contains(page, text) {
			t.Errorf("page lacks %q", text)
		}
	}
}

func TestHTMLReportData(t *testing.T) {
	t.Parallel()
	r, page := htmlFixture(t)
	_, rest, ok := strings.Cut(page, `<script type="application/json" id="report-data">`)
	body, _, _ := strings.Cut(rest, "</script>")
	var data htmlData
	if err := json.Unmarshal([]byte(body), &data); !ok || err != nil {
		t.Fatalf("report-data %q: %v", body, err)
	}
	want := map[string]int{}
	for _, s := range r.Summaries {
		for st, n := range s.Counts {
			want[st] += n
		}
	}
	if !maps.Equal(data.Findings, want) || data.Listed != len(r.Findings) {
		t.Errorf("report-data findings = %v, listed %d; want %v, %d", data.Findings, data.Listed, want, len(r.Findings))
	}
	if got := data.Accounts["444455556666"]["red"]; got != 1 {
		t.Errorf("report-data red findings of 444455556666 = %d, want 1", got)
	}
}

// TestHTMLIsWellFormed: every element the page opens it closes, outside
// its script and style.
func TestHTMLIsWellFormed(t *testing.T) {
	t.Parallel()
	_, page := htmlFixture(t)
	markup := withoutCode(page)
	if !strings.HasPrefix(markup, "<!DOCTYPE html>") {
		t.Errorf("page starts %q, want <!DOCTYPE html>", markup[:min(len(markup), 20)])
	}
	for _, name := range []string{"html", "head", "body", "header", "main", "section", "form", "fieldset", "select", "option", "label",
		"table", "thead", "tbody", "tr", "th", "td", "ul", "li", "details", "summary", "p", "span", "button", "script", "style", "dl", "dt", "dd"} {
		opened := len(regexp.MustCompile(`<`+name+`[\s>]`).FindAllString(markup, -1))
		closed := strings.Count(markup, "</"+name+">")
		if opened != closed {
			t.Errorf("<%s> opened %d times, closed %d times", name, opened, closed)
		}
	}
}

func TestHTMLEmptyReport(t *testing.T) {
	t.Parallel()
	r := New(ScanInfo{Accounts: []string{"111122223333"}, Regions: []string{"eu-west-1"}}, nil, nil)
	page := render(t, "html", r, nil, 0)
	if !strings.Contains(page, `<output id="shown">0</output> of 0 findings shown`) {
		t.Errorf("empty report does not say it shows 0 findings")
	}
}
