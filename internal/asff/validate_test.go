package asff

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/secadvisor/secadvisor/internal/asff/testdata/securityhubmodel"
)

// serviceModel is the extract of the Security Hub service model in
// testdata/securityhub-model.json (written by testdata/extract from
// botocore's service-2.json at the commit it names), with the validator.
type serviceModel struct {
	securityhubmodel.Extract
}

func loadModel(t *testing.T) serviceModel {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "securityhub-model.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m serviceModel
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("securityhub-model.json: %v", err)
	}
	if m.Commit == "" || m.Shapes[m.Input].Type != "structure" {
		t.Fatalf("securityhub-model.json names no commit or no input shape %q", m.Input)
	}
	return m
}

// validateRequest checks a BatchImportFindings request body, decoded from
// JSON, against the model: every problem, with its JSON path.
func (m serviceModel) validateRequest(body any) []string {
	var problems []string
	m.validate("$", body, m.Input, securityhubmodel.Member{}, &problems)
	sort.Strings(problems)
	return problems
}

func (m serviceModel) validate(path string, v any, shapeName string, c securityhubmodel.Member, problems *[]string) {
	fail := func(format string, args ...any) {
		*problems = append(*problems, path+": "+fmt.Sprintf(format, args...))
	}
	s, ok := m.Shapes[shapeName]
	if !ok {
		fail("shape %s is not vendored in securityhub-model.json: the conversion should not fill it", shapeName)
		return
	}
	switch s.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			fail("want an object (%s), got %T", shapeName, v)
			return
		}
		byJSON := map[string]string{}
		for name, mem := range s.Members {
			byJSON[cmpOr(mem.JSONName, name)] = name
		}
		for _, req := range s.Required {
			if _, ok := obj[cmpOr(s.Members[req].JSONName, req)]; !ok {
				fail("required member %s is missing", req)
			}
		}
		for key, val := range obj {
			name, ok := byJSON[key]
			if !ok {
				fail("%s has no member %q", shapeName, key)
				continue
			}
			mem := s.Members[name]
			m.validate(path+"."+key, val, mem.Shape, mem, problems)
		}
	case "list":
		arr, ok := v.([]any)
		if !ok {
			fail("want an array (%s), got %T", shapeName, v)
			return
		}
		for _, bound := range []*int{s.MinItems, c.MinItems} {
			if bound != nil && len(arr) < *bound {
				fail("%d items, fewer than %d", len(arr), *bound)
			}
		}
		for _, bound := range []*int{s.MaxItems, c.MaxItems} {
			if bound != nil && len(arr) > *bound {
				fail("%d items, more than %d", len(arr), *bound)
			}
		}
		for i, item := range arr {
			itemPath := fmt.Sprintf("%s[%d]", path, i)
			m.validate(itemPath, item, s.Member, securityhubmodel.Member{Shape: s.Member}, problems)
			if len(c.Namespaces) > 0 {
				str, _ := item.(string)
				parts := strings.Split(str, "/")
				if len(parts) < 2 || len(parts) > 3 || !slices.Contains(c.Namespaces, parts[0]) || slices.Contains(parts, "") {
					*problems = append(*problems, fmt.Sprintf("%s: %q is not namespace/category[/classifier] with a namespace of %v", itemPath, str, c.Namespaces))
				}
			}
		}
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			fail("want an object (%s), got %T", shapeName, v)
			return
		}
		if c.MaxEntries != nil && len(obj) > *c.MaxEntries {
			fail("%d entries, more than %d", len(obj), *c.MaxEntries)
		}
		for key, val := range obj {
			m.validate(path+" key "+fmt.Sprintf("%q", key), key, s.Key, securityhubmodel.Member{Shape: s.Key, MaxLength: c.KeyMaxLength}, problems)
			m.validate(fmt.Sprintf("%s[%q]", path, key), val, s.Value, securityhubmodel.Member{Shape: s.Value, MaxLength: c.ValueMaxLength}, problems)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			fail("want a string (%s), got %T", shapeName, v)
			return
		}
		if s.Pattern != "" && !regexp.MustCompile(s.Pattern).MatchString(str) {
			fail("%q does not match %s's pattern %s", str, shapeName, s.Pattern)
		}
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, str) {
			fail("%q is not one of %v", str, s.Enum)
		}
		n := utf8.RuneCountInString(str)
		if c.MinLength != nil && n < *c.MinLength {
			fail("%d characters, fewer than %d", n, *c.MinLength)
		}
		if c.MaxLength != nil && n > *c.MaxLength {
			fail("%d characters, more than %d", n, *c.MaxLength)
		}
		if c.Timestamp {
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				fail("%q is not an RFC 3339 timestamp", str)
			}
		}
	case "integer", "long", "double":
		if _, ok := v.(float64); !ok {
			fail("want a number (%s), got %T", shapeName, v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			fail("want a boolean (%s), got %T", shapeName, v)
		}
	default:
		fail("shape %s has type %s, which the validator does not know", shapeName, s.Type)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// decode parses JSON for the validator.
func decode(t *testing.T, raw []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}
