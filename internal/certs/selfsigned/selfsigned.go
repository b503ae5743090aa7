// Package selfsigned generates self-signed certificates for tests and for
// the demo account: any expiry, names and signature algorithm (SHA-1
// included), in the forms they need (parsed, PEM with its key, a
// tls.Certificate to serve).
package selfsigned

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"sync"
	"time"
)

// Spec describes a certificate to generate.
type Spec struct {
	CommonName string
	DNSNames   []string
	NotAfter   time.Time
	// Algorithm signs the certificate; zero means ECDSA with SHA-256.
	// x509.SHA1WithRSA and x509.ECDSAWithSHA1 are accepted: Go refuses to
	// verify SHA-1 signatures, but still creates them.
	Algorithm x509.SignatureAlgorithm
}

// Cert is a generated certificate.
type Cert struct {
	X509 *x509.Certificate
	// PEM is the certificate body, as uploaded to IAM.
	PEM []byte
	// KeyPEM is the private key, PKCS #8.
	KeyPEM []byte
	TLS    tls.Certificate
}

// Keys are generated once per process: RSA generation is slow, and which
// key signs does not matter to the tests or the demo.
var (
	keysOnce sync.Once
	ecKey    *ecdsa.PrivateKey
	rsaKey   *rsa.PrivateKey
	keysErr  error
)

func keys() (*ecdsa.PrivateKey, *rsa.PrivateKey, error) {
	keysOnce.Do(func() {
		ecKey, keysErr = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if keysErr == nil {
			rsaKey, keysErr = rsa.GenerateKey(rand.Reader, 2048)
		}
	})
	return ecKey, rsaKey, keysErr
}

// Generate creates the certificate s describes, self-signed and valid for
// the year before its NotAfter (a year from now when NotAfter is zero).
func Generate(s Spec) (Cert, error) {
	ec, rs, err := keys()
	if err != nil {
		return Cert{}, err
	}
	var signer crypto.Signer = ec
	switch s.Algorithm {
	case x509.SHA1WithRSA, x509.SHA256WithRSA, x509.SHA384WithRSA, x509.SHA512WithRSA:
		signer = rs
	}
	if s.NotAfter.IsZero() {
		s.NotAfter = time.Now().AddDate(1, 0, 0)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return Cert{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:       serial,
		Subject:            pkix.Name{CommonName: s.CommonName, Organization: []string{"secadvisor tests"}},
		DNSNames:           s.DNSNames,
		NotBefore:          s.NotAfter.AddDate(-1, 0, 0),
		NotAfter:           s.NotAfter,
		KeyUsage:           x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:        []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		SignatureAlgorithm: s.Algorithm,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, signer.Public(), signer)
	if err != nil {
		return Cert{}, err
	}
	parsed, err := x509.ParseCertificate(der)
	if err != nil {
		return Cert{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(signer)
	if err != nil {
		return Cert{}, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return Cert{}, err
	}
	return Cert{X509: parsed, PEM: certPEM, KeyPEM: keyPEM, TLS: pair}, nil
}
