package asff

import (
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/secadvisor/secadvisor/internal/jsondoc"
)

// Marshal renders findings as the JSON of BatchImportFindings' Findings
// member: an array of AwsSecurityFinding objects, keyed by the service's
// member names, members that are not set left out. The service takes at
// most 100 findings per call: an importer sends the array in batches.
//
// The SDK's types carry no JSON tags (the SDK serializes them in its own
// code), but their exported fields are named exactly as the service's
// members, so they are rendered by reflection; a test holds the names to
// the service model and round-trips the JSON into the SDK's types.
func Marshal(findings []types.AwsSecurityFinding) ([]byte, error) {
	docs := make([]any, 0, len(findings))
	for i, f := range findings {
		doc, err := document(reflect.ValueOf(f))
		if err != nil {
			return nil, fmt.Errorf("asff finding %d: %w", i, err)
		}
		docs = append(docs, doc)
	}
	out, err := jsondoc.Marshal(docs)
	if err != nil {
		return nil, fmt.Errorf("encode asff findings: %w", err)
	}
	return out, nil
}

// document returns v as JSON values, or nil when v is not set: a nil
// pointer, slice or map, an empty string or enum, a zero number held by
// value, a structure with no member set.
func document(v reflect.Value) (any, error) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil, nil
		}
		// A pointer says the member is set, even to a zero value.
		elem := v.Elem()
		if elem.Kind() == reflect.Struct {
			return document(elem)
		}
		return elem.Interface(), nil
	case reflect.Struct:
		out := map[string]any{}
		for i := range v.NumField() {
			field := v.Type().Field(i)
			if !field.IsExported() {
				continue
			}
			member, err := document(v.Field(i))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", field.Name, err)
			}
			if member != nil {
				out[field.Name] = member
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	case reflect.Slice:
		if v.Len() == 0 {
			return nil, nil
		}
		out := make([]any, 0, v.Len())
		for i := range v.Len() {
			item, err := document(v.Index(i))
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			if item == nil {
				return nil, fmt.Errorf("[%d]: an empty list member", i)
			}
			out = append(out, item)
		}
		return out, nil
	case reflect.Map:
		if v.Len() == 0 {
			return nil, nil
		}
		if v.Type().Key().Kind() != reflect.String || v.Type().Elem().Kind() != reflect.String {
			return nil, fmt.Errorf("unsupported map type %s", v.Type())
		}
		out := make(map[string]string, v.Len())
		for it := v.MapRange(); it.Next(); {
			out[it.Key().String()] = it.Value().String()
		}
		return out, nil
	case reflect.String:
		if v.Len() == 0 {
			return nil, nil
		}
		return v.String(), nil
	case reflect.Bool, reflect.Int, reflect.Int32, reflect.Int64, reflect.Float32, reflect.Float64:
		if v.IsZero() {
			return nil, nil
		}
		return v.Interface(), nil
	}
	// Documents, timestamps held by value and unions: not in what the
	// conversion fills; refuse rather than render them wrongly.
	return nil, fmt.Errorf("unsupported type %s", v.Type())
}
