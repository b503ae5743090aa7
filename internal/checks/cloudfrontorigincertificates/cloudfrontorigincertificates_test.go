package cloudfrontorigincertificates

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/secadvisor/secadvisor/internal/certs/certstest"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/cloudfrontdist/cloudfrontdisttest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/scan"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

func TestEvaluate(t *testing.T) {
	t.Parallel()
	cert := func(notAfter time.Time, alg x509.SignatureAlgorithm) *x509.Certificate {
		return certstest.New(t, certstest.Spec{CommonName: "app.example.com", NotAfter: notAfter, Algorithm: alg}).X509
	}
	tests := []struct {
		name       string
		probe      Probe
		wantStatus check.Status
		wantReason string
	}{
		{"valid for a year", Probe{Cert: cert(now.AddDate(1, 0, 0), 0)}, check.Green, "more than 30 days"},
		{"expired", Probe{Cert: cert(now.Add(-time.Second), 0)}, check.Red, "expired on"},
		{"29 days left", Probe{Cert: cert(now.Add(29*day), 0)}, check.Yellow, "within 30 days"},
		{"30 days left", Probe{Cert: cert(now.Add(30*day), 0)}, check.Yellow, "within 30 days"},
		{"31 days left", Probe{Cert: cert(now.Add(31*day), 0)}, check.Green, ""},
		{"SHA-1 with RSA", Probe{Cert: cert(now.AddDate(1, 0, 0), x509.SHA1WithRSA)}, check.Yellow, "SHA-1"},
		{"ECDSA with SHA-1", Probe{Cert: cert(now.AddDate(1, 0, 0), x509.ECDSAWithSHA1)}, check.Yellow, "SHA-1"},
		{"expired and SHA-1", Probe{Cert: cert(now.Add(-day), x509.ECDSAWithSHA1)}, check.Red, "SHA-1"},
		{"answers without TLS: missing", Probe{NoTLS: true, Err: errors.New("tls: first record does not look like a TLS handshake")}, check.Red, "without TLS"},
		{"cannot connect", Probe{Unreachable: true, Err: errors.New("dial tcp: i/o timeout")}, check.Yellow,
			"could not connect to origin app.example.com:443 from the scanner: dial tcp: i/o timeout; origins that only admit CloudFront (managed prefix list com.amazonaws.global.cloudfront.origin-facing) cannot be probed from outside"},
		{"handshake fails", Probe{Err: errors.New("TLS handshake: remote error: tls: handshake failure")}, check.Yellow, "can't be located: TLS handshake: remote error"},
		{"not probed", Probe{}, check.Yellow, "can't be located"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := Origin{DistributionID: "E1", DistributionDomain: "d1.cloudfront.net", ID: "app", DomainName: "app.example.com", HTTPSPort: 443}
			got := evaluate(cloudfrontdisttest.Target(now), Input{Origins: []Origin{o}, Probes: map[string]Probe{o.Address(): tt.probe}})
			checktest.ColumnsWithin(t, Meta, got)
			if len(got) != 1 {
				t.Fatalf("evaluate(%s) = %+v, want one finding", tt.name, got)
			}
			f := got[0]
			if f.Status != tt.wantStatus || !strings.Contains(f.Reason, tt.wantReason) {
				t.Errorf("evaluate(%s, now %s) = %s (%q), want %s mentioning %q", tt.name, now, f.Status, f.Reason, tt.wantStatus, tt.wantReason)
			}
			if f.ResourceID != "E1/app" || f.Columns["Origin"] != "app.example.com" || f.Columns["Distribution ID"] != "E1" || f.Columns["Distribution Domain Name"] != "d1.cloudfront.net" || f.Columns["Reason"] != f.Reason {
				t.Errorf("evaluate(%s) = %s %v, want E1/app with its columns", tt.name, f.ResourceID, f.Columns)
			}
		})
	}
}

