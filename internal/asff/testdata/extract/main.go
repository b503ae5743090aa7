// Command extract writes the part of the Security Hub service model that
// the asff tests validate against: BatchImportFindings' input, down to the
// shapes the conversion fills, with every member listed (so an unknown
// member name is caught) and the constraints the service enforces.
//
// Required members, enums, patterns and list bounds are the model's traits.
// The service model carries most length limits only in its documentation
// ("Length Constraints: Minimum length of 1. Maximum length of 256.",
// "Array Members: Maximum number of 50 items.", "up to 50 key-value
// pairs..."): they are parsed from it. Members documented as Security Hub
// timestamps are marked "timestamp".
//
// Usage, from the module root, with a botocore checkout:
//
//	go run ./internal/asff/testdata/extract -commit <sha> \
//	  botocore/botocore/data/securityhub/2018-10-26/service-2.json > internal/asff/testdata/securityhub-model.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// vendored are the shapes whose members the conversion fills; others are
// listed as members' shapes but not described (the validator rejects them).
var vendored = []string{
	"BatchImportFindingsRequest", "BatchImportFindingsRequestFindingList", "AwsSecurityFinding",
	"Severity", "SeverityLabel", "Remediation", "Recommendation", "ResourceList", "Resource", "Partition",
	"Compliance", "ComplianceStatus", "Workflow", "WorkflowStatus", "Note", "RecordState",
	"FieldMap", "TypeList", "NonEmptyString", "Integer", "Double", "Boolean",
}

type modelShape struct {
	Type     string                 `json:"type"`
	Required []string               `json:"required"`
	Members  map[string]modelMember `json:"members"`
	Member   *modelMember           `json:"member"`
	Key      *modelMember           `json:"key"`
	Value    *modelMember           `json:"value"`
	Enum     []string               `json:"enum"`
	Pattern  string                 `json:"pattern"`
	Min      *float64               `json:"min"`
	Max      *float64               `json:"max"`
}

type modelMember struct {
	Shape         string `json:"shape"`
	LocationName  string `json:"locationName"`
	Documentation string `json:"documentation"`
}

// Shape and Member are the extract's form (see the validator in asff's tests).
type Shape struct {
	Type     string            `json:"type"`
	Required []string          `json:"required,omitempty"`
	Members  map[string]Member `json:"members,omitempty"`
	Member   string            `json:"member,omitempty"`
	Key      string            `json:"key,omitempty"`
	Value    string            `json:"value,omitempty"`
	Enum     []string          `json:"enum,omitempty"`
	Pattern  string            `json:"pattern,omitempty"`
	MinItems *int              `json:"minItems,omitempty"`
	MaxItems *int              `json:"maxItems,omitempty"`
}

// Member is one member of a structure, with its documented constraints.
type Member struct {
	Shape          string   `json:"shape"`
	JSONName       string   `json:"jsonName,omitempty"`
	MinLength      *int     `json:"minLength,omitempty"`
	MaxLength      *int     `json:"maxLength,omitempty"`
	MinItems       *int     `json:"minItems,omitempty"`
	MaxItems       *int     `json:"maxItems,omitempty"`
	MaxEntries     *int     `json:"maxEntries,omitempty"`
	KeyMaxLength   *int     `json:"keyMaxLength,omitempty"`
	ValueMaxLength *int     `json:"valueMaxLength,omitempty"`
	Timestamp      bool     `json:"timestamp,omitempty"`
	Namespaces     []string `json:"namespaces,omitempty"`
}

// Extract is the file written.
type Extract struct {
	Source     string           `json:"source"`
	Commit     string           `json:"commit"`
	APIVersion string           `json:"apiVersion"`
	Operation  string           `json:"operation"`
	Input      string           `json:"input"`
	Notes      string           `json:"notes"`
	Shapes     map[string]Shape `json:"shapes"`
}

