// Package rulesfile reads a suppression rules file (YAML). It is apart
// from package suppress so that the Lambda functions, which apply stored
// rules but never read a file, do not link a YAML parser.
package rulesfile

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/secadvisor/secadvisor/internal/suppress"
	"go.yaml.in/yaml/v3"
)

// fileKeys are the keys a rule of the file may have, all required.
var fileKeys = []string{"check", "account", "region", "resource", "reason", "owner", "expires"}

// Parse reads a rules file: a mapping with the one key "rules", a list
// of mappings with exactly the keys of fileKeys. Every problem is reported
// with the line it is on, as "<name>:<line>: …"; the rules' IDs are
// "<name>:<line>".
func Parse(name string, data []byte, today time.Time, maxAhead time.Duration) ([]suppress.Rule, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: empty: want a mapping with the key rules", name)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want a mapping with the key rules", name, root.Line)
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		key := root.Content[i]
		if key.Value != "rules" {
			return nil, fmt.Errorf("%s:%d: unknown key %q (the file has one key, rules)", name, key.Line, key.Value)
		}
		list = root.Content[i+1]
	}
	if list == nil {
		return nil, fmt.Errorf("%s:%d: no rules key", name, root.Line)
	}
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: rules: want a list of rules", name, list.Line)
	}
	var rules []suppress.Rule
	var problems []string
	for _, item := range list.Content {
		r, err := parseRule(name, item, today, maxAhead)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		rules = append(rules, r)
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return rules, nil
}

func parseRule(name string, item *yaml.Node, today time.Time, maxAhead time.Duration) (suppress.Rule, error) {
	if item.Kind != yaml.MappingNode {
		return suppress.Rule{}, fmt.Errorf("%s:%d: a rule is a mapping of %s", name, item.Line, strings.Join(fileKeys, ", "))
	}
	values := map[string]string{}
	for i := 0; i+1 < len(item.Content); i += 2 {
		key, value := item.Content[i], item.Content[i+1]
		if !slices.Contains(fileKeys, key.Value) {
			return suppress.Rule{}, fmt.Errorf("%s:%d: unknown key %q (a rule has %s)", name, key.Line, key.Value, strings.Join(fileKeys, ", "))
		}
		if _, twice := values[key.Value]; twice {
			return suppress.Rule{}, fmt.Errorf("%s:%d: key %q given twice", name, key.Line, key.Value)
		}
		if value.Kind != yaml.ScalarNode {
			return suppress.Rule{}, fmt.Errorf("%s:%d: %s: want a single value", name, value.Line, key.Value)
		}
		values[key.Value] = value.Value
	}
	id := fmt.Sprintf("%s:%d", name, item.Line)
	r, err := suppress.New(id, values["check"], values["account"], values["region"], values["resource"], values["reason"], values["owner"], values["expires"], today, maxAhead)
	if err != nil {
		return suppress.Rule{}, fmt.Errorf("%s: %v", id, err)
	}
	return r, nil
}
