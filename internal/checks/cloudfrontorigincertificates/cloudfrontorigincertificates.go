// Package cloudfrontorigincertificates checks the SSL certificates served by
// the origins of CloudFront distributions. When an origin certificate is
// expired, missing or unreachable, CloudFront answers viewers with 502 errors.
//
// The check does what CloudFront does: it opens a TLS connection to each
// custom origin CloudFront reaches over HTTPS, with the origin's domain name
// as SNI, on the origin's HTTPS port, offering every protocol version from
// TLS 1.0 and every cipher suite Go implements, and reads the certificate the
// origin presents. Like Trusted Advisor, it does not validate the chain or
// the issuer. These outbound connections are not AWS API calls: no IAM action
// covers them, and a Lambda running the check needs a route to the internet.
package cloudfrontorigincertificates

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/cloudfrontdist"
	"github.com/secadvisor/secadvisor/internal/spec"
)

// expiresSoon is the spec's "expires in the next thirty days".
const expiresSoon = 30 * 24 * time.Hour

// Meta describes the check: its name, description, criteria,
// recommended action and columns are the specification's (spec.Meta).
var Meta = spec.Meta("N430c450f2", check.Meta{
	Slug:       "cloudfront-origin-certificates",
	IAMActions: []string{"cloudfront:ListDistributions"},
	Scope:      check.Global,
	BeyondSpec: "Makes outbound TLS connections (port from the origin's HTTPSPort, SNI = origin domain name, 5 s timeout, 8 at a time) to every custom origin CloudFront reaches over HTTPS (https-only or match-viewer); no IAM action covers them, and a Lambda needs internet access. " +
		"The handshake offers TLS 1.0 to 1.3 and every cipher suite Go implements, RSA key exchange and 3DES included, as CloudFront does towards origins: the probe only reads the certificate and sends no data. " +
		"An origin that answers on its HTTPS port without TLS is red (no certificate); one that cannot be reached is yellow, and the reason says that origins admitting only CloudFront's managed prefix list cannot be probed from outside. " +
		"S3 and VPC origins are skipped; one TLS connection per origin host and port, however many distributions share it.",
	// Triggers: creating, copying, updating or deleting a distribution can
	// add, change or remove an HTTPS custom origin; a certificate replaced or
	// expiring on the origin server has no AWS event, so it waits for the
	// schedule.
	Triggers: []check.Trigger{cloudfrontdist.DistributionTrigger},
})

// Check is the catalog entry: it probes origins over the network.
var Check = check.New(Meta, prober{dial: (&net.Dialer{}).DialContext, timeout: probeTimeout}.collectFrom, evaluate)

// API is the part of the CloudFront client the check calls.
type API = cloudfrontdist.API

var _ API = (*cloudfront.Client)(nil)

// Probing limits: one dead origin costs at most probeTimeout, and no more
// than probeConcurrency connections are open at once.
const (
	probeTimeout     = 5 * time.Second
	probeConcurrency = 8
)

// DialFunc opens a TCP connection, like net.Dialer.DialContext.
type DialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// prober probes origins through dial, each connection bounded by timeout:
// tests give it a dial that serves certificates from local listeners.
type prober struct {
	dial    DialFunc
	timeout time.Duration
}

// collectFrom collects with a CloudFront client made from the target's
// configuration.
func (p prober) collectFrom(ctx context.Context, target check.Target) (Input, error) {
	return p.collect(ctx, cloudfront.NewFromConfig(target.Config))
}

// Origin is one custom origin CloudFront reaches over HTTPS.
type Origin struct {
	DistributionID     string
	DistributionDomain string
	ID                 string
	DomainName         string
	HTTPSPort          int32
}

// Address is where the origin is probed.
func (o Origin) Address() string {
	return net.JoinHostPort(o.DomainName, strconv.Itoa(int(o.HTTPSPort)))
}

// Probe is what a TLS connection to an origin showed.
type Probe struct {
	// Cert is the leaf certificate the origin presented.
	Cert *x509.Certificate
	// NoTLS is set when the origin answered, but not with TLS: there is no
	// certificate on its HTTPS port.
	NoTLS bool
	// Unreachable is set when no TCP connection could be opened (refused,
	// reset, timed out): the origin may admit only CloudFront.
	Unreachable bool
	// Err is why no certificate was read.
	Err error
}

// Input is what the check evaluates.
type Input struct {
	Origins []Origin
	// Probes holds one result per origin address.
	Probes map[string]Probe
}

// collect lists the distributions' HTTPS custom origins and probes each
// distinct address once.
func (p prober) collect(ctx context.Context, api API) (Input, error) {
	in := Input{Probes: map[string]Probe{}}
	summaries, err := cloudfrontdist.List(ctx, api)
	if err != nil {
		return Input{}, err
	}
	for _, s := range summaries {
		in.Origins = append(in.Origins, httpsOrigins(aws.ToString(s.Id), aws.ToString(s.DomainName), s.Origins)...)
	}
	addresses := map[string]Origin{}
	for _, o := range in.Origins {
		addresses[o.Address()] = o
	}
	distinct := slices.Collect(maps.Values(addresses))
	probes := make([]Probe, len(distinct))
	check.Parallel(len(distinct), probeConcurrency, func(i int) {
		probes[i] = probe(ctx, p.dial, p.timeout, distinct[i].DomainName, distinct[i].Address())
	})
	for i, o := range distinct {
		in.Probes[o.Address()] = probes[i]
	}
	return in, nil
}

