package s3bucketpermissions

import (
	"errors"
	"slices"
	"testing"
)

// FuzzPolicy feeds arbitrary documents to the policy evaluator. Its seed
// corpus is testdata/fuzz/FuzzPolicy (every valid form, plus crashers found
// so far). Properties: no panic; an error is always errUnsupported; the
// verdict is deterministic; a public verdict names its statements; a policy
// made of Deny statements only is never public.
func FuzzPolicy(f *testing.F) {
	f.Add(doc(publicRead))
	f.Add(doc(publicRead, denyWith(`{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`)))
	f.Add(benchmarkPolicy)
	f.Fuzz(func(t *testing.T, document string) {
		v, err := evaluatePolicy(document)
		if err != nil {
			if !errors.Is(err, errUnsupported) {
				t.Fatalf("evaluatePolicy(%q) error %v is not errUnsupported", document, err)
			}
			return
		}
		again, _ := evaluatePolicy(document)
		if !slices.Equal(v.Open, again.Open) || !slices.Equal(v.Notes, again.Notes) {
			t.Fatalf("evaluatePolicy(%q) not deterministic: %+v then %+v", document, v, again)
		}
		statements, err := parsePolicy(document)
		if err != nil {
			t.Fatalf("parsePolicy(%q) failed after evaluatePolicy succeeded: %v", document, err)
		}
		if !slices.ContainsFunc(statements, func(s statement) bool { return s.allow }) && v.Public() {
			t.Fatalf("evaluatePolicy(%q) = public for a policy without Allow statements", document)
		}
	})
}
