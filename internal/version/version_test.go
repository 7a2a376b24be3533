package version

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	const rev = "0123456789abcdef0123456789abcdef01234567"
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	tests := []struct {
		name, stamped string
		info          *debug.BuildInfo
		want          string
	}{
		{"stamped wins", "v0.9.0-3-gabcdef0-dirty", &debug.BuildInfo{Main: debug.Module{Version: "v0.8.0"}, Settings: vcs("false")}, "v0.9.0-3-gabcdef0-dirty"},
		{"stamp is trimmed", " v0.9.0\n", nil, "v0.9.0"},
		{"go install module@version", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.9.0"}, Settings: vcs("false")}, "v0.9.0"},
		{"clean checkout", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("false")}, "0123456789ab"},
		{"modified checkout", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("true")}, "0123456789ab-dirty"},
		{"no VCS information", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, Dev},
		{"no build information", "", nil, Dev},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			read := func() (*debug.BuildInfo, bool) { return tc.info, tc.info != nil }
			if got := resolve(tc.stamped, read); got != tc.want {
				t.Errorf("resolve(%q) = %q, want %q", tc.stamped, got, tc.want)
			}
		})
	}
}

// TestLinkerStamp builds a program that prints String() with and without
// -ldflags -X Symbol=..., proving Symbol names the variable the linker sets.
func TestLinkerStamp(t *testing.T) {
	tests := []struct{ name, ldflags, want string }{
		{"stamped", "-X " + Symbol + "=v9.8.7-test", "v9.8.7-test"},
		{"not stamped", "", Dev},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), "printversion")
			build := exec.Command("go", "build", "-buildvcs=false", "-ldflags="+tc.ldflags, "-o", bin, "./testdata/printversion")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s", err, out)
			}
			out, err := exec.Command(bin).Output()
			if err != nil {
				t.Fatalf("%s: %v", bin, err)
			}
			if got := strings.TrimSpace(string(out)); got != tc.want {
				t.Errorf("printversion printed %q, want %q", got, tc.want)
			}
		})
	}
}

// TestBuildersStampSymbol checks that the Makefile (build, install) and the
// image builder stamp the variable Symbol names: renaming it without them
// would ship binaries that say "dev".
func TestBuildersStampSymbol(t *testing.T) {
	tests := []struct{ file, want string }{
		{"../../Makefile", "-X " + Symbol + "=$(VERSION)"},
		{"../../hack/imagebuild/main.go", `"` + Symbol + `"`},
	}
	for _, tc := range tests {
		data, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), tc.want) {
			t.Errorf("%s does not stamp %s (want %q in it)", tc.file, Symbol, tc.want)
		}
	}
}
