// Package suppress is how a team accepts a risk on purpose without hiding
// it: a suppression rule names what it covers (check, account, region,
// resource), why, who owns the decision and until when. A suppressed finding
// keeps its status and is reported as suppressed; it fails no pipeline and
// sends no alert. A rule past its expiry date stops applying and is reported
// as expired; a rule that matched nothing is reported as stale. Only red and
// yellow findings are ever suppressed: an error (the scanner could not look)
// is never accepted away.
package suppress

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/secadvisor/secadvisor/internal/catalog"
	"github.com/secadvisor/secadvisor/internal/check"
)

// DefaultFile is the rules file a scan reads when it is present in the
// working directory and no other is named.
const DefaultFile = "secadvisor-suppressions.yaml"

// DefaultMaxAhead is how far ahead a rule may expire unless told otherwise:
// a year, so that every accepted risk is looked at again.
const DefaultMaxAhead = 365 * 24 * time.Hour

// DateLayout is the layout of a rule's expiry date.
const DateLayout = "2006-01-02"

// Any matches every check, account or region.
const Any = "*"

// Rule is one suppression.
type Rule struct {
	// ID names the rule in findings and reports: "<file>:<line>" for a
	// file's rule, a stored rule's own ID.
	ID string `json:"id"`
	// Check is a check ID, a check slug or Any.
	Check string `json:"check"`
	// Account is a 12-digit account ID or Any.
	Account string `json:"account"`
	// Region is a region name, check.GlobalRegion or Any.
	Region string `json:"region"`
	// Resource is a resource ID or ARN, or a glob of them: * matches any
	// run of characters (slashes too), ? one character, [...] one of a set.
	Resource string `json:"resource"`
	Reason   string `json:"reason"`
	Owner    string `json:"owner"`
	// Expires is the last day, in UTC, the rule applies.
	Expires time.Time `json:"expires"`

	resource *regexp.Regexp
}

// New checks the fields of a rule, as a file's or a stored one, and
// returns it ready to match. today is the current UTC date; the expiry may
// be at most maxAhead after it (and may be past: an expired rule is kept, to
// be reported).
func New(id, checkName, account, region, resource, reason, owner, expires string, today time.Time, maxAhead time.Duration) (Rule, error) {
	r := Rule{ID: id, Check: strings.TrimSpace(checkName), Account: strings.TrimSpace(account), Region: strings.TrimSpace(region),
		Resource: strings.TrimSpace(resource), Reason: strings.TrimSpace(reason), Owner: strings.TrimSpace(owner)}
	var problems []string
	for _, f := range []struct{ name, value string }{
		{"check", r.Check}, {"account", r.Account}, {"region", r.Region}, {"resource", r.Resource},
		{"reason", r.Reason}, {"owner", r.Owner}, {"expires", expires},
	} {
		if strings.TrimSpace(f.value) == "" {
			problems = append(problems, f.name+" is required")
		}
	}
	if r.Check != "" && r.Check != Any {
		if _, err := catalog.Select(catalog.All(), catalog.Entry.Names, []string{r.Check}); err != nil {
			problems = append(problems, fmt.Sprintf("check %q: %v", r.Check, err))
		}
	}
	if r.Account != "" && r.Account != Any && !accountPattern.MatchString(r.Account) {
		problems = append(problems, fmt.Sprintf("account %q: want a 12-digit account ID or %q", r.Account, Any))
	}
	if r.Region != "" && r.Region != Any && r.Region != check.GlobalRegion && !regionPattern.MatchString(r.Region) {
		problems = append(problems, fmt.Sprintf("region %q: want a region name, %q or %q", r.Region, check.GlobalRegion, Any))
	}
	if r.Resource != "" {
		re, err := globRegexp(r.Resource)
		if err != nil {
			problems = append(problems, fmt.Sprintf("resource %q: %v", r.Resource, err))
		}
		r.resource = re
	}
	if expires = strings.TrimSpace(expires); expires != "" {
		day, err := time.Parse(DateLayout, expires)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("expires %q: want a date YYYY-MM-DD", expires))
		case day.Sub(today.UTC().Truncate(24*time.Hour)) > maxAhead:
			problems = append(problems, fmt.Sprintf("expires %s is more than %d days ahead: suppressions are looked at again at least that often", expires, int(maxAhead.Hours()/24)))
		default:
			r.Expires = day
		}
	}
	if len(problems) > 0 {
		return Rule{}, errors.New(strings.Join(problems, "; "))
	}
	return r, nil
}

