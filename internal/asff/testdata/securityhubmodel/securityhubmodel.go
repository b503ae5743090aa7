// Package securityhubmodel is the form of testdata/securityhub-model.json,
// the extract of Security Hub's service model that asff's tests validate
// the conversion against: testdata/extract writes it, the validator in
// asff's tests reads it. One definition keeps the writer and the reader
// from drifting apart. It lives under testdata so that it is no part of
// the build.
package securityhubmodel

// Extract is the file: BatchImportFindings' input shape and the shapes
// below it that the conversion fills.
type Extract struct {
	Source     string           `json:"source"`
	Commit     string           `json:"commit"`
	APIVersion string           `json:"apiVersion"`
	Operation  string           `json:"operation"`
	Input      string           `json:"input"`
	Notes      string           `json:"notes"`
	Shapes     map[string]Shape `json:"shapes"`
}

// Shape is one shape of the model with the constraints of its own traits.
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
