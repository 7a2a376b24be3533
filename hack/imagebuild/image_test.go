package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

const (
	testVersion = "v9.8.7-imagetest"
	testEpoch   = 1767225600 // 2026-01-01T00:00:00Z
)

// buildTestImage runs the builder as `make image` does, into a new
// directory, and returns that directory.
func buildTestImage(t *testing.T) string {
	t.Helper()
	out := t.TempDir()
	o, err := parseFlags([]string{"-C", "../..", "-out", out, "-version", testVersion,
		"-source-date-epoch", "1767225600"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	if err := run(context.Background(), o, &stdout); err != nil {
		t.Fatalf("building the image: %v", err)
	}
	t.Logf("build output:\n%s", stdout.String())
	return out
}

// TestImage builds fledge-controller's image for linux/amd64 and
// linux/arm64 twice, checks that both builds wrote the same bytes, and
// checks the image of the host's architecture: its config, its files, its
// SBOM, and that its entrypoint prints the stamped version.
func TestImage(t *testing.T) {
	first, second := buildTestImage(t), buildTestImage(t)
	for _, file := range []string{"fledge-controller-oci.tar", "fledge-controller-linux-amd64.tar", "fledge-controller-linux-arm64.tar"} {
		a, b := fileSum(t, filepath.Join(first, file)), fileSum(t, filepath.Join(second, file))
		if a != b {
			t.Errorf("%s differs between two builds of the same commit: sha256 %x and %x", file, a, b)
		}
	}
	images := imagesByPlatform(t, filepath.Join(first, "image", "fledge-controller"))
	img, ok := images["linux/"+runtime.GOARCH]
	if !ok {
		t.Fatalf("no image for the host's linux/%s among %d", runtime.GOARCH, len(images))
	}
	checkConfig(t, img)
	root := unpack(t, img)
	checkEntrypoint(t, root)
	checkSBOM(t, root)
	checkDockerArchive(t, filepath.Join(first, "fledge-controller-linux-"+runtime.GOARCH+".tar"), img)
}

// checkDockerArchive checks the docker-archive tar holds the same config
// and layers as the OCI image (its manifest, with Docker's media types,
// is another).
func checkDockerArchive(t *testing.T, file string, want v1.Image) {
	t.Helper()
	img, err := tarball.ImageFromPath(file, nil)
	if err != nil {
		t.Fatalf("reading the docker-archive tar: %v", err)
	}
	a, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	b, err := want.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("the docker-archive tar's config is %s, the OCI image's %s", a, b)
	}
	la, lb := layerDigests(t, img), layerDigests(t, want)
	if strings.Join(la, " ") != strings.Join(lb, " ") {
		t.Errorf("the docker-archive tar's layers are %v, the OCI image's %v", la, lb)
	}
}

func layerDigests(t *testing.T, img v1.Image) []string {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d.String())
	}
	return out
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(data)
}

// imagesByPlatform reads the layout: one entry, the index, of one image
// per platform (linux/amd64 and linux/arm64).
func imagesByPlatform(t *testing.T, dir string) map[string]v1.Image {
	t.Helper()
	lp, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatalf("reading the OCI layout: %v", err)
	}
	top, err := lp.IndexManifest()
	if err != nil || len(top.Manifests) != 1 || !top.Manifests[0].MediaType.IsIndex() {
		t.Fatalf("index.json: want one image index, got %+v (%v)", top, err)
	}
	if got := top.Manifests[0].Annotations["org.opencontainers.image.ref.name"]; got != testVersion {
		t.Errorf("index.json ref.name = %q, want %q", got, testVersion)
	}
	idx, err := lp.ImageIndex(top.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	images := map[string]v1.Image{}
	for _, desc := range m.Manifests {
		img, err := idx.Image(desc.Digest)
		if err != nil {
			t.Fatal(err)
		}
		images[desc.Platform.String()] = img
	}
	if len(images) != 2 || images["linux/amd64"] == nil || images["linux/arm64"] == nil {
		t.Errorf("the index holds %d images, want linux/amd64 and linux/arm64", len(images))
	}
	return images
}

// checkConfig checks the user, entrypoint, labels, platform and times.
func checkConfig(t *testing.T, img v1.Image) {
	t.Helper()
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Config
	if c.User != "65532:65532" || strings.Join(c.Entrypoint, " ") != "/usr/local/bin/fledge-controller" {
		t.Errorf("config: user %q, entrypoint %q; want 65532:65532 and /usr/local/bin/fledge-controller", c.User, c.Entrypoint)
	}
	if cfg.OS != "linux" || cfg.Architecture != runtime.GOARCH {
		t.Errorf("config platform %s/%s, want linux/%s", cfg.OS, cfg.Architecture, runtime.GOARCH)
	}
	want := map[string]string{
		"org.opencontainers.image.source":   "https://github.com/fledge-canary/fledge",
		"org.opencontainers.image.revision": gitHead(t),
		"org.opencontainers.image.version":  testVersion,
		"org.opencontainers.image.created":  "2026-01-01T00:00:00Z",
	}
	for k, v := range want {
		if c.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, c.Labels[k], v)
		}
	}
	if !cfg.Created.Equal(time.Unix(testEpoch, 0)) {
		t.Errorf("created %s, want the source date epoch", cfg.Created.Time)
	}
	for _, h := range cfg.History {
		if !h.Created.Equal(time.Unix(testEpoch, 0)) {
			t.Errorf("history %q created %s, want the source date epoch", h.Comment, h.Created.Time)
		}
	}
}

