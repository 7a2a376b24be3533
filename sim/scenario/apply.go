package scenario

import (
	"encoding/json"
	"fmt"
	"io/fs"

	jsonpatch "github.com/evanphx/json-patch/v5"
	"go.yaml.in/yaml/v3"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// resolveApplies reads the Canary each apply action leaves, in the order
// of the timeline: a file replaces the Canary, an inline patch is merged
// into the Canary as the previous actions left it.
func (l *Loaded) resolveApplies(c *checker, fsys fs.FS, dir string) {
	current := l.Canary
	for i := range l.Actions {
		a := &l.Actions[i]
		if a.Apply == nil || current == nil {
			continue
		}
		field := fmt.Sprintf("actions[%d].apply", i)
		next, err := applyTo(current, *a.Apply, fsys, dir)
		if err != nil {
			c.fail(a.Apply.Line, field, err.Error())
			continue
		}
		a.applied, current = next, next
	}
}

// applyTo is the Canary cd after applying m: the one Canary of the file,
// which must have cd's name, or cd with the inline merge patch.
func applyTo(cd *v1.Canary, m Manifest, fsys fs.FS, dir string) (*v1.Canary, error) {
	if m.Path != "" {
		ms, err := m.decode(fsys, dir)
		if err != nil {
			return nil, err
		}
		if len(ms.Canaries) != 1 {
			return nil, fmt.Errorf("%s: want exactly one Canary, found %d", m.Path, len(ms.Canaries))
		}
		next := &ms.Canaries[0]
		if next.Name != cd.Name {
			return nil, fmt.Errorf("%s: the Canary is %q, not the scenario's %q", m.Path, next.Name, cd.Name)
		}
		return next, nil
	}
	return mergePatch(cd, m.Inline)
}

// mergePatch applies an inline YAML mapping to cd as a JSON merge patch
// (RFC 7386), as kubectl patch --type merge does.
func mergePatch(cd *v1.Canary, inline []byte) (*v1.Canary, error) {
	var patch any
	if err := yaml.Unmarshal(inline, &patch); err != nil {
		return nil, fmt.Errorf("reading the patch: %w", err)
	}
	patchJSON, err := json.Marshal(patch)
	if err != nil {
		return nil, fmt.Errorf("the patch is not JSON: %w", err)
	}
	doc, err := json.Marshal(cd)
	if err != nil {
		return nil, fmt.Errorf("encoding the canary: %w", err)
	}
	out, err := jsonpatch.MergePatch(doc, patchJSON)
	if err != nil {
		return nil, fmt.Errorf("applying the patch: %w", err)
	}
	ms, err := v1.Decode(out)
	if err != nil {
		return nil, fmt.Errorf("the patched Canary: %w", err)
	}
	if len(ms.Canaries) != 1 {
		return nil, fmt.Errorf("the patched manifest is not a Canary")
	}
	return &ms.Canaries[0], nil
}
