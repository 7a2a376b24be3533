package main

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// run builds the images and writes the layout and tars under o.out, then
// prints the digests and files to stdout.
func run(ctx context.Context, o *options, stdout io.Writer) error {
	info, err := resolveSource(ctx, o)
	if err != nil {
		return err
	}
	root, err := filepath.Abs(o.repoRoot)
	if err != nil {
		return fmt.Errorf("-C %s: %w", o.repoRoot, err)
	}
	o.repoRoot = root
	out := o.out
	if !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	images, err := buildImages(ctx, o, info, filepath.Join(out, "image", "build", o.binary), os.Stderr)
	if err != nil {
		return err
	}
	idx := index(o, info, images)
	ref, err := name.NewTag(o.repository + ":" + tagFor(info.version))
	if err != nil {
		return fmt.Errorf("-repository=%s: %w", o.repository, err)
	}
	layoutDir := filepath.Join(out, "image", o.binary)
	if err := writeLayout(layoutDir, ref, idx); err != nil {
		return err
	}
	ociTar := filepath.Join(out, o.binary+"-oci.tar")
	if err := tarDir(layoutDir, ociTar, info.created); err != nil {
		return err
	}
	digest, err := idx.Digest()
	if err != nil {
		return fmt.Errorf("index digest: %w", err)
	}
	fmt.Fprintf(stdout, "%s %s@%s (%s, %s)\n", ociTar, ref, digest, layoutDir, info.version)
	for _, pi := range images {
		file := filepath.Join(out, fmt.Sprintf("%s-%s-%s.tar", o.binary, pi.platform.OS, pi.platform.Architecture))
		if err := tarball.WriteToFile(file, ref, pi.image); err != nil {
			return fmt.Errorf("writing %s: %w", file, err)
		}
		d, err := pi.image.Digest()
		if err != nil {
			return fmt.Errorf("image digest: %w", err)
		}
		fmt.Fprintf(stdout, "%s %s@%s (%s)\n", file, ref, d, pi.platform.String())
	}
	return nil
}

// writeLayout replaces dir with an OCI image layout whose index.json names
// one entry, the multi-platform index, so that `crane push DIR REF` pushes
// it whole.
func writeLayout(dir string, ref name.Tag, idx v1.ImageIndex) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing the old layout: %w", err)
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return fmt.Errorf("writing the layout %s: %w", dir, err)
	}
	err = p.AppendIndex(idx, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": ref.TagStr(),
		"io.containerd.image.name":          ref.String(),
	}))
	if err != nil {
		return fmt.Errorf("writing the layout %s: %w", dir, err)
	}
	return nil
}

// tarDir writes the files under dir into the tar file dst in name order,
// each with mtime, owner root and mode 0644 (0755 for directories), so the
// same files give the same bytes.
func tarDir(dir, dst string, mtime time.Time) (err error) {
	var names []string
	err = filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err == nil && path != dir {
			names = append(names, path)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("listing %s: %w", dir, err)
	}
	sort.Strings(names)
	f, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("creating %s: %w", dst, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("closing %s: %w", dst, cerr)
		}
	}()
	tw := tar.NewWriter(f)
	for _, path := range names {
		if err := addToTar(tw, dir, path, mtime); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	return nil
}

// addToTar adds the file or directory path, named relative to dir.
func addToTar(tw *tar.Writer, dir, path string, mtime time.Time) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("adding %s: %w", path, err)
	}
	rel, err := filepath.Rel(dir, path)
	if err != nil {
		return fmt.Errorf("adding %s: %w", path, err)
	}
	hdr := &tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, ModTime: mtime, Typeflag: tar.TypeReg, Size: st.Size()}
	if st.IsDir() {
		hdr.Name, hdr.Mode, hdr.Typeflag, hdr.Size = hdr.Name+"/", 0o755, tar.TypeDir, 0
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("adding %s: %w", path, err)
	}
	if st.IsDir() {
		return nil
	}
	src, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("adding %s: %w", path, err)
	}
	defer src.Close()
	if _, err := io.Copy(tw, src); err != nil {
		return fmt.Errorf("adding %s: %w", path, err)
	}
	return nil
}