func gitHead(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "-C", "../..", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// unpack writes the image's flattened file system into a new directory,
// checking every entry on the way: times, no shell, owners.
func unpack(t *testing.T, img v1.Image) string {
	t.Helper()
	root := t.TempDir()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	seen := map[string]*tar.Header{}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("reading the image's files: %v", err)
		}
		seen[strings.TrimSuffix(hdr.Name, "/")] = hdr
		if !hdr.ModTime.Equal(time.Unix(testEpoch, 0)) {
			t.Errorf("%s: mtime %s, want the source date epoch", hdr.Name, hdr.ModTime)
		}
		writeEntry(t, root, hdr, tr)
	}
	checkFiles(t, root, seen)
	return root
}

func writeEntry(t *testing.T, root string, hdr *tar.Header, r io.Reader) {
	t.Helper()
	path := filepath.Join(root, filepath.FromSlash(hdr.Name))
	switch hdr.Typeflag {
	case tar.TypeDir:
		if err := os.MkdirAll(path, 0o755); err != nil {
			t.Fatal(err)
		}
	case tar.TypeReg:
		data, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, os.FileMode(hdr.Mode).Perm()|0o600); err != nil {
			t.Fatal(err)
		}
	default:
		t.Errorf("%s: unexpected entry type %q (links and devices have no place in this image)", hdr.Name, hdr.Typeflag)
	}
}

// checkFiles checks what the image holds and what it must not.
func checkFiles(t *testing.T, root string, seen map[string]*tar.Header) {
	t.Helper()
	for _, shell := range []string{"bin/sh", "bin/bash", "bin/busybox", "usr/bin/sh"} {
		if seen[shell] != nil {
			t.Errorf("the image has a shell: /%s", shell)
		}
	}
	for _, name := range []string{"usr/local/bin/fledge-controller", "etc/passwd", "etc/group", "tmp", "home/nonroot"} {
		if seen[name] == nil {
			t.Errorf("the image lacks /%s", name)
		}
	}
	if h := seen["home/nonroot"]; h != nil && (h.Uid != nonRoot || h.Gid != nonRoot) {
		t.Errorf("/home/nonroot owned by %d:%d, want 65532:65532", h.Uid, h.Gid)
	}
	if h := seen["usr/local/bin/fledge-controller"]; h != nil && (h.Uid != 0 || h.Mode != 0o755) {
		t.Errorf("the binary: owner %d mode %o, want root's and 755 (not writable by the user)", h.Uid, h.Mode)
	}
	if _, err := os.Stat("/etc/ssl/certs/ca-certificates.crt"); err == nil && seen["etc/ssl/certs/ca-certificates.crt"] == nil {
		t.Error("the host has a CA bundle but the image does not")
	}
	passwd, err := os.ReadFile(filepath.Join(root, "etc", "passwd"))
	if err != nil || !strings.Contains(string(passwd), "nonroot:x:65532:65532:") {
		t.Errorf("/etc/passwd lacks the user 65532: %q (%v)", passwd, err)
	}
}

// checkEntrypoint checks the binary is static and prints the stamped
// version with -version.
func checkEntrypoint(t *testing.T, root string) {
	t.Helper()
	bin := filepath.Join(root, "usr", "local", "bin", "fledge-controller")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("the entrypoint is not an ELF binary: %v", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary is dynamically linked (has an ELF interpreter); want CGO_ENABLED=0")
		}
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "-version")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("fledge-controller -version: %v\n%s", err, stderr.String())
	}
	if stdout.String() != testVersion+"\n" {
		t.Errorf("fledge-controller -version printed %q, want %q", stdout.String(), testVersion+"\n")
	}
}

// checkSBOM checks the SPDX document names the binary's module at the
// stamped version, the Go release and the modules linked in.
func checkSBOM(t *testing.T, root string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "usr", "share", "sbom", "fledge-controller.spdx.json"))
	if err != nil {
		t.Fatalf("no SBOM: %v", err)
	}
	var doc spdxDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("the SBOM is not JSON: %v", err)
	}
	if doc.SPDXVersion != "SPDX-2.3" || doc.CreationInfo.Created != "2026-01-01T00:00:00Z" {
		t.Errorf("SBOM: %s created %s; want SPDX-2.3 created at the source date epoch", doc.SPDXVersion, doc.CreationInfo.Created)
	}
	versions := map[string]string{}
	for _, p := range doc.Packages {
		versions[p.Name] = p.VersionInfo
	}
	if versions["github.com/fledge-canary/fledge"] != testVersion || versions["stdlib"] != runtime.Version() {
		t.Errorf("SBOM: fledge %q and stdlib %q; want %s and %s", versions["github.com/fledge-canary/fledge"], versions["stdlib"], testVersion, runtime.Version())
	}
	for _, dep := range []string{"k8s.io/client-go", "sigs.k8s.io/controller-runtime"} {
		if versions[dep] == "" {
			t.Errorf("SBOM lacks %s", dep)
		}
	}
}
