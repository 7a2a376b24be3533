package scenario

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// Manifest is a Kubernetes manifest given by path (relative to the
// scenario file) or inline.
type Manifest struct {
	Path   string
	Inline []byte
	Line   int
}

// UnmarshalYAML takes a path (a string) or an inline object (a mapping).
func (m *Manifest) UnmarshalYAML(n *yaml.Node) error {
	m.Line = n.Line
	switch n.Kind {
	case yaml.ScalarNode:
		m.Path = n.Value
		return nil
	case yaml.MappingNode:
		out, err := yaml.Marshal(n)
		if err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		m.Inline = out
		return nil
	}
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s: want a file path or an inline manifest", n.Line, n.ShortTag())}}
}

// IsZero reports whether the manifest was left out.
func (m Manifest) IsZero() bool { return m.Path == "" && m.Inline == nil }

// decode reads the manifest's Canaries and MetricTemplates, a path being
// relative to dir in fsys.
func (m Manifest) decode(fsys fs.FS, dir string) (*v1.Manifests, error) {
	data := m.Inline
	if m.Path != "" {
		name := path.Join(dir, m.Path)
		if path.IsAbs(m.Path) { // Load's fsys is the root of the file system
			name = strings.TrimPrefix(path.Clean(m.Path), "/")
		}
		var err error
		if data, err = fs.ReadFile(fsys, name); err != nil {
			// Name the path as written, not as resolved inside fsys.
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("%s: %w", m.Path, err)
		}
	}
	return v1.Decode(data)
}
