package certs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/secadvisor/secadvisor/internal/certs"
)

// FuzzAnalyze feeds arbitrary text through the analysis a CloudFront check
// runs on an IAM certificate body: it must never panic, and whatever parses
// must be assessable and matchable. The seed corpus (testdata/fuzz) holds
// real PEM certificates (ECDSA, RSA, SHA-1, wildcard SANs) and near misses.
func FuzzAnalyze(f *testing.F) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte, host string) {
		cert, err := certs.ParsePEM(body)
		if err != nil {
			return
		}
		a := certs.Assess(cert, now, 7*24*time.Hour)
		if len(a.Details) != len(a.Problems) {
			t.Fatalf("Assess details %q do not match problems %q", a.Details, a.Problems)
		}
		covered := certs.Covers(cert, host)
		if covered && strings.TrimSpace(host) == "" {
			t.Fatalf("Covers(%q, empty host) = true", certs.Names(cert))
		}
	})
}

// FuzzMatch checks the wildcard rules' invariants on arbitrary names.
func FuzzMatch(f *testing.F) {
	for _, seed := range [][2]string{{"*.example.com", "a.example.com"}, {"*.example.com", "a.b.example.com"}, {"example.com", "EXAMPLE.com."}, {"*", "x"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, host string) {
		got := certs.Match(pattern, host)
		p := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(pattern), "."))
		h := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(host), "."))
		if !strings.Contains(p, "*") && got != (p != "" && p == h) {
			t.Fatalf("Match(%q, %q) = %v without a wildcard, want exact comparison", pattern, host, got)
		}
		if got && p != h && strings.Count(h, ".") != strings.Count(p, ".") {
			t.Fatalf("Match(%q, %q) = true but the wildcard spans a different number of labels", pattern, host)
		}
	})
}
