package scenario

import (
	"bytes"
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Observed is what a run produced, for rewriting a scenario's expectations.
type Observed struct {
	Phase        string
	Weights      []int
	FailedChecks int
	Events       []string
	// Bootstrap is written only when the scenario asserts bootstrapEvents.
	Bootstrap []string
	// Alerts are written only when the scenario asserts alerts.
	Alerts []string
}

// UpdateExpect returns the scenario file with its expect block's phase,
// weights, failedChecks and events replaced by what was observed: the
// golden-file update switch (`fledge sim --update`). Comments and the
// other fields are kept; the file is re-indented by the YAML encoder.
func (s *Scenario) UpdateExpect(o Observed) ([]byte, error) {
	doc := s.root
	if doc == nil || doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: no YAML document to update", s.File)
	}
	expect := mappingValue(doc.Content[0], "expect")
	set(expect, "phase", str(o.Phase))
	set(expect, "weights", flowInts(o.Weights))
	set(expect, "failedChecks", scalar(strconv.Itoa(o.FailedChecks)))
	events := &yaml.Node{Kind: yaml.SequenceNode}
	for _, e := range o.Events {
		events.Content = append(events.Content, str(e))
	}
	set(expect, "events", events)
	if s.Expect.Bootstrap != nil {
		boot := &yaml.Node{Kind: yaml.SequenceNode}
		for _, e := range o.Bootstrap {
			boot.Content = append(boot.Content, str(e))
		}
		set(expect, "bootstrapEvents", boot)
	}
	if s.Expect.Alerts != nil {
		alerts := &yaml.Node{Kind: yaml.SequenceNode}
		for _, a := range o.Alerts {
			alerts.Content = append(alerts.Content, str(a))
		}
		set(expect, "alerts", alerts)
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("%s: %w", s.File, err)
	}
	return out.Bytes(), nil
}

// mappingValue returns the mapping under key, adding an empty one if absent.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if v := child(m, key); v != nil && v.Kind == yaml.MappingNode {
		return v
	}
	v := &yaml.Node{Kind: yaml.MappingNode}
	set(m, key, v)
	return v
}

func set(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v.HeadComment, v.LineComment = m.Content[i+1].HeadComment, m.Content[i+1].LineComment
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, scalar(key), v)
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }

// str is a string scalar, quoted when it would read as something else
// ("", "null", "123").
func str(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

func flowInts(ws []int) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, w := range ws {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(w)})
	}
	return n
}
