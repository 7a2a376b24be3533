// Command imagebuild builds Fledge's container images from source without
// Docker: for each platform it cross-compiles a static binary (CGO_ENABLED=0,
// -trimpath, the version stamped with -ldflags), lays it on a distroless-like
// base made from scratch (/etc/passwd with the non-root user 65532, CA
// certificates copied from the host, no shell) with an SPDX SBOM beside it,
// and writes, with go-containerregistry's Go packages:
//
//	OUT/image/BINARY/                 an OCI image layout holding one multi-platform index
//	OUT/BINARY-oci.tar                that layout as one tar file
//	OUT/BINARY-linux-ARCH.tar         one docker-archive tar per platform
//
// Every timestamp is SOURCE_DATE_EPOCH (the commit time by default), so two
// builds of the same commit on the same host produce the same bytes and the
// same digests. `make image` runs it; `make image-test` runs its tests.
//
// Usage (from the repository root):
//
//	go -C hack/imagebuild run . -C ../.. -binary fledge-controller -out bin
//
// It lives in its own Go module so that the main module does not depend on
// go-containerregistry.
package main
