package main

import (
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"runtime/debug"
	"strings"
	"time"
)

// The SPDX 2.3 JSON document (https://spdx.github.io/spdx-spec/v2.3/): only
// the fields the SBOM fills.
type (
	spdxDocument struct {
		SPDXVersion       string             `json:"spdxVersion"`
		DataLicense       string             `json:"dataLicense"`
		SPDXID            string             `json:"SPDXID"`
		Name              string             `json:"name"`
		DocumentNamespace string             `json:"documentNamespace"`
		CreationInfo      spdxCreationInfo   `json:"creationInfo"`
		Packages          []spdxPackage      `json:"packages"`
		Relationships     []spdxRelationship `json:"relationships"`
	}
	spdxCreationInfo struct {
		Created  string   `json:"created"`
		Creators []string `json:"creators"`
	}
	spdxPackage struct {
		SPDXID           string       `json:"SPDXID"`
		Name             string       `json:"name"`
		VersionInfo      string       `json:"versionInfo"`
		DownloadLocation string       `json:"downloadLocation"`
		FilesAnalyzed    bool         `json:"filesAnalyzed"`
		Checksums        []spdxSum    `json:"checksums,omitempty"`
		ExternalRefs     []spdxExtRef `json:"externalRefs,omitempty"`
		Comment          string       `json:"comment,omitempty"`
	}
	spdxSum struct {
		Algorithm     string `json:"algorithm"`
		ChecksumValue string `json:"checksumValue"`
	}
	spdxExtRef struct {
		ReferenceCategory string `json:"referenceCategory"`
		ReferenceType     string `json:"referenceType"`
		ReferenceLocator  string `json:"referenceLocator"`
	}
	spdxRelationship struct {
		SPDXElementID      string `json:"spdxElementId"`
		RelationshipType   string `json:"relationshipType"`
		RelatedSPDXElement string `json:"relatedSpdxElement"`
	}
)

// sbomFor writes the SPDX SBOM of a Go binary from the build information
// the toolchain embeds in it (what `go version -m` prints): the main
// module at the stamped version, the Go standard library, and every module
// linked in, each with its purl.
func sbomFor(o *options, info buildInfo, platform string, exe []byte) ([]byte, error) {
	bi, err := buildinfo.Read(bytes.NewReader(exe))
	if err != nil {
		return nil, fmt.Errorf("reading the build information of %s: %w", o.binary, err)
	}
	sum := sha256.Sum256(exe)
	doc := spdxDocument{
		SPDXVersion: "SPDX-2.3", DataLicense: "CC0-1.0", SPDXID: "SPDXRef-DOCUMENT",
		Name: fmt.Sprintf("%s %s %s", o.binary, info.version, platform),
		DocumentNamespace: fmt.Sprintf("%s/spdx/%s/%s/%s/sha256-%s",
			strings.TrimSuffix(o.source, "/"), o.binary, tagFor(info.version), platform, hex.EncodeToString(sum[:])),
		CreationInfo: spdxCreationInfo{Created: info.created.Format(time.RFC3339), Creators: []string{"Tool: fledge-imagebuild"}},
	}
	main := spdxPackage{
		SPDXID: "SPDXRef-Package-main", Name: bi.Main.Path, VersionInfo: info.version,
		DownloadLocation: o.source, Checksums: []spdxSum{{Algorithm: "SHA256", ChecksumValue: hex.EncodeToString(sum[:])}},
		ExternalRefs: []spdxExtRef{purl(bi.Main.Path, info.version)},
		Comment:      fmt.Sprintf("%s (%s), revision %s, built with %s", o.binary, bi.Path, info.revision, bi.GoVersion),
	}
	stdlib := spdxPackage{
		SPDXID: "SPDXRef-Package-stdlib", Name: "stdlib", VersionInfo: bi.GoVersion,
		DownloadLocation: "https://go.dev/dl/", ExternalRefs: []spdxExtRef{purl("stdlib", bi.GoVersion)},
	}
	doc.Packages = []spdxPackage{main, stdlib}
	doc.Relationships = []spdxRelationship{
		{"SPDXRef-DOCUMENT", "DESCRIBES", main.SPDXID},
		{main.SPDXID, "DEPENDS_ON", stdlib.SPDXID},
	}
	for i, dep := range bi.Deps {
		pkg := modulePackage(i, dep)
		doc.Packages = append(doc.Packages, pkg)
		doc.Relationships = append(doc.Relationships, spdxRelationship{main.SPDXID, "DEPENDS_ON", pkg.SPDXID})
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the SBOM: %w", err)
	}
	return append(out, '\n'), nil
}

// notIDChars are the characters an SPDX identifier may not hold.
var notIDChars = regexp.MustCompile(`[^A-Za-z0-9.-]`)

// modulePackage describes a linked module, as replaced by go.mod if it was.
func modulePackage(i int, dep *debug.Module) spdxPackage {
	mod := dep
	if dep.Replace != nil {
		mod = dep.Replace
	}
	pkg := spdxPackage{
		SPDXID:           fmt.Sprintf("SPDXRef-Package-%d-%s", i+1, notIDChars.ReplaceAllString(mod.Path, "-")),
		Name:             mod.Path,
		VersionInfo:      mod.Version,
		DownloadLocation: "NOASSERTION",
		ExternalRefs:     []spdxExtRef{purl(mod.Path, mod.Version)},
	}
	if mod.Sum != "" {
		pkg.Comment = "go.sum hash " + mod.Sum
	}
	if dep.Replace != nil {
		pkg.Comment = strings.TrimSpace(fmt.Sprintf("replaces %s@%s; %s", dep.Path, dep.Version, pkg.Comment))
	}
	return pkg
}

// purl is the package URL of a Go module (or of the standard library).
func purl(path, version string) spdxExtRef {
	return spdxExtRef{
		ReferenceCategory: "PACKAGE-MANAGER", ReferenceType: "purl",
		ReferenceLocator: fmt.Sprintf("pkg:golang/%s@%s", path, version),
	}
}