func TestHTTPSOrigins(t *testing.T) {
	t.Parallel()
	custom := func(id string, policy cftypes.OriginProtocolPolicy, port int32) cftypes.Origin {
		c := &cftypes.CustomOriginConfig{OriginProtocolPolicy: policy, HTTPPort: aws.Int32(80)}
		if port != 0 {
			c.HTTPSPort = aws.Int32(port)
		}
		return cftypes.Origin{Id: aws.String(id), DomainName: aws.String(id + ".example.com"), CustomOriginConfig: c}
	}
	origins := &cftypes.Origins{Items: []cftypes.Origin{
		custom("https", cftypes.OriginProtocolPolicyHttpsOnly, 443),
		custom("match", cftypes.OriginProtocolPolicyMatchViewer, 8443),
		custom("http", cftypes.OriginProtocolPolicyHttpOnly, 443),
		custom("noport", cftypes.OriginProtocolPolicyHttpsOnly, 0),
		{Id: aws.String("s3"), DomainName: aws.String("bucket.s3.us-east-1.amazonaws.com"), S3OriginConfig: &cftypes.S3OriginConfig{OriginAccessIdentity: aws.String("")}},
		{Id: aws.String("vpc"), DomainName: aws.String("internal.example.com"), VpcOriginConfig: &cftypes.VpcOriginConfig{VpcOriginId: aws.String("vo_1")}},
	}}
	got := httpsOrigins("E1", "d1.cloudfront.net", origins)
	want := []string{"https.example.com:443", "match.example.com:8443", "noport.example.com:443"}
	if len(got) != len(want) {
		t.Fatalf("httpsOrigins = %+v, want %q", got, want)
	}
	for i, o := range got {
		if o.Address() != want[i] {
			t.Errorf("httpsOrigins[%d] = %s, want %s", i, o.Address(), want[i])
		}
	}
}

// origins is a fake network: origin addresses mapped to local listeners.
// An address it does not know fails as an unreachable host would; nothing
// leaves the machine.
type origins struct {
	mu    sync.Mutex
	route map[string]string
	dials atomic.Int32
}

func (o *origins) dial(ctx context.Context, network, address string) (net.Conn, error) {
	o.dials.Add(1)
	o.mu.Lock()
	local, ok := o.route[address]
	o.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("dial %s %s: no route to host (test network)", network, address)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, local)
}

func (o *origins) add(address, local string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.route == nil {
		o.route = map[string]string{}
	}
	o.route[address] = local
}

// listen starts a local listener whose connections serve is run on, and
// returns its address.
func listen(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				serve(conn)
			}()
		}
	}()
	return ln.Addr().String()
}

// serveTLS serves cert over TLS, whatever name the client asks for.
func serveTLS(t *testing.T, cert certstest.Cert) string {
	return serveTLSConfig(t, &tls.Config{Certificates: []tls.Certificate{cert.TLS}})
}

// serveTLSConfig serves TLS as cfg says.
func serveTLSConfig(t *testing.T, cfg *tls.Config) string {
	return listen(t, func(c net.Conn) {
		conn := tls.Server(c, cfg)
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		_ = conn.Handshake()
	})
}

// createDistribution creates a distribution with the given origins, the
// default cache behavior on the first.
func createDistribution(t *testing.T, client *cloudfront.Client, ref string, origins ...cftypes.Origin) string {
	t.Helper()
	return cloudfrontdisttest.Create(t, client, ref, nil, nil, origins...)
}

// customOrigin is cloudfrontdisttest.CustomOrigin.
var customOrigin = cloudfrontdisttest.CustomOrigin