// httpsOrigins returns the custom origins CloudFront reaches over HTTPS:
// https-only always, match-viewer too — every viewer protocol policy
// (allow-all, redirect-to-https, https-only) admits HTTPS viewers. S3
// origins (S3OriginConfig) and VPC origins (private, out of reach of the
// scanner) have no CustomOriginConfig and are skipped.
func httpsOrigins(distID, distDomain string, origins *cftypes.Origins) []Origin {
	if origins == nil {
		return nil
	}
	var out []Origin
	for _, o := range origins.Items {
		c := o.CustomOriginConfig
		if c == nil || o.S3OriginConfig != nil {
			continue
		}
		if c.OriginProtocolPolicy != cftypes.OriginProtocolPolicyHttpsOnly && c.OriginProtocolPolicy != cftypes.OriginProtocolPolicyMatchViewer {
			continue
		}
		port := aws.ToInt32(c.HTTPSPort)
		if port == 0 {
			port = 443
		}
		out = append(out, Origin{DistributionID: distID, DistributionDomain: distDomain, ID: aws.ToString(o.Id), DomainName: aws.ToString(o.DomainName), HTTPSPort: port})
	}
	return out
}

// probeCipherSuites are every TLS 1.0–1.2 cipher suite Go implements, the
// insecure ones included. Since Go 1.22 and 1.23 the defaults leave out RSA
// key exchange and 3DES (GODEBUG tlsrsakex, tls3des), so an origin that
// speaks only those would fail the handshake and its certificate would go
// unread; CloudFront still offers them to origins. Listing the suites in
// Config.CipherSuites is what re-enables them for a client. Offering weak
// suites costs nothing here: the probe reads the certificate and sends no
// data. (TLS 1.3 suites are not configurable and always offered.)
var probeCipherSuites = func() []uint16 {
	var ids []uint16
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		ids = append(ids, s.ID)
	}
	return ids
}()

// probe connects to addr and reads the certificate presented for host. The
// chain is deliberately not verified (InsecureSkipVerify): the check judges
// the leaf's dates and signature, as the specification says.
func probe(ctx context.Context, dial DialFunc, timeout time.Duration, host, addr string) Probe {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := dial(ctx, "tcp", addr)
	if err != nil {
		return Probe{Unreachable: true, Err: err}
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	client := tls.Client(conn, &tls.Config{
		ServerName:         host,
		InsecureSkipVerify: true, // reading the leaf only; no data is exchanged
		// CloudFront still talks TLS 1.0 and 1.1 to origins that allow only those.
		MinVersion:   tls.VersionTLS10,
		CipherSuites: probeCipherSuites,
	})
	if err := client.HandshakeContext(ctx); err != nil {
		var notTLS tls.RecordHeaderError
		if errors.As(err, &notTLS) {
			return Probe{NoTLS: true, Err: err}
		}
		return Probe{Err: fmt.Errorf("TLS handshake: %w", err)}
	}
	state := client.ConnectionState()
	if len(state.PeerCertificates) == 0 {
		return Probe{Err: errors.New("the origin presented no certificate")}
	}
	return Probe{Cert: state.PeerCertificates[0]}
}

// evaluate reports each HTTPS custom origin: red when its certificate has
// expired or it answers without TLS, yellow when the certificate expires in
// 30 days or less, is signed with SHA-1, or the origin cannot be reached
// (the spec's "can't be located"), green otherwise, as of the scan's time.
func evaluate(target check.Target, in Input) []check.Finding {
	origins := append([]Origin(nil), in.Origins...)
	sort.SliceStable(origins, func(i, j int) bool { return origins[i].DistributionID < origins[j].DistributionID })
	findings := make([]check.Finding, 0, len(origins))
	for _, o := range origins {
		status, reason := judge(in.Probes[o.Address()], o, target.ScanTime)
		f := Meta.NewFinding(target, o.DistributionID+"/"+o.ID, status, reason, nil)
		findings = append(findings, cloudfrontdist.Describe(f, o.DistributionID, o.DistributionDomain, "Origin", originName(o)))
	}
	return findings
}

func judge(p Probe, o Origin, now time.Time) (check.Status, string) {
	switch {
	case p.NoTLS:
		return check.Red, fmt.Sprintf("The origin answers on port %d without TLS: it has no SSL certificate.", o.HTTPSPort)
	case p.Unreachable:
		return check.Yellow, fmt.Sprintf("The SSL certificate on the origin can't be located: could not connect to origin %s from the scanner: %v; "+
			"origins that only admit CloudFront (managed prefix list com.amazonaws.global.cloudfront.origin-facing) cannot be probed from outside.", o.Address(), p.Err)
	case p.Cert == nil:
		reason := "The SSL certificate on the origin can't be located"
		if p.Err != nil {
			reason += ": " + p.Err.Error()
		}
		return check.Yellow, reason + "."
	}
	status, problems := cloudfrontdist.JudgeCertificate(p.Cert, now, expiresSoon)
	if len(problems) == 0 {
		return check.Green, "The origin's certificate is valid for more than 30 days and not signed with SHA-1."
	}
	return status, "Origin certificate for " + o.DomainName + ": " + strings.Join(problems, " ")
}

func originName(o Origin) string {
	if o.HTTPSPort == 443 {
		return o.DomainName
	}
	return o.Address()
}
