package cli

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// silentListener accepts connections and never answers, like an endpoint
// behind a black-holing proxy. It closes when the test ends.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// stsOnlyServer answers sts GetCallerIdentity (the documented Query-protocol
// response) and holds every other call until the caller gives up: discovery
// succeeds and every job hangs.
func stsOnlyServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), "Action=GetCallerIdentity") {
			w.Header().Set("Content-Type", "text/xml")
			io.WriteString(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
				`<Arn>arn:aws:iam::111122223333:user/auditor</Arn><UserId>AIDAEXAMPLE</UserId><Account>111122223333</Account>`+
				`</GetCallerIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
			return
		}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestScanAgainstEndpointThatNeverAnswers: discovery is bounded by
// --job-timeout, so a scan against an endpoint that accepts connections and
// never answers ends fast with a clear message and exit 2, with or without
// --regions.
func TestScanAgainstEndpointThatNeverAnswers(t *testing.T) {
	t.Parallel()
	url := silentListener(t)
	for _, args := range [][]string{
		{"scan", "--endpoint-url", url, "--emulator", "--regions", "us-east-1", "--job-timeout", "1s"},
		{"scan", "--endpoint-url", url, "--emulator", "--job-timeout", "1s"},
	} {
		start := time.Now()
		code, stdout, stderr := run(t, args...)
		if took := time.Since(start); took > 15*time.Second {
			t.Errorf("secadvisor %q took %s, want it bounded by --job-timeout", args, took)
		}
		if code != ExitUsage || !strings.Contains(stderr, "cannot reach AWS") || !strings.Contains(stderr, "no answer within 1s") {
			t.Errorf("secadvisor %q exit = %d, stderr %q; want %d and a message naming the time limit", args, code, stderr, ExitUsage)
		}
		if stdout != "" {
			t.Errorf("secadvisor %q printed a report:\n%s", args, stdout)
		}
	}
}

// TestScanTimeout: --timeout bounds the whole scan; jobs cut short are error
// findings (never green) and the scan fails.
func TestScanTimeout(t *testing.T) {
	t.Parallel()
	url := stsOnlyServer(t)
	start := time.Now()
	code, stdout, stderr := run(t, "scan", "--endpoint-url", url, "--emulator", "--regions", "us-east-1",
		"--checks", "ebs-public-snapshots,iam-password-policy", "--timeout", "1s", "--format", "json")
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("scan with --timeout 1s took %s", took)
	}
	if code != ExitFindings {
		t.Errorf("exit = %d, want %d; stderr:\n%s", code, ExitFindings, stderr)
	}
	if strings.Contains(stdout, `"status": "green"`) || strings.Count(stdout, `"status": "error"`) < 2 {
		t.Errorf("want every job an error finding after the timeout, got:\n%s", stdout)
	}
}

// TestScanInterrupted: a signal stops the scan within a second; nothing that
// looks like a finished report is printed, stderr says "interrupted", and the
// exit code is 130 for SIGINT and 143 for SIGTERM.
func TestScanInterrupted(t *testing.T) {
	t.Parallel()
	url := stsOnlyServer(t)
	for _, tt := range []struct {
		signal syscall.Signal
		want   int
	}{{syscall.SIGINT, ExitInterrupted}, {syscall.SIGTERM, ExitTerminated}} {
		ctx, cancel := context.WithCancelCause(context.Background())
		var sent time.Time
		timer := time.AfterFunc(300*time.Millisecond, func() {
			sent = time.Now()
			cancel(&Interrupt{Signal: tt.signal})
		})
		var out, errOut strings.Builder
		code := Main(ctx, []string{"scan", "--endpoint-url", url, "--emulator", "--regions", "us-east-1,eu-west-1"}, Env{Stdout: &out, Stderr: &errOut})
		stopped := time.Now()
		timer.Stop()
		cancel(nil)
		if sent.IsZero() {
			t.Fatalf("%s: the scan ended before the signal (exit %d): %s", tt.signal, code, errOut.String())
		}
		if took := stopped.Sub(sent); took > time.Second {
			t.Errorf("%s: stopped %s after the signal, want within a second", tt.signal, took)
		}
		if code != tt.want {
			t.Errorf("%s: exit = %d, want %d", tt.signal, code, tt.want)
		}
		if out.Len() != 0 {
			t.Errorf("%s: printed a report after the interrupt:\n%s", tt.signal, out.String())
		}
		if !strings.Contains(errOut.String(), "interrupted") {
			t.Errorf("%s: stderr %q does not say interrupted", tt.signal, errOut.String())
		}
	}
}

// failingWriter fails every write, like a full disk or a closed pipe.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// TestWriteFailuresExitNonZero: a report or listing that could not be
// written is an error with a message, never exit 0 with nothing written.
func TestWriteFailuresExitNonZero(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"checks"}, {"checks", "--iam-policy"}, {"version"}} {
		var stderr strings.Builder
		code := Main(context.Background(), args, Env{Stdout: failingWriter{}, Stderr: &stderr})
		if code == ExitOK || !strings.Contains(stderr.String(), "no space left on device") {
			t.Errorf("secadvisor %q to a full disk: exit %d, stderr %q; want non-zero and the error", args, code, stderr.String())
		}
	}
	url := stsOnlyServer(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--output", "/dev/full"}, "no space left on device"},
		{[]string{"--output", filepath.Join(t.TempDir(), "missing", "report.json")}, "--output: cannot write"},
	} {
		args := append([]string{"scan", "--endpoint-url", url, "--emulator", "--regions", "us-east-1", "--checks", "iam-password-policy", "--timeout", "2s", "--fail-on", "never"}, tt.args...)
		code, _, stderr := run(t, args...)
		if code != ExitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("secadvisor %q: exit %d, stderr %q; want %d and %q", args, code, stderr, ExitUsage, tt.want)
		}
	}
}

// TestSubcommandHelp: -h prints what the command does, examples and the
// flags with their argument names on stdout, and exits 0.
func TestSubcommandHelp(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ command, want string }{
		{"scan", "-regions regions"},
		{"findings", "-table table"},
		{"checks", "-iam-policy"},
		{"demo", "-format format"},
	} {
		code, stdout, _ := run(t, tt.command, "-h")
		if code != ExitOK || !strings.Contains(stdout, "Examples:") || !strings.Contains(stdout, tt.want) {
			t.Errorf("secadvisor %s -h: exit %d, stdout:\n%s\nwant exit 0, examples and %q", tt.command, code, stdout, tt.want)
		}
	}
	code, _, stderr := run(t, "scan", "--no-such-flag")
	if code != ExitUsage || !strings.Contains(stderr, "no-such-flag") {
		t.Errorf("scan --no-such-flag: exit %d, stderr %q", code, stderr)
	}
}