var (
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
)

// globRegexp compiles a resource glob.
func globRegexp(glob string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(glob); i++ {
		switch c := glob[i]; c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			end := strings.IndexByte(glob[i+1:], ']')
			if end < 1 {
				return nil, errors.New("bad glob: [ without a closing ] or with an empty set")
			}
			set := glob[i+1 : i+1+end]
			if strings.HasPrefix(set, "!") {
				set = "^" + set[1:]
			}
			b.WriteString("[" + strings.ReplaceAll(set, `\`, `\\`) + "]")
			i += end + 1
		case ']':
			return nil, errors.New("bad glob: ] without an opening [")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("bad glob: %w", err)
	}
	return re, nil
}

// Active reports whether the rule applies on day today (UTC): through its
// expiry date, inclusive.
func (r Rule) Active(today time.Time) bool {
	return !today.UTC().Truncate(24 * time.Hour).After(r.Expires)
}

// Matches reports whether the rule covers finding f (whatever its status).
func (r Rule) Matches(f check.Finding) bool {
	return (r.Check == Any || r.Check == f.CheckID || r.Check == f.Slug) &&
		(r.Account == Any || r.Account == f.Account) &&
		(r.Region == Any || r.Region == f.Region) &&
		r.resource != nil && r.resource.MatchString(f.ResourceID)
}

// Suppression is what a finding the rule suppresses carries.
func (r Rule) Suppression() *check.Suppression {
	return &check.Suppression{Rule: r.ID, Reason: r.Reason, Owner: r.Owner, Expires: r.Expires.Format(DateLayout)}
}

// Suppressible reports whether a finding of status s may be suppressed:
// red and yellow only.
func Suppressible(s check.Status) bool { return s == check.Red || s == check.Yellow }

// Outcome says what the rules did in one scan.
type Outcome struct {
	// Suppressed is how many findings were suppressed.
	Suppressed int `json:"suppressed"`
	// Expired are the rules past their expiry date: they applied to nothing.
	Expired []Rule `json:"expired,omitempty"`
	// Stale are the active rules that matched no finding of the scan,
	// among those whose check the scan covered.
	Stale []Rule `json:"stale,omitempty"`
}

// Apply marks the red and yellow findings an active rule covers as
// suppressed (the first rule that matches names itself), and says which
// rules expired and which matched nothing. covered reports whether the scan
// looked at a rule's check at all (a scan of some checks says nothing of the
// others' rules); nil means every check was scanned.
func Apply(findings []check.Finding, rules []Rule, today time.Time, covered func(Rule) bool) Outcome {
	var out Outcome
	matched := make([]bool, len(rules))
	for i := range findings {
		f := &findings[i]
		f.Suppressed, f.Suppression = false, nil
		for j, r := range rules {
			if !r.Active(today) || !r.Matches(*f) {
				continue
			}
			matched[j] = true
			if Suppressible(f.Status) && !f.Suppressed {
				f.Suppressed, f.Suppression = true, r.Suppression()
				out.Suppressed++
			}
		}
	}
	for j, r := range rules {
		switch {
		case !r.Active(today):
			out.Expired = append(out.Expired, r)
		case !matched[j] && (covered == nil || covered(r)):
			out.Stale = append(out.Stale, r)
		}
	}
	return out
}
