// Package version holds the one version string of Fledge's binaries
// (fledge, fledge-controller and the images built from them).
//
// The Makefile stamps it at build time from `git describe --tags --always
// --dirty`:
//
//	go build -ldflags "-X github.com/fledge-canary/fledge/internal/version.stamp=v0.9.0" ./cmd/fledge
//
// A binary built without the stamp reports what the Go toolchain recorded
// instead: the module version of `go install ...@v0.9.0`, else the VCS
// revision (12 hex digits, "-dirty" when the tree had changes), else "dev".
package version
