// Package jsondoc writes the JSON documents people read and diff: the
// generated check catalog and Security Hub findings. They are indented, and
// <, > and & stay as they are: encoding/json's default escapes them for
// embedding in HTML, which these documents never are.
package jsondoc

import (
	"bytes"
	"encoding/json"
)

// Marshal returns v as an indented JSON document ending in a newline.
func Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
