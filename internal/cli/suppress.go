package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/secadvisor/secadvisor/internal/awsx/awsconfig"
	"github.com/secadvisor/secadvisor/internal/dev/emulator"
	"github.com/secadvisor/secadvisor/internal/report"
	"github.com/secadvisor/secadvisor/internal/store"
	"github.com/secadvisor/secadvisor/internal/suppress"
	"github.com/secadvisor/secadvisor/internal/suppress/rulesfile"
)

const suppressHelp = `Usage: secadvisor suppress add|list|remove|import --table TABLE [flags]

Manages the suppression rules stored in the deployed scanner's findings
table. The check functions apply them to every finding they write: a
suppressed finding keeps its status, is shown as suppressed, and sends no
alert. add, remove and import also update the stored findings at once, so
that a finding that is still red when its rule is removed alerts again.
Every rule has a reason and an owner and expires (at most a year ahead).

  add     --check C --account A --region R --resource X --reason TEXT --owner WHO --expires YYYY-MM-DD
          check: ID, slug or *; account: 12 digits or *; region: name, global or *;
          resource: an ID or ARN, or a glob (* any run of characters, ? one, [...] one of a set)
  list    [--format table|json]   every stored rule, active or expired
  remove  ID
  import  FILE   the rules of a suppressions file (the format of scan --suppressions);
                 rules already stored and expired ones are skipped

Examples:
  secadvisor suppress add --table secadvisor-findings --check s3-bucket-permissions --account '*' --region '*' \
      --resource www.example.com --reason "public website, reviewed" --owner web-team --expires 2027-03-31
  secadvisor suppress list --table secadvisor-findings --format json
  secadvisor suppress remove --table secadvisor-findings sup-20261201-ab12cd
  secadvisor suppress import --table secadvisor-findings secadvisor-suppressions.yaml

Flags:
`

// tableFlags reach the findings table.
type tableFlags struct {
	table, endpointURL, profile string
	useEmulator                 bool
}

func (f *tableFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.table, "table", "", "the DynamoDB findings `table` (required)")
	fs.StringVar(&f.endpointURL, "endpoint-url", "", "send every AWS call to this endpoint `url` (a local emulator); AWS_ENDPOINT_URL works too")
	fs.StringVar(&f.profile, "profile", "", "AWS shared-config `profile` (default: the standard credential chain)")
	fs.BoolVar(&f.useEmulator, "emulator", false, "the endpoint is the moto emulator: use static credentials")
}

func (f *tableFlags) validate() error {
	switch {
	case f.table == "":
		return errors.New("--table is required")
	case f.useEmulator && f.endpointURL == "":
		return errors.New("--emulator needs --endpoint-url")
	}
	return validEndpoint(f.endpointURL)
}

func (f *tableFlags) store(ctx context.Context) (*store.Store, error) {
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{Profile: f.profile, EndpointURL: f.endpointURL})
	if err != nil {
		return nil, err
	}
	if f.useEmulator {
		cfg = emulator.Adapt(cfg)
	}
	return store.New(dynamodb.NewFromConfig(cfg), f.table), nil
}

