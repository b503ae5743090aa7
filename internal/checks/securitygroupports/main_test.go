package securitygroupports

import (
	"os"
	"testing"

	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
)

// TestMain starts the package's emulator (emutest.Main) around its tests.
func TestMain(m *testing.M) { os.Exit(emutest.Main(m)) }
