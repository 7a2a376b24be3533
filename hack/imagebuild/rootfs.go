package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

// nonRoot is the user the image runs as, as in the distroless images.
const nonRoot = 65532

// Paths inside the image.
const (
	binDir     = "/usr/local/bin"
	caBundle   = "/etc/ssl/certs/ca-certificates.crt"
	homeDir    = "/home/nonroot"
	sbomDirIn  = "/usr/share/sbom"
	passwdFile = "/etc/passwd"
)

// fileEntry is one file or directory of a layer.
type fileEntry struct {
	name     string // absolute path in the image
	mode     int64  // permission bits (and sticky bit)
	uid, gid int
	dir      bool
	body     []byte
}

// baseFiles are the files of a distroless-like base: users and groups with
// the non-root user, name-service order for Go's resolver, a writable /tmp
// and home, and the host's CA bundle when it has one. There is no shell and
// no package manager.
func baseFiles(caFile string, warn io.Writer) ([]fileEntry, error) {
	files := []fileEntry{
		{name: "/etc", mode: 0o755, dir: true},
		{name: "/etc/group", mode: 0o644, body: []byte("root:x:0:\nnonroot:x:65532:\n")},
		{name: "/etc/nsswitch.conf", mode: 0o644, body: []byte("hosts: files dns\n")},
		{name: passwdFile, mode: 0o644, body: []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		{name: "/etc/ssl", mode: 0o755, dir: true},
		{name: "/etc/ssl/certs", mode: 0o755, dir: true},
		{name: "/home", mode: 0o755, dir: true},
		{name: homeDir, mode: 0o700, uid: nonRoot, gid: nonRoot, dir: true},
		{name: "/root", mode: 0o700, dir: true},
		{name: "/tmp", mode: 0o1777, dir: true},
	}
	ca, err := os.ReadFile(caFile)
	switch {
	case err == nil:
		files = append(files, fileEntry{name: caBundle, mode: 0o644, body: ca})
	case errors.Is(err, fs.ErrNotExist):
		fmt.Fprintf(warn, "imagebuild: warning: %s is missing; the image has no CA certificates (install Debian's ca-certificates)\n", caFile)
	default:
		return nil, fmt.Errorf("reading the CA bundle: %w", err)
	}
	return files, nil
}

// appFiles are the binary and its SBOM.
func appFiles(binary string, exe, sbom []byte) []fileEntry {
	return []fileEntry{
		{name: "/usr", mode: 0o755, dir: true},
		{name: "/usr/local", mode: 0o755, dir: true},
		{name: binDir, mode: 0o755, dir: true},
		{name: binDir + "/" + binary, mode: 0o755, body: exe},
		{name: "/usr/share", mode: 0o755, dir: true},
		{name: sbomDirIn, mode: 0o755, dir: true},
		{name: sbomPath(binary), mode: 0o644, body: sbom},
	}
}

// sbomPath is where the image keeps the SBOM of binary.
func sbomPath(binary string) string {
	return sbomDirIn + "/" + binary + ".spdx.json"
}

// tarLayer writes files, in the order given, as an uncompressed tar whose
// every header field is fixed: the same files give the same bytes.
func tarLayer(files []fileEntry, mtime time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		hdr := &tar.Header{
			Name: f.name[1:], Mode: f.mode, Uid: f.uid, Gid: f.gid,
			ModTime:  mtime,
			Typeflag: tar.TypeReg, Size: int64(len(f.body)),
		}
		if f.dir {
			hdr.Name, hdr.Typeflag, hdr.Size = hdr.Name+"/", tar.TypeDir, 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("layer entry %s: %w", f.name, err)
		}
		if _, err := tw.Write(f.body); err != nil {
			return nil, fmt.Errorf("layer entry %s: %w", f.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("closing the layer: %w", err)
	}
	return buf.Bytes(), nil
}
