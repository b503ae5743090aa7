// Package emulator runs the local AWS emulator (moto server) that the tests
// and `make demo` scan, and patches the few places where the emulator answers
// differently from AWS (docs/development.md, "The emulator's known gaps"), so that the product code
// keeps the calls that are right against real AWS.
package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

// Binary is the emulator executable looked up on PATH.
const Binary = "moto_server"

// DefaultAccount is the account moto uses when a request names none.
const DefaultAccount = "123456789012"

// ErrMissing says the emulator is not installed: the tests and the demo need it.
var ErrMissing = errors.New(Binary + " not found on PATH: install moto with its server extras (pip install 'moto[server]==5.2.1'); the tests never skip without it")

// Server is a running emulator process.
type Server struct {
	// URL is the endpoint to give AWS clients, e.g. http://127.0.0.1:41234.
	URL string
	cmd *exec.Cmd
	log *bytes.Buffer
}

// Start launches the emulator on a free loopback port and waits until it
// answers. env adds "NAME=value" settings to the emulator's environment, e.g.
// "MOTO_IAM_LOAD_MANAGED_POLICIES=true"; they override the process's own.
// Stop it with Stop.
func Start(ctx context.Context, env ...string) (*Server, error) {
	path, err := exec.LookPath(Binary)
	if err != nil {
		return nil, ErrMissing
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("find a free port for %s: %w", Binary, err)
	}
	logBuf := &bytes.Buffer{}
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Env = append(os.Environ(),
		// Without this every region holds ~1,200 Amazon-owned snapshots.
		"MOTO_EC2_LOAD_DEFAULT_AMIS=false",
		// moto's own botocore otherwise looks for credentials at the EC2
		// instance metadata address (169.254.169.254): no network beyond
		// loopback.
		"AWS_EC2_METADATA_DISABLED=true",
	)
	// Later entries win: exec keeps the last value of a repeated name.
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout = logBuf
	cmd.Stderr = logBuf
	// Own process group, so Stop also ends the workers moto may start.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", Binary, err)
	}
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, log: logBuf}
	if err := s.waitReady(ctx, 60*time.Second); err != nil {
		s.Stop()
		return nil, fmt.Errorf("%w; emulator output:\n%s", err, logBuf.String())
	}
	// Lambda functions are created without Docker: their runtime never runs here.
	if err := s.Configure(ctx, `{"lambda":{"use_docker":false}}`); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/moto-api/", nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer on %s within %s", Binary, s.URL, limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Stop ends the emulator and its process group.
func (s *Server) Stop() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// Reset clears all emulator state.
func (s *Server) Reset(ctx context.Context) error {
	return s.post(ctx, "/moto-api/reset", "")
}

// Configure sets emulator options, e.g. `{"lambda":{"use_docker":false}}`.
func (s *Server) Configure(ctx context.Context, jsonBody string) error {
	return s.post(ctx, "/moto-api/config", jsonBody)
}

func (s *Server) post(ctx context.Context, path, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+path, bytes.NewBufferString(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("emulator %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("emulator %s: HTTP %d", path, resp.StatusCode)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