// runSuppress is `secadvisor suppress add|list|remove|import`.
func runSuppress(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 {
		fmt.Fprintf(env.Stderr, "secadvisor suppress: want add, list, remove or import (see secadvisor suppress -h)\n")
		return ExitUsage
	}
	sub := args[0]
	switch sub {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(env.Stdout, strings.TrimSuffix(suppressHelp, "Flags:\n"))
		return ExitOK
	case "add", "list", "remove", "import":
	default:
		fmt.Fprintf(env.Stderr, "secadvisor suppress: unknown command %q: want add, list, remove or import\n", sub)
		return ExitUsage
	}
	name := "suppress " + sub
	fs := newFlagSet(name, env)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), suppressHelp)
		fs.PrintDefaults()
	}
	var (
		tf     tableFlags
		format string
		rf     [7]string // check, account, region, resource, reason, owner, expires
	)
	tf.register(fs)
	switch sub {
	case "list":
		fs.StringVar(&format, "format", "table", "output `format`: table or json")
	case "add":
		for i, f := range ruleFlags {
			fs.StringVar(&rf[i], f.name, "", f.usage)
		}
	}
	positional, code, done := parseInterspersed(fs, args[1:], env)
	if done {
		return code
	}
	usageError := func(format string, a ...any) int {
		fmt.Fprintf(env.Stderr, "secadvisor "+name+": "+format+"\n", a...)
		return ExitUsage
	}
	if err := tf.validate(); err != nil {
		return usageError("%v", err)
	}
	wantArgs := map[string]string{"add": "", "list": "", "remove": "ID", "import": "FILE"}[sub]
	switch {
	case wantArgs == "" && len(positional) > 0:
		return usageError("unexpected argument %q", positional[0])
	case wantArgs != "" && len(positional) != 1:
		return usageError("want one %s, got %d arguments", wantArgs, len(positional))
	case format != "" && format != "table" && format != "json":
		return usageError("--format %q: want table or json", format)
	}
	today := time.Now().UTC()

	// Everything the command can check without AWS is checked first.
	var adding []suppress.Rule
	switch sub {
	case "add":
		r, err := ruleFromFlags(rf, today)
		if err != nil {
			return usageError("%v", err)
		}
		adding = []suppress.Rule{r}
	case "import":
		data, err := os.ReadFile(positional[0])
		if err != nil {
			return usageError("%v", err)
		}
		if adding, err = rulesfile.Parse(positional[0], data, today, suppress.DefaultMaxAhead); err != nil {
			return usageError("%v", err)
		}
	}

	st, err := tf.store(ctx)
	if err != nil {
		return usageError("%v", err)
	}
	fail := func(err error) int {
		fmt.Fprintf(env.Stderr, "secadvisor %s: %v\n", name, err)
		return ExitUsage
	}
	switch sub {
	case "list":
		rules, err := st.Suppressions(ctx)
		if err != nil {
			return fail(err)
		}
		if err := writeRules(env.Stdout, format, rules, today); err != nil {
			return fail(err)
		}
		return ExitOK
	case "add":
		r := adding[0]
		if err := st.PutSuppression(ctx, r); err != nil {
			return fail(err)
		}
		fmt.Fprintf(env.Stdout, "added %s: %s\n", r.ID, describeRule(r))
	case "import":
		if err := importRules(ctx, st, adding, today, env.Stdout); err != nil {
			return fail(err)
		}
	case "remove":
		if err := st.DeleteSuppression(ctx, positional[0]); err != nil {
			return fail(err)
		}
		fmt.Fprintf(env.Stdout, "removed %s\n", positional[0])
	}
	return resuppress(ctx, st, today, env, name)
}

// ruleFlags are add's flags, in the order of the rule's fields.
var ruleFlags = [7]struct{ name, usage string }{
	{"check", "the `check` the rule covers: ID, slug or *"},
	{"account", "the `account` ID (12 digits) or *"},
	{"region", "the `region`: a name, global (the global checks) or *"},
	{"resource", "the `resource` ID or ARN, or a glob of them (* ? [...])"},
	{"reason", "why the risk is accepted (`text`)"},
	{"owner", "who owns the decision (`team` or person)"},
	{"expires", "the last `day` the rule applies, YYYY-MM-DD, at most a year ahead"},
}

// ruleFromFlags checks add's flags and returns the rule with a new ID.
func ruleFromFlags(rf [7]string, today time.Time) (suppress.Rule, error) {
	var missing []string
	for i, v := range rf {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, "--"+ruleFlags[i].name)
		}
	}
	if len(missing) > 0 {
		return suppress.Rule{}, fmt.Errorf("missing %s: every rule names what it covers, why, who owns it and when it expires", strings.Join(missing, ", "))
	}
	id, err := newRuleID(today)
	if err != nil {
		return suppress.Rule{}, err
	}
	r, err := suppress.New(id, rf[0], rf[1], rf[2], rf[3], rf[4], rf[5], rf[6], today, suppress.DefaultMaxAhead)
	if err != nil {
		return suppress.Rule{}, err
	}
	if !r.Active(today) {
		return suppress.Rule{}, fmt.Errorf("--expires %s is past: the rule would suppress nothing", rf[6])
	}
	return r, nil
}

// newRuleID names a stored rule: the day it was added, readable, and a
// random suffix.
func newRuleID(today time.Time) (string, error) {
	suffix := make([]byte, 3)
	if _, err := rand.Read(suffix); err != nil {
		return "", fmt.Errorf("rule id: %w", err)
	}
	return "sup-" + today.UTC().Format("20060102") + "-" + hex.EncodeToString(suffix), nil
}

