// Package certs holds the certificate analysis the CloudFront checks share:
// reading a PEM certificate, judging its expiry against a threshold and its
// signature algorithm, and matching host names against its Common Name and
// Subject Alternative Names with the wildcard rules browsers apply. The facts
// come from the certificate itself, never from metadata stored beside it.
package certs

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNoCertificate is returned when a PEM text holds no CERTIFICATE block.
var ErrNoCertificate = errors.New("no PEM CERTIFICATE block")

// ParsePEM parses the first CERTIFICATE block of text: a certificate body as
// IAM stores it (the leaf first; any chain is stored separately).
func ParsePEM(text []byte) (*x509.Certificate, error) {
	for {
		var block *pem.Block
		block, text = pem.Decode(text)
		if block == nil {
			return nil, ErrNoCertificate
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse certificate: %w", err)
		}
		return cert, nil
	}
}

// Problem is one thing wrong with a certificate. The checks map each kind
// to the status their specification gives it.
type Problem string

// The problems a certificate can have.
const (
	// Expired: now is after the certificate's NotAfter.
	Expired Problem = "expired"
	// ExpiresSoon: the certificate is valid now but its NotAfter is within
	// the threshold.
	ExpiresSoon Problem = "expires soon"
	// SHA1Signature: the certificate is signed with a SHA-1 based algorithm,
	// which browsers no longer accept.
	SHA1Signature Problem = "SHA-1 signature"
)

// Assessment is what Assess found in one certificate.
type Assessment struct {
	Problems []Problem
	// Details holds one human sentence per problem, in the same order.
	Details []string
}

// Has reports whether the assessment found p.
func (a Assessment) Has(p Problem) bool {
	for _, q := range a.Problems {
		if q == p {
			return true
		}
	}
	return false
}

func (a *Assessment) add(p Problem, detail string) {
	a.Problems = append(a.Problems, p)
	a.Details = append(a.Details, detail)
}

// Assess judges cert at now: expired when now is past NotAfter (NotAfter
// itself is still a valid instant, as in RFC 5280), expiring soon when
// NotAfter is at most soon away, and SHA-1 signed.
func Assess(cert *x509.Certificate, now time.Time, soon time.Duration) Assessment {
	var a Assessment
	notAfter := cert.NotAfter.UTC().Format(time.RFC3339)
	switch left := cert.NotAfter.Sub(now); {
	case left < 0:
		a.add(Expired, "the certificate expired on "+notAfter+".")
	case left <= soon:
		a.add(ExpiresSoon, fmt.Sprintf("the certificate expires on %s, within %d days.", notAfter, int(soon/(24*time.Hour))))
	}
	if IsSHA1(cert.SignatureAlgorithm) {
		a.add(SHA1Signature, "the certificate is signed with "+cert.SignatureAlgorithm.String()+" (SHA-1).")
	}
	return a
}

// IsSHA1 reports whether alg hashes with SHA-1.
func IsSHA1(alg x509.SignatureAlgorithm) bool {
	switch alg {
	case x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1:
		return true
	}
	return false
}

// Names returns the names a certificate is issued for: its DNS Subject
// Alternative Names, then its Common Name when that is not among them.
func Names(cert *x509.Certificate) []string {
	names := append([]string(nil), cert.DNSNames...)
	if cn := cert.Subject.CommonName; cn != "" {
		for _, n := range names {
			if normalize(n) == normalize(cn) {
				return names
			}
		}
		names = append(names, cn)
	}
	return names
}

// Covers reports whether cert is valid for host: host matches the Common
// Name or one of the DNS Subject Alternative Names (see Match).
func Covers(cert *x509.Certificate, host string) bool {
	for _, name := range Names(cert) {
		if Match(name, host) {
			return true
		}
	}
	return false
}

// Match reports whether the certificate name pattern covers host. Names are
// compared case-insensitively without a trailing dot. A wildcard is honoured
// only as the whole leftmost label ("*.example.com") and stands for exactly
// one non-empty label: it covers "a.example.com" but neither "example.com"
// nor "a.b.example.com". A host that is itself a wildcard (a CloudFront
// alternate domain name may be "*.example.com") is covered only by the same
// wildcard name.
func Match(pattern, host string) bool {
	pattern, host = normalize(pattern), normalize(host)
	if pattern == "" || host == "" {
		return false
	}
	if pattern == host {
		return true
	}
	suffix, ok := strings.CutPrefix(pattern, "*.")
	if !ok || suffix == "" || strings.Contains(suffix, "*") || strings.Contains(host, "*") {
		return false
	}
	label, rest, ok := strings.Cut(host, ".")
	return ok && label != "" && rest == suffix
}

func normalize(name string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
}