func TestCollectOnEmulatorWithLocalOrigins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, account := emutest.Config(t)
	client := cloudfront.NewFromConfig(cfg)
	var network origins
	// Dates relative to the real clock: scan.RunJob scans at time.Now().
	network.add("app.example.com:443", serveTLS(t, certstest.New(t, certstest.Spec{DNSNames: []string{"app.example.com"}, NotAfter: time.Now().Add(200 * day)})))
	network.add("api.example.com:8443", serveTLS(t, certstest.New(t, certstest.Spec{DNSNames: []string{"api.example.com"}, NotAfter: time.Now().Add(10 * day)})))
	network.add("legacy.example.com:443", serveTLS(t, certstest.New(t, certstest.Spec{CommonName: "legacy.example.com", NotAfter: time.Now().Add(200 * day), Algorithm: x509.SHA1WithRSA})))
	network.add("old.example.com:443", serveTLS(t, certstest.New(t, certstest.Spec{CommonName: "old.example.com", NotAfter: time.Now().Add(-2 * day)})))
	// Plain HTTP on the HTTPS port: no certificate at all.
	network.add("plain.example.com:443", listen(t, func(c net.Conn) { _, _ = c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n")) }))
	// Accepts and never answers: must cost no more than the timeout.
	network.add("silent.example.com:443", listen(t, func(c net.Conn) { time.Sleep(5 * time.Second) }))
	// down.example.com is not routed: the connection fails.

	https, match := cftypes.OriginProtocolPolicyHttpsOnly, cftypes.OriginProtocolPolicyMatchViewer
	shop := createDistribution(t, client, "shop",
		customOrigin("app", "app.example.com", https, 443),
		customOrigin("api", "api.example.com", match, 8443),
		customOrigin("static-http", "static.example.com", cftypes.OriginProtocolPolicyHttpOnly, 443),
		cftypes.Origin{Id: aws.String("assets"), DomainName: aws.String("assets.s3.us-east-1.amazonaws.com"), S3OriginConfig: &cftypes.S3OriginConfig{OriginAccessIdentity: aws.String("")}})
	legacy := createDistribution(t, client, "legacy",
		customOrigin("legacy", "legacy.example.com", https, 443),
		customOrigin("old", "old.example.com", https, 443),
		customOrigin("plain", "plain.example.com", https, 443),
		customOrigin("silent", "silent.example.com", https, 443),
		customOrigin("down", "down.example.com", https, 443))
	// A second distribution on the same origin: one connection serves both.
	shop2 := createDistribution(t, client, "shop-eu", customOrigin("app", "app.example.com", https, 443))

	c := check.New(Meta, prober{dial: network.dial, timeout: 500 * time.Millisecond}.collectFrom, evaluate)
	start := time.Now()
	findings := scan.RunJob(ctx, cfg, scan.Job{Check: c, Account: account, Region: check.GlobalRegion}, 0)
	elapsed := time.Since(start)
	checktest.ColumnsWithin(t, Meta, findings)
	want := map[string]check.Status{
		shop + "/app": check.Green, shop + "/api": check.Yellow, shop2 + "/app": check.Green,
		legacy + "/legacy": check.Yellow, legacy + "/old": check.Red, legacy + "/plain": check.Red,
		legacy + "/silent": check.Yellow, legacy + "/down": check.Yellow,
	}
	if len(findings) != len(want) {
		t.Fatalf("got %d findings, want %d (%v; HTTP-only and S3 origins skipped): %+v", len(findings), len(want), want, findings)
	}
	for _, f := range findings {
		if f.Status != want[f.ResourceID] {
			t.Errorf("origin %s (%s) = %s (%q), want %s", f.ResourceID, f.Columns["Origin"], f.Status, f.Reason, want[f.ResourceID])
		}
	}
	if got := checktest.ByResource(findings)[shop+"/api"].Columns["Origin"]; got != "api.example.com:8443" {
		t.Errorf("api origin column = %q, want the host and its non-default port", got)
	}
	if got := network.dials.Load(); got != 7 {
		t.Errorf("dials = %d, want 7 (one per distinct origin address)", got)
	}
	// The silent origin costs one timeout, in parallel with the others.
	if elapsed > 4*time.Second {
		t.Errorf("scan took %s, want the silent origin bounded by the 500ms timeout", elapsed)
	}
}

// TestOriginRSAKeyExchangeOnly serves an expired RSA certificate from origins
// that accept only suites Go's client leaves out by default since Go 1.22
// (RSA key exchange) and 1.23 (3DES), the latter on TLS 1.0 only: the probe
// must still complete the handshake and report the expiry red, not fall
// back to "can't be located".
func TestOriginRSAKeyExchangeOnly(t *testing.T) {
	t.Parallel()
	expired := certstest.New(t, certstest.Spec{DNSNames: []string{"legacy.example.com"}, NotAfter: time.Now().Add(-2 * day), Algorithm: x509.SHA256WithRSA})
	tests := []struct {
		name   string
		server *tls.Config
	}{
		{"TLS_RSA_WITH_AES_128_CBC_SHA on TLS 1.2", &tls.Config{CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA}, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12}},
		{"TLS_RSA_WITH_3DES_EDE_CBC_SHA on TLS 1.0 only", &tls.Config{CipherSuites: []uint16{tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10}},
		{"TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA on TLS 1.1 only", &tls.Config{CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA}, MinVersion: tls.VersionTLS11, MaxVersion: tls.VersionTLS11}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.server.Clone()
			cfg.Certificates = []tls.Certificate{expired.TLS}
			var network origins
			network.add("legacy.example.com:443", serveTLSConfig(t, cfg))
			cf := oneDistribution(customOrigin("legacy", "legacy.example.com", cftypes.OriginProtocolPolicyHttpsOnly, 443))
			in, err := prober{dial: network.dial, timeout: 5 * time.Second}.collect(context.Background(), cf)
			if err != nil {
				t.Fatalf("collect: %v", err)
			}
			got := evaluate(cloudfrontdisttest.Target(time.Now()), in)
			if len(got) != 1 || got[0].Status != check.Red || !strings.Contains(got[0].Reason, "expired on") {
				t.Errorf("origin serving an expired RSA certificate with only %s: findings = %+v, want one red finding saying it expired", tt.name, got)
			}
		})
	}
}

