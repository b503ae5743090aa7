package lambdabuild

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/secadvisor/secadvisor"

func TestCatalogEntries(t *testing.T) {
	t.Parallel()
	const header = "package checks\n\nimport (\n\t\"example.com/check\"\n\t\"example.com/checks/alpha\"\n\tb \"example.com/checks/beta\"\n)\n\n"
	tests := []struct {
		name    string
		src     string
		want    []entry
		wantErr string // "" = no error
	}{
		{
			name: "entries in order, aliases kept",
			src:  header + "func All() []check.Check {\n\treturn []check.Check{\n\t\tb.Check,\n\t\talpha.Check,\n\t}\n}\n",
			want: []entry{{"b", "example.com/checks/beta"}, {"alpha", "example.com/checks/alpha"}},
		},
		{
			name:    "no All",
			src:     header + "func Some() []check.Check { return nil }\n",
			wantErr: "no func All()",
		},
		{
			name:    "an entry that is not a package's Check",
			src:     header + "func All() []check.Check {\n\treturn []check.Check{alpha.Other}\n}\n",
			wantErr: "not <imported package>.Check",
		},
		{
			name:    "an entry from a package not imported",
			src:     header + "func All() []check.Check {\n\treturn []check.Check{gamma.Check}\n}\n",
			wantErr: "not <imported package>.Check",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "all.go")
			if err := os.WriteFile(path, []byte(tt.src), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := catalogEntries(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("catalogEntries() error = %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("catalogEntries() error = %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("catalogEntries() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestEachBootstrapLinksOnlyWhatItRuns: a check's bootstrap links its own
// check's package (and that package's own subpackages) and no other; the
// orchestrator, the notifier, the digest and the Security Hub export link none (they read the
// catalog's metadata), nor the STS client; and none links development-only
// code (internal/dev: the emulator and its patches, the demo, the
// harnesses), nor the SDK's credential chain.
func TestEachBootstrapLinksOnlyWhatItRuns(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	fns, err := Generate(root)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	var pkgs []string
	for _, fn := range fns {
		pkgs = append(pkgs, fn.Package)
	}
	cmd := exec.Command("go", append([]string{"list", "-tags", "lambda.norpc", "-f", "{{.ImportPath}} {{join .Deps \" \"}}"}, pkgs...)...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(fns) {
		t.Fatalf("go list printed %d packages, want %d:\n%s", len(lines), len(fns), out)
	}
	for i, fn := range fns {
		deps := strings.Fields(lines[i])[1:]
		var linked []string
		for _, d := range deps {
			if strings.HasPrefix(d, module+"/internal/dev/") {
				t.Errorf("%s links %s; development-only code must stay out of the Lambda binaries", fn.Name, d)
			}
			// The functions read their credentials from the Lambda
			// environment (lambdastart); the SDK's credential chain would add
			// the SSO, sign-in and STS clients to every bootstrap.
			if d == "github.com/aws/aws-sdk-go-v2/config" {
				t.Errorf("%s links %s; the functions take their configuration from lambdastart", fn.Name, d)
			}
			// They apply stored suppression rules, never read a rules file.
			if d == "go.yaml.in/yaml/v3" {
				t.Errorf("%s links %s; only the CLI reads suppression files (internal/suppress/rulesfile)", fn.Name, d)
			}
			// Only the check functions enter member accounts; the
			// orchestrator has its own account from its environment. The STS
			// client would add about 450 KB to the others.
			if fn.CheckID == "" && d == "github.com/aws/aws-sdk-go-v2/service/sts" {
				t.Errorf("%s links %s; only the check functions assume roles (internal/org/member)", fn.Name, d)
			}
			if d == module+"/internal/checks" || strings.HasPrefix(d, module+"/internal/checks/") && !strings.HasPrefix(d, fn.CheckPackage+"/") {
				linked = append(linked, d)
			}
		}
		var want []string
		if fn.CheckID != "" {
			want = []string{fn.CheckPackage}
		}
		if !slices.Equal(linked, want) {
			t.Errorf("%s links the check packages %v, want %v", fn.Name, linked, want)
		}
	}
}

// TestFunctionsFolderHoldsTheOtherFunctions: every package in functions/ is a
// function that Generate builds (and the stack deploys), and the other way round.
func TestFunctionsFolderHoldsTheOtherFunctions(t *testing.T) {
	t.Parallel()
	entries, err := os.ReadDir(filepath.Join("..", "..", "functions"))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	if want := []string{Digest, Notifier, Orchestrator, SecurityHub}; !slices.Equal(dirs, want) {
		t.Errorf("functions/ holds %v, lambdabuild builds %v from it", dirs, want)
	}
}
