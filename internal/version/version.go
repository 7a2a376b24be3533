package version

import (
	"runtime/debug"
	"strings"
)

// Symbol is the linker symbol that -ldflags "-X Symbol=VERSION" sets.
const Symbol = "github.com/fledge-canary/fledge/internal/version.stamp"

// Dev is the version of a binary that carries no version at all.
const Dev = "dev"

// stamp is set by the linker (see Symbol); empty when not stamped.
var stamp string

// String returns the binary's version: the stamped one, or the best the
// build information gives (see the package comment).
func String() string {
	return resolve(stamp, debug.ReadBuildInfo)
}

// resolve picks the version from the stamp, then from the build
// information that read returns.
func resolve(stamped string, read func() (*debug.BuildInfo, bool)) string {
	if stamped = strings.TrimSpace(stamped); stamped != "" {
		return stamped
	}
	info, ok := read()
	if !ok || info == nil {
		return Dev
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	return fromVCS(info.Settings)
}

// fromVCS returns the short VCS revision the toolchain recorded, with
// "-dirty" for a modified tree, or Dev when there is none.
func fromVCS(settings []debug.BuildSetting) string {
	var revision, modified string
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if revision == "" {
		return Dev
	}
	if len(revision) > 12 {
		revision = revision[:12]
	}
	if modified == "true" {
		revision += "-dirty"
	}
	return revision
}