// TestUnreachableOriginSaysSo: an origin the scanner cannot connect to (for
// example one whose security group admits only CloudFront's managed prefix
// list) is yellow, and the reason says the scanner could not connect and why
// that may be.
func TestUnreachableOriginSaysSo(t *testing.T) {
	t.Parallel()
	var network origins
	// A closed port: connection refused. unrouted.example.com is not on the
	// test network at all.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	closed := ln.Addr().String()
	ln.Close()
	network.add("closed.example.com:443", closed)
	cf := oneDistribution(
		customOrigin("closed", "closed.example.com", cftypes.OriginProtocolPolicyHttpsOnly, 443),
		customOrigin("unrouted", "unrouted.example.com", cftypes.OriginProtocolPolicyHttpsOnly, 443),
	)
	in, err := prober{dial: network.dial, timeout: time.Second}.collect(context.Background(), cf)
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	for _, f := range evaluate(cloudfrontdisttest.Target(time.Now()), in) {
		want := "could not connect to origin " + f.Columns["Origin"] + ":443 from the scanner: "
		if f.Status != check.Yellow || !strings.Contains(f.Reason, want) || !strings.Contains(f.Reason, "com.amazonaws.global.cloudfront.origin-facing") {
			t.Errorf("unreachable origin %s = %s %q, want yellow saying %q and naming the CloudFront prefix list", f.Columns["Origin"], f.Status, f.Reason, want)
		}
	}
}

func TestProbeConcurrencyIsBounded(t *testing.T) {
	t.Parallel()
	var open, peak atomic.Int32
	addr := listen(t, func(c net.Conn) { time.Sleep(200 * time.Millisecond) })
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		n := open.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			open.Add(-1)
			return nil, err
		}
		return closeHook{conn, func() { open.Add(-1) }}, nil
	}
	var items []cftypes.Origin
	for i := range 20 {
		items = append(items, customOrigin(fmt.Sprint("o", i), fmt.Sprintf("o%d.example.com", i), cftypes.OriginProtocolPolicyHttpsOnly, 443))
	}
	in, err := prober{dial: dial, timeout: 100 * time.Millisecond}.collect(context.Background(), oneDistribution(items...))
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	if len(in.Probes) != 20 {
		t.Errorf("probes = %d, want 20", len(in.Probes))
	}
	if got := peak.Load(); got > probeConcurrency {
		t.Errorf("peak open connections = %d, want at most %d", got, probeConcurrency)
	}
}

type closeHook struct {
	net.Conn
	onClose func()
}

func (c closeHook) Close() error {
	c.onClose()
	return c.Conn.Close()
}

// oneDistribution answers ListDistributions with one distribution whose
// summary carries origins, as AWS's does.
func oneDistribution(origins ...cftypes.Origin) *cloudfrontdisttest.Pages {
	return &cloudfrontdisttest.Pages{Summaries: []cftypes.DistributionSummary{summary("E1", origins...)}}
}

func summary(id string, origins ...cftypes.Origin) cftypes.DistributionSummary {
	return cftypes.DistributionSummary{Id: aws.String(id), DomainName: aws.String(id + ".cloudfront.net"),
		Origins: &cftypes.Origins{Quantity: aws.Int32(int32(len(origins))), Items: origins}}
}

// TestCollectReadsEveryPage: the one origin with an expired certificate
// belongs to the distribution on ListDistributions' second page; dropping
// that page loses the red finding.
func TestCollectReadsEveryPage(t *testing.T) {
	t.Parallel()
	scanTime := time.Now()
	var network origins
	network.add("old.example.com:443", serveTLS(t, certstest.New(t, certstest.Spec{CommonName: "old.example.com", NotAfter: scanTime.Add(-day)})))
	s3 := cftypes.Origin{Id: aws.String("assets"), DomainName: aws.String("assets.s3.us-east-1.amazonaws.com"), S3OriginConfig: &cftypes.S3OriginConfig{OriginAccessIdentity: aws.String("")}}
	cf := &cloudfrontdisttest.Pages{PageSize: 2, Summaries: []cftypes.DistributionSummary{
		summary("E1", s3), summary("E2", s3), summary("E3", customOrigin("old", "old.example.com", cftypes.OriginProtocolPolicyHttpsOnly, 443)),
	}}
	in, err := prober{dial: network.dial, timeout: 5 * time.Second}.collect(context.Background(), cf)
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	got := evaluate(cloudfrontdisttest.Target(scanTime), in)
	if len(got) != 1 || got[0].ResourceID != "E3/old" || got[0].Status != check.Red {
		t.Errorf("findings = %+v, want E3/old red (its distribution is on the second page)", got)
	}
}
