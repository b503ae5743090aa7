package lambdastart

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/secadvisor/secadvisor/internal/awsx"
)

func TestConfigFromTheLambdaEnvironment(t *testing.T) {
	t.Parallel()
	lambdaEnv := map[string]string{
		"AWS_ACCESS_KEY_ID":     "ASIAEXAMPLE",
		"AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_SESSION_TOKEN":     "token",
		"AWS_REGION":            "eu-west-1",
	}
	with := func(changes map[string]string) func(string) string {
		env := map[string]string{}
		for k, v := range lambdaEnv {
			env[k] = v
		}
		for k, v := range changes {
			env[k] = v
		}
		return func(k string) string { return env[k] }
	}
	tests := []struct {
		name         string
		getenv       func(string) string
		wantErr      string // "" = no error
		wantEndpoint string
		wantToken    string
	}{
		{name: "lambda environment", getenv: with(nil), wantToken: "token"},
		{name: "endpoint override", getenv: with(map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}), wantEndpoint: "http://127.0.0.1:5000", wantToken: "token"},
		{name: "long-term keys have no session token", getenv: with(map[string]string{"AWS_SESSION_TOKEN": ""})},
		{name: "no region", getenv: with(map[string]string{"AWS_REGION": ""}), wantErr: "AWS_REGION not set"},
		{name: "no credentials", getenv: with(map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}), wantErr: "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY not set"},
		{name: "empty environment", getenv: func(string) string { return "" }, wantErr: "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Config(tt.getenv)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Config() error = %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Config() error = %v, want nil", err)
			}
			creds, err := cfg.Credentials.Retrieve(context.Background())
			if err != nil {
				t.Fatalf("credentials: %v", err)
			}
			if creds.AccessKeyID != "ASIAEXAMPLE" || creds.SecretAccessKey != "secret" || creds.SessionToken != tt.wantToken {
				t.Errorf("credentials = %s/%s/%q, want ASIAEXAMPLE/secret/%q", creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken, tt.wantToken)
			}
			if cfg.Region != "eu-west-1" {
				t.Errorf("region = %q, want eu-west-1", cfg.Region)
			}
			if got := aws.ToString(cfg.BaseEndpoint); got != tt.wantEndpoint {
				t.Errorf("endpoint = %q, want %q", got, tt.wantEndpoint)
			}
			if cfg.Retryer == nil || cfg.Retryer().MaxAttempts() != awsx.MaxAttempts {
				t.Errorf("retryer is not awsx's (%d attempts)", awsx.MaxAttempts)
			}
			if cfg.HTTPClient == nil {
				t.Error("no HTTP client, want awsx's with timeouts")
			}
		})
	}
}
