// Package certstest wraps selfsigned for tests: a generated certificate or
// a failed test.
package certstest

import (
	"testing"

	"github.com/secadvisor/secadvisor/internal/certs/selfsigned"
)

// Spec describes a certificate to generate.
type Spec = selfsigned.Spec

// Cert is a generated certificate.
type Cert = selfsigned.Cert

// New generates the certificate s describes, self-signed and valid for the
// year before its NotAfter, or fails t.
func New(t testing.TB, s Spec) Cert {
	t.Helper()
	c, err := selfsigned.Generate(s)
	if err != nil {
		t.Fatalf("generate certificate %+v: %v", s, err)
	}
	return c
}
