package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// platformImage is one platform's image with what it was built from.
type platformImage struct {
	platform v1.Platform
	image    v1.Image
}

// buildImages compiles the binary for every platform and assembles each
// platform's image.
func buildImages(ctx context.Context, o *options, info buildInfo, workDir string, warn io.Writer) ([]platformImage, error) {
	base, err := baseFiles(o.caFile, warn)
	if err != nil {
		return nil, err
	}
	var images []platformImage
	for _, platform := range o.platforms {
		dir := filepath.Join(workDir, strings.ReplaceAll(platform, "/", "-"))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating %s: %w", dir, err)
		}
		bin, err := goBuild(ctx, o, info, platform, dir)
		if err != nil {
			return nil, err
		}
		img, err := assemble(o, info, platform, base, bin)
		if err != nil {
			return nil, fmt.Errorf("image for %s: %w", platform, err)
		}
		osName, arch, _ := strings.Cut(platform, "/")
		images = append(images, platformImage{platform: v1.Platform{OS: osName, Architecture: arch}, image: img})
	}
	return images, nil
}

// assemble lays the base files and the binary with its SBOM as two layers
// on an empty OCI image and writes its config.
func assemble(o *options, info buildInfo, platform string, base []fileEntry, bin string) (v1.Image, error) {
	exe, err := os.ReadFile(bin)
	if err != nil {
		return nil, fmt.Errorf("reading the binary: %w", err)
	}
	sbom, err := sbomFor(o, info, platform, exe)
	if err != nil {
		return nil, err
	}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	for _, l := range []struct {
		files []fileEntry
		what  string
	}{
		{base, "base: /etc/passwd with nonroot (65532), CA certificates, /tmp; no shell"},
		{appFiles(o.binary, exe, sbom), fmt.Sprintf("%s %s (static, -trimpath) and its SPDX SBOM at %s", o.binary, info.version, sbomPath(o.binary))},
	} {
		layer, err := newLayer(l.files, info)
		if err != nil {
			return nil, err
		}
		img, err = mutate.Append(img, mutate.Addendum{
			Layer: layer, MediaType: types.OCILayer,
			History: v1.History{Created: v1.Time{Time: info.created}, CreatedBy: "fledge imagebuild", Comment: l.what},
		})
		if err != nil {
			return nil, fmt.Errorf("adding a layer: %w", err)
		}
	}
	return configure(img, o, info, platform)
}

// newLayer makes a gzip-compressed OCI layer of files.
func newLayer(files []fileEntry, info buildInfo) (v1.Layer, error) {
	data, err := tarLayer(files, info.created)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("compressing a layer: %w", err)
	}
	return layer, nil
}

// configure writes the image config: platform, user 65532, entrypoint,
// environment, OCI labels and the creation time; the manifest carries the
// labels as annotations too.
func configure(img v1.Image, o *options, info buildInfo, platform string) (v1.Image, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading the config: %w", err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture, _ = strings.Cut(platform, "/")
	cfg.Created = v1.Time{Time: info.created}
	cfg.Author = ""
	cfg.Config.User = fmt.Sprintf("%d:%d", nonRoot, nonRoot)
	cfg.Config.Entrypoint = []string{binDir + "/" + o.binary}
	cfg.Config.Cmd = nil
	cfg.Config.WorkingDir = homeDir
	cfg.Config.Env = []string{"PATH=" + binDir, "SSL_CERT_FILE=" + caBundle}
	cfg.Config.Labels = labels(o, info)
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return nil, fmt.Errorf("writing the config: %w", err)
	}
	return mutate.Annotations(img, labels(o, info)).(v1.Image), nil
}

// labels are the OCI annotations of the image
// (https://github.com/opencontainers/image-spec/blob/main/annotations.md).
func labels(o *options, info buildInfo) map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":    o.binary,
		"org.opencontainers.image.source":   o.source,
		"org.opencontainers.image.url":      o.source,
		"org.opencontainers.image.revision": info.revision,
		"org.opencontainers.image.version":  info.version,
		"org.opencontainers.image.created":  info.created.Format("2006-01-02T15:04:05Z"),
		"org.opencontainers.image.description": "Fledge " + o.binary +
			": Flagger-compatible canary analysis for Open Service Mesh",
	}
}

// index puts the platform images into one OCI image index.
func index(o *options, info buildInfo, images []platformImage) v1.ImageIndex {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, pi := range images {
		platform := pi.platform
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: pi.image, Descriptor: v1.Descriptor{Platform: &platform}})
	}
	return mutate.Annotations(idx, labels(o, info)).(v1.ImageIndex)
}
