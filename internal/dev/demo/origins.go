package demo

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/secadvisor/secadvisor/internal/certs/selfsigned"
)

// originHost is where the demo's CloudFront origins live. CloudFront itself
// wants a domain name there; the emulator takes an IP address, and an
// address needs no name lookup, so the origin check connects to this machine
// and to nothing beyond it.
const originHost = "127.0.0.1"

// originServers are local HTTPS servers standing in for the demo
// distributions' custom origins, each on its own loopback port and serving
// its own certificate.
type originServers struct {
	// Ports of the origins by the certificate they present: valid for nine
	// months, expiring in ten days, signed with SHA-1.
	sound, expiringSoon, sha1 int32
	servers                   []*http.Server
}

// startOrigins starts the origin servers. Stop them with close.
func startOrigins() (*originServers, error) {
	now := time.Now()
	o := &originServers{}
	for _, origin := range []struct {
		port *int32
		spec selfsigned.Spec
	}{
		{&o.sound, selfsigned.Spec{DNSNames: []string{"origin.example.com"}, NotAfter: now.AddDate(0, 9, 0)}},
		{&o.expiringSoon, selfsigned.Spec{DNSNames: []string{"shop-origin.example.com"}, NotAfter: now.AddDate(0, 0, 10)}},
		{&o.sha1, selfsigned.Spec{CommonName: "legacy-origin.example.com", NotAfter: now.AddDate(1, 0, 0), Algorithm: x509.SHA1WithRSA}},
	} {
		port, err := o.serve(origin.spec)
		if err != nil {
			o.close()
			return nil, fmt.Errorf("start a local CloudFront origin: %w", err)
		}
		*origin.port = port
	}
	return o, nil
}

// serve starts one origin presenting a certificate made to spec and returns
// its port.
func (o *originServers) serve(spec selfsigned.Spec) (int32, error) {
	cert, err := selfsigned.Generate(spec)
	if err != nil {
		return 0, err
	}
	l, err := net.Listen("tcp", net.JoinHostPort(originHost, "0"))
	if err != nil {
		return 0, err
	}
	server := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = fmt.Fprintln(w, "secadvisor demo origin")
		}),
		// CloudFront still talks TLS 1.0 and 1.1 to origins; so does the check.
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert.TLS}, MinVersion: tls.VersionTLS10},
		ReadHeaderTimeout: 5 * time.Second,
	}
	o.servers = append(o.servers, server)
	// ServeTLS returns when close stops it; should it fail before, the
	// origin check reports the origin as one that can't be reached.
	go func() { _ = server.ServeTLS(l, "", "") }()
	return int32(l.Addr().(*net.TCPAddr).Port), nil
}

// close stops the origin servers.
func (o *originServers) close() {
	for _, s := range o.servers {
		_ = s.Close()
	}
}