// importRules stores the file's rules under new IDs, skipping those past
// their expiry and those stored already (the same fields), so that
// importing a file again adds only what changed in it.
func importRules(ctx context.Context, st *store.Store, rules []suppress.Rule, today time.Time, w io.Writer) error {
	stored, err := st.Suppressions(ctx)
	if err != nil {
		return err
	}
	have := map[string]string{}
	for _, r := range stored {
		have[ruleFields(r)] = r.ID
	}
	added, already, expired := 0, 0, 0
	for _, r := range rules {
		if !r.Active(today) {
			fmt.Fprintf(w, "skipped %s: expired %s\n", r.ID, r.Expires.Format(suppress.DateLayout))
			expired++
			continue
		}
		if id, ok := have[ruleFields(r)]; ok {
			fmt.Fprintf(w, "skipped %s: stored as %s\n", r.ID, id)
			already++
			continue
		}
		from := r.ID
		if r.ID, err = newRuleID(today); err != nil {
			return err
		}
		if err := st.PutSuppression(ctx, r); err != nil {
			return fmt.Errorf("%s (%d rules stored before it; importing again skips them): %w", from, added, err)
		}
		have[ruleFields(r)] = r.ID
		fmt.Fprintf(w, "added %s from %s: %s\n", r.ID, from, describeRule(r))
		added++
	}
	fmt.Fprintf(w, "imported %d rules (%d already stored, %d expired)\n", added, already, expired)
	return nil
}

// ruleFields is what a rule says, its ID aside.
func ruleFields(r suppress.Rule) string {
	return strings.Join([]string{r.Check, r.Account, r.Region, r.Resource, r.Reason, r.Owner, r.Expires.Format(suppress.DateLayout)}, "\x00")
}

func describeRule(r suppress.Rule) string {
	return fmt.Sprintf("check %s, account %s, region %s, resource %s, owner %s, until %s", r.Check, r.Account, r.Region, r.Resource, r.Owner, r.Expires.Format(suppress.DateLayout))
}

// resuppress applies every stored rule to the stored findings and says how
// many changed. The rule change itself is stored by then: a failure here
// says so, and the next scan of each scope applies the rules anyway.
func resuppress(ctx context.Context, st *store.Store, today time.Time, env Env, name string) int {
	rules, err := st.Suppressions(ctx)
	if err == nil {
		var changed int
		if changed, err = st.Resuppress(ctx, rules, today); err == nil {
			fmt.Fprintf(env.Stdout, "%d stored findings changed (suppressed, or no longer suppressed)\n", changed)
			return ExitOK
		}
	}
	fmt.Fprintf(env.Stderr, "secadvisor %s: the rules are stored, but the stored findings were not updated (the next scan of each check will): %v\n", name, err)
	return ExitUsage
}

// ruleView is a stored rule as list shows it: the rule's fields, its
// expiry as the day it was given, and its state.
type ruleView struct {
	suppress.Rule
	// Expires, YYYY-MM-DD, stands for the rule's time.Time in the JSON (the
	// outer field wins over the embedded one of the same name).
	Expires string `json:"expires"`
	// State is active or expired.
	State string `json:"state"`
}

func writeRules(w io.Writer, format string, rules []suppress.Rule, today time.Time) error {
	views := make([]ruleView, 0, len(rules))
	active := 0
	for _, r := range rules {
		state := "expired"
		if r.Active(today) {
			state = "active"
			active++
		}
		views = append(views, ruleView{Rule: r, Expires: r.Expires.Format(suppress.DateLayout), State: state})
	}
	if format == "json" {
		return writeIndentedJSON(w, struct {
			SchemaVersion int        `json:"schemaVersion"`
			Suppressions  []ruleView `json:"suppressions"`
		}{report.SchemaVersion, views})
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCHECK\tACCOUNT\tREGION\tRESOURCE\tOWNER\tEXPIRES\tSTATE")
	for _, v := range views {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.ID, v.Check, v.Account, v.Region, v.Resource, v.Owner, v.Expires, v.State)
	}
	fmt.Fprintf(tw, "%d rules (%d active, %d expired)\n", len(views), active, len(views)-active)
	return tw.Flush()
}
