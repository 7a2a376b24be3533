package tsdb

import (
	"slices"
	"sync"

	"github.com/prometheus/prometheus/model/labels"
)

// maxSelections bounds a store's memo of selections: the engine's queries
// come from a few cached parse trees (see cachingParser); a process whose
// trees are not cached stops memoising new selections at this count.
const maxSelections = 1024

// selections remember which series a selector's matchers matched, so that
// the selector of the next query of the same text does not run its
// matchers (regular expressions among them) over every candidate again.
// A selector is known by its matchers' pointers, which the parse cache's
// trees share between the queries of one text (the memo holds them, so
// that no other matcher can take their address); the answer stays right
// while the store holds the same series (series are only ever added, and
// a Reset that drops them starts a new epoch), because a series' labels
// never change.
type selections struct {
	mu      sync.Mutex
	entries map[*labels.Matcher][]selection
}

// selection is the series matched by one list of matchers, as of the
// store's epoch and series count.
type selection struct {
	matchers    []*labels.Matcher
	epoch       uint64
	seriesCount int
	matched     []*series
}

// matching returns the series of the store that match every matcher, in
// label order. The caller holds the store's read lock.
func (s *Store) matching(matchers []*labels.Matcher) []*series {
	if len(matchers) == 0 {
		return s.filter(matchers)
	}
	m := &s.selections
	key := matchers[0]
	m.mu.Lock()
	for _, sel := range m.entries[key] {
		if slices.Equal(sel.matchers, matchers) {
			if sel.epoch == s.epoch && sel.seriesCount == len(s.all) {
				m.mu.Unlock()
				return sel.matched
			}
			break
		}
	}
	m.mu.Unlock()
	matched := s.filter(matchers)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil {
		m.entries = map[*labels.Matcher][]selection{}
	}
	list := m.entries[key]
	sel := selection{matchers: slices.Clone(matchers), epoch: s.epoch, seriesCount: len(s.all), matched: matched}
	for i := range list {
		if slices.Equal(list[i].matchers, matchers) {
			list[i] = sel
			return matched
		}
	}
	if len(m.entries) < maxSelections {
		m.entries[key] = append(list, sel)
	}
	return matched
}

// filter runs the matchers over the candidates. The caller holds the
// store's read lock.
func (s *Store) filter(matchers []*labels.Matcher) []*series {
	var out []*series
	for _, sr := range s.candidates(matchers) {
		if matchAll(sr.lset, matchers) {
			out = append(out, sr)
		}
	}
	return out
}