var (
	exactLength = regexp.MustCompile(`Length Constraints: (\d+)\.`)
	minLength   = regexp.MustCompile(`Minimum (?:length )?of (\d+)`)
	maxLength   = regexp.MustCompile(`Maximum (?:length )?of (\d+)`)
	minItems    = regexp.MustCompile(`Minimum number of (\d+) item`)
	maxItems    = regexp.MustCompile(`Maximum number of (\d+) item`)
	maxEntries  = regexp.MustCompile(`up to (\d+) key-value pairs`)
	keyMax      = regexp.MustCompile(`key can contain up to (\d+) characters`)
	valueMax    = regexp.MustCompile(`value can contain up to (\d+) characters`)
	namespaces  = regexp.MustCompile(`Valid namespace values are: ([^<]+)</p>`)
	timestamps  = regexp.MustCompile(`#timestamps`)
)

func main() {
	commit := flag.String("commit", "", "the botocore commit the model was read at")
	flag.Parse()
	if flag.NArg() != 1 || *commit == "" {
		fmt.Fprintln(os.Stderr, "usage: extract -commit <sha> <securityhub service-2.json>")
		os.Exit(2)
	}
	raw, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var model struct {
		Metadata struct {
			APIVersion string `json:"apiVersion"`
		} `json:"metadata"`
		Operations map[string]struct {
			Input struct{ Shape string } `json:"input"`
		} `json:"operations"`
		Shapes map[string]modelShape `json:"shapes"`
	}
	if err := json.Unmarshal(raw, &model); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := Extract{
		Source:     "https://github.com/boto/botocore/blob/" + *commit + "/botocore/data/securityhub/2018-10-26/service-2.json",
		Commit:     *commit,
		APIVersion: model.Metadata.APIVersion,
		Operation:  "BatchImportFindings",
		Input:      model.Operations["BatchImportFindings"].Input.Shape,
		Notes: "Generated by internal/asff/testdata/extract. required, enum, pattern and list bounds are model traits; " +
			"member lengths, item counts and map limits are parsed from the members' documentation, where the model states them; " +
			"timestamp marks members documented as Security Hub timestamps. Shapes not listed here are not vendored.",
		Shapes: map[string]Shape{},
	}
	for _, name := range vendored {
		s, ok := model.Shapes[name]
		if !ok {
			fmt.Fprintf(os.Stderr, "shape %s is not in the model\n", name)
			os.Exit(1)
		}
		shape := Shape{Type: s.Type, Required: s.Required, Enum: s.Enum, Pattern: s.Pattern, MinItems: whole(s.Min), MaxItems: whole(s.Max)}
		sort.Strings(shape.Required)
		if s.Member != nil {
			shape.Member = s.Member.Shape
		}
		if s.Key != nil {
			shape.Key, shape.Value = s.Key.Shape, s.Value.Shape
		}
		if len(s.Members) > 0 {
			shape.Members = map[string]Member{}
			for name, m := range s.Members {
				shape.Members[name] = member(m)
			}
		}
		out.Shapes[name] = shape
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// whole converts a bound of the model (a JSON number) to an int.
func whole(f *float64) *int {
	if f == nil {
		return nil
	}
	n := int(*f)
	return &n
}

func member(m modelMember) Member {
	doc := m.Documentation
	out := Member{Shape: m.Shape, JSONName: m.LocationName, Timestamp: timestamps.MatchString(doc)}
	number := func(re *regexp.Regexp) *int {
		if sub := re.FindStringSubmatch(doc); sub != nil {
			n, _ := strconv.Atoi(sub[1])
			return &n
		}
		return nil
	}
	// Lengths only where the documentation states "Length Constraints":
	// elsewhere "Maximum of 100 findings" is a list's bound.
	if strings.Contains(doc, "Length Constraints") {
		if n := number(exactLength); n != nil {
			out.MinLength, out.MaxLength = n, n
		}
		if n := number(minLength); n != nil {
			out.MinLength = n
		}
		if n := number(maxLength); n != nil {
			out.MaxLength = n
		}
	}
	out.MinItems, out.MaxItems = number(minItems), number(maxItems)
	out.MaxEntries, out.KeyMaxLength, out.ValueMaxLength = number(maxEntries), number(keyMax), number(valueMax)
	if sub := namespaces.FindStringSubmatch(doc); sub != nil {
		for _, ns := range regexp.MustCompile(`\s*\|\s*`).Split(sub[1], -1) {
			out.Namespaces = append(out.Namespaces, ns)
		}
	}
	return out
}
