// Package ocsfschema is the form of testdata/ocsf/schema-<version>.json,
// the extract of an OCSF schema release that the OCSF output is validated
// against: testdata/ocsf/extract writes it, the validator in report's tests
// reads it. One definition keeps the writer and the reader from drifting
// apart. It lives under testdata so that it is no part of the build.
package ocsfschema

// Extract is the file: one event class and the objects the output uses,
// with inheritance, includes and the applied profiles resolved.
type Extract struct {
	OCSFVersion string            `json:"ocsf_version"`
	Source      string            `json:"source"`
	Commit      string            `json:"commit"`
	Profiles    []string          `json:"profiles"`
	Class       Class             `json:"class"`
	Objects     map[string]Object `json:"objects"`
	// Types maps each OCSF data type to the JSON kind that carries it.
	Types map[string]string `json:"types"`
}

// Class is the resolved event class.
type Class struct {
	Name        string               `json:"name"`
	Caption     string               `json:"caption"`
	UID         int                  `json:"uid"`
	CategoryUID int                  `json:"category_uid"`
	Attributes  map[string]Attribute `json:"attributes"`
}

// Object is a resolved object.
type Object struct {
	Attributes  map[string]Attribute `json:"attributes"`
	Constraints map[string][]string  `json:"constraints,omitempty"`
}

// Attribute is an attribute as the class or object uses it.
type Attribute struct {
	Requirement string            `json:"requirement"`
	Type        string            `json:"type"`
	IsArray     bool              `json:"is_array,omitempty"`
	Enum        map[string]string `json:"enum,omitempty"`
	Sibling     string            `json:"sibling,omitempty"`
}
