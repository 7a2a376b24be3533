package traffic

import (
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// DefaultScrape is Prometheus' scrape interval in OSM's configuration.
const DefaultScrape = 10 * time.Second

// Appender receives samples; *tsdb.Store is one.
type Appender interface {
	Append(lset labels.Labels, t time.Time, v float64) error
}

// handleAppender is an Appender that also hands out a function appending
// to one series without finding it by its labels each time; *tsdb.Store
// is one.
type handleAppender interface {
	Appender
	AppendFunc(lset labels.Labels) func(t time.Time, v float64) error
}

// Config describes the canary a model's traffic reaches.
type Config struct {
	// Namespace is the canary's namespace, also the sources'.
	Namespace string
	// Target is the canary's target Deployment, e.g. "podinfo"; the primary
	// is "<Target>-primary".
	Target string
	// Scrape is the scrape interval; zero means DefaultScrape.
	Scrape time.Duration
	// Seed seeds every random draw.
	Seed uint64
	// Start is the model's initial time; scrapes fall at Start + k·Scrape.
	Start time.Time
	// Regression is how the canary Deployment serves worse than the
	// primary; the zero value serves alike.
	Regression Regression
	// Mesh is whose series the model exports; the zero value is OSM's.
	Mesh Mesh
}

// Counts are the requests one Deployment received.
type Counts struct {
	Requests     uint64 `json:"requests"`
	Failed       uint64 `json:"failed"`       // answered 5xx
	ClientErrors uint64 `json:"clientErrors"` // answered 4xx
}

// Model generates traffic and appends its series. It is not safe for
// concurrent use.
type Model struct {
	cfg        Config
	app        Appender
	sources    []*source // in the order added
	now        time.Time
	nextScrape time.Time
}

// New returns a model at cfg.Start that appends to app.
func New(cfg Config, app Appender) (*Model, error) {
	if cfg.Namespace == "" || cfg.Target == "" {
		return nil, errors.New("traffic model needs a namespace and a target")
	}
	if cfg.Scrape == 0 {
		cfg.Scrape = DefaultScrape
	}
	if cfg.Scrape < time.Millisecond {
		return nil, fmt.Errorf("scrape interval %v below 1ms", cfg.Scrape)
	}
	if err := cfg.Regression.validate(); err != nil {
		return nil, err
	}
	return &Model{cfg: cfg, app: app, now: cfg.Start, nextScrape: cfg.Start.Add(cfg.Scrape)}, nil
}

// Now is the model's current time: traffic has been drawn up to it.
func (m *Model) Now() time.Time { return m.now }

// Add adds a source. Its traffic starts at the later of its From and the
// model's current time: the past is not redrawn.
func (m *Model) Add(s Source) error {
	if err := s.validate(); err != nil {
		return fmt.Errorf("traffic source %q: %w", s.Name, err)
	}
	if m.find(s.Name) != nil {
		return fmt.Errorf("traffic source %q: already added", s.Name)
	}
	m.sources = append(m.sources, newSource(s, m.cfg.Seed, m.cfg.Regression))
	return nil
}

// Stop ends the named source's traffic at at, which must not be before the
// model's current time. A source already ending earlier is left alone.
func (m *Model) Stop(name string, at time.Time) error {
	s := m.find(name)
	switch {
	case s == nil:
		return fmt.Errorf("stop traffic source %q: no such source", name)
	case at.Before(m.now):
		return fmt.Errorf("stop traffic source %q at %s: the model is already at %s", name, at, m.now)
	case s.Until.IsZero() || at.Before(s.Until):
		s.Until = at
	}
	return nil
}

func (m *Model) find(name string) *source {
	for _, s := range m.sources {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Advance draws the traffic up to to and appends the series at every scrape
// time passed, to included. weights reports the TrafficSplit's weights; it is
// called once per slice of time between scrapes (and at to), so weights set
// between calls to Advance take effect from the call after. A nil weights
// sends all apex traffic to the primary.
func (m *Model) Advance(to time.Time, weights func() (primary, canary int)) error {
	if to.Before(m.now) {
		return fmt.Errorf("advance traffic to %s: the model is already at %s", to, m.now)
	}
	for m.now.Before(to) {
		end := to
		if m.nextScrape.Before(end) {
			end = m.nextScrape
		}
		primary, canary := 100, 0
		if weights != nil {
			primary, canary = weights()
		}
		m.draw(m.now, end, primary, canary)
		m.now = end
		if m.now.Equal(m.nextScrape) {
			if err := m.scrape(m.now); err != nil {
				return fmt.Errorf("scrape at %s: %w", m.now, err)
			}
			m.nextScrape = m.nextScrape.Add(m.cfg.Scrape)
		}
	}
	return nil
}

// draw generates every source's requests in [from, to).
func (m *Model) draw(from, to time.Time, primaryWeight, canaryWeight int) {
	for _, s := range m.sources {
		n := poisson(s.rng, s.RPS*s.activeSeconds(from, to))
		if n == 0 {
			continue
		}
		toPrimary, toCanary := s.split(n, primaryWeight, canaryWeight)
		m.serve(s, primaryDest, toPrimary)
		m.serve(s, canaryDest, toCanary)
	}
}

func (m *Model) serve(s *source, which int, n uint64) {
	if n == 0 {
		return
	}
	if s.dests[which] == nil {
		deployment := m.cfg.Target
		if which == primaryDest {
			deployment += "-primary"
		}
		s.dests[which] = newDest(m.cfg.Mesh, m.cfg.Namespace, deployment, s)
	}
	s.serve(which, s.dests[which], n)
}

func (m *Model) scrape(t time.Time) error {
	for _, s := range m.sources {
		for _, d := range s.dests {
			if d == nil {
				continue
			}
			if err := d.scrape(m.app, t); err != nil {
				return err
			}
		}
	}
	return nil
}

// Totals returns the requests each Deployment ("<target>" and
// "<target>-primary") has received so far, over all sources.
func (m *Model) Totals() map[string]Counts {
	out := map[string]Counts{}
	for _, s := range m.sources {
		for _, d := range s.dests {
			if d == nil {
				continue
			}
			c := out[d.deployment]
			c.add(d.counts(s.codes))
			out[d.deployment] = c
		}
	}
	return out
}

// BySource returns, for each source, the requests each Deployment has
// received from it so far.
func (m *Model) BySource() map[string]map[string]Counts {
	out := make(map[string]map[string]Counts, len(m.sources))
	for _, s := range m.sources {
		per := map[string]Counts{}
		for _, d := range s.dests {
			if d != nil {
				per[d.deployment] = d.counts(s.codes)
			}
		}
		out[s.Name] = per
	}
	return out
}

func (c *Counts) add(o Counts) {
	c.Requests += o.Requests
	c.Failed += o.Failed
	c.ClientErrors += o.ClientErrors
}
