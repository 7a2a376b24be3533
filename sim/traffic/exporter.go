package traffic

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/model"

	"github.com/prometheus/prometheus/model/labels"
)

// Exposition is an Appender that keeps the latest sample of every series
// appended to it and writes them in Prometheus' text exposition format
// (version 0.0.4), as an Envoy sidecar's stats endpoint shows its counters:
// a real Prometheus server scraping it stores a model's series. Several
// models may append to one Exposition. It is safe for concurrent use.
//
// Series are written as they were appended (le as the model writes it, e.g.
// "1.0"), without timestamps: the scraper stamps them with its scrape time.
type Exposition struct {
	mu     sync.Mutex
	byHash map[uint64][]*exposed // labels' hash -> series with that hash
	serve  sync.Mutex            // serialises Handler's requests
}

// exposed is one series' latest sample.
type exposed struct {
	lset labels.Labels
	t    time.Time
	v    float64
}

// Sample is a series' latest sample in an Exposition.
type Sample struct {
	Labels labels.Labels
	T      time.Time
	V      float64
}

var _ Appender = (*Exposition)(nil)

// NewExposition returns an empty exposition.
func NewExposition() *Exposition {
	return &Exposition{byHash: map[uint64][]*exposed{}}
}

// Append replaces the series' sample by (t, v). A sample older than the
// series' latest is an error, as in a Store; one at the same time replaces
// it.
func (e *Exposition) Append(lset labels.Labels, t time.Time, v float64) error {
	h := lset.Hash()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range e.byHash[h] {
		if labels.Equal(s.lset, lset) {
			if t.Before(s.t) {
				return fmt.Errorf("expose %s at %s: out of order, latest is at %s", lset, t, s.t)
			}
			s.t, s.v = t, v
			return nil
		}
	}
	e.byHash[h] = append(e.byHash[h], &exposed{lset: lset.Copy(), t: t, v: v})
	return nil
}

// Snapshot returns every series' latest sample, sorted by labels.
func (e *Exposition) Snapshot() []Sample {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Sample
	for _, list := range e.byHash {
		for _, s := range list {
			out = append(out, Sample{Labels: s.lset, T: s.t, V: s.v})
		}
	}
	slices.SortFunc(out, func(a, b Sample) int { return labels.Compare(a.Labels, b.Labels) })
	return out
}

// ContentType is the media type of the text exposition format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// WriteTo writes the latest samples in the text exposition format: one
// family after another by name, each with its # TYPE line. A name ending in
// _total is a counter; _bucket series with an le label make a histogram
// with the _sum and _count of the same base name, written label set by
// label set (buckets by ascending le, then _sum, then _count); anything else
// is untyped.
func (e *Exposition) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	for _, f := range families(e.Snapshot()) {
		b.WriteString("# TYPE " + f.name + " " + f.typ + "\n")
		for _, s := range f.samples {
			writeSample(&b, s)
		}
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// Handler serves the exposition over HTTP, as an Envoy sidecar serves its
// stats. Each request first calls update, when not nil (e.g. to advance the
// models to the wall clock), then writes the latest samples; update failing
// answers 500. Requests are served one at a time, so update needs no
// locking of its own against other requests.
func (e *Exposition) Handler(update func() error) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		e.serve.Lock()
		defer e.serve.Unlock()
		if update != nil {
			if err := update(); err != nil {
				http.Error(rw, "updating the exposition: "+err.Error(), http.StatusInternalServerError)
				return
			}
		}
		rw.Header().Set("Content-Type", ContentType)
		_, _ = e.WriteTo(rw)
	})
}

// family is the samples of one metric family, in the order to write them.
type family struct {
	name, typ string
	samples   []Sample
}

// families groups sorted samples into families sorted by name.
func families(samples []Sample) []family {
	histograms := map[string]bool{}
	for _, s := range samples {
		if base, ok := strings.CutSuffix(s.Labels.Get(model.MetricNameLabel), "_bucket"); ok && s.Labels.Has("le") {
			histograms[base] = true
		}
	}
	byName := map[string]*family{}
	for _, s := range samples {
		name, typ := s.Labels.Get(model.MetricNameLabel), "untyped"
		switch {
		case histograms[histogramBase(name)]:
			name, typ = histogramBase(name), "histogram"
		case strings.HasSuffix(name, "_total"):
			typ = "counter"
		}
		f := byName[name]
		if f == nil {
			f = &family{name: name, typ: typ}
			byName[name] = f
		}
		f.samples = append(f.samples, s)
	}
	out := make([]family, 0, len(byName))
	for _, f := range byName {
		if f.typ == "histogram" {
			slices.SortStableFunc(f.samples, compareHistogramSamples)
		}
		out = append(out, *f)
	}
	slices.SortFunc(out, func(a, b family) int { return cmp.Compare(a.name, b.name) })
	return out
}

// histogramBase strips a histogram series' suffix.
func histogramBase(name string) string {
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok {
			return base
		}
	}
	return name
}

// compareHistogramSamples orders a histogram's samples by their labels
// without name and le, then buckets by ascending le, then _sum, then _count.
func compareHistogramSamples(a, b Sample) int {
	strip := func(s Sample) labels.Labels {
		return labels.NewBuilder(s.Labels).Del(model.MetricNameLabel, "le").Labels()
	}
	if c := labels.Compare(strip(a), strip(b)); c != 0 {
		return c
	}
	rank := func(s Sample) (int, float64) {
		name := s.Labels.Get(model.MetricNameLabel)
		switch {
		case strings.HasSuffix(name, "_bucket"):
			le, err := strconv.ParseFloat(s.Labels.Get("le"), 64)
			if err != nil {
				le = math.NaN()
			}
			return 0, le
		case strings.HasSuffix(name, "_sum"):
			return 1, 0
		}
		return 2, 0
	}
	ra, la := rank(a)
	rb, lb := rank(b)
	if c := cmp.Compare(ra, rb); c != 0 {
		return c
	}
	return cmp.Compare(la, lb)
}

// writeSample writes `name{label="value",...} value`.
func writeSample(w *strings.Builder, s Sample) {
	w.WriteString(s.Labels.Get(model.MetricNameLabel))
	first := true
	s.Labels.Range(func(l labels.Label) {
		if l.Name == model.MetricNameLabel {
			return
		}
		if first {
			w.WriteByte('{')
			first = false
		} else {
			w.WriteByte(',')
		}
		w.WriteString(l.Name)
		w.WriteString(`="`)
		w.WriteString(labelEscaper.Replace(l.Value))
		w.WriteByte('"')
	})
	if !first {
		w.WriteByte('}')
	}
	w.WriteByte(' ')
	w.WriteString(formatValue(s.V))
	w.WriteByte('\n')
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// formatValue writes a value as the text format spells it: +Inf, -Inf,
// NaN, else the shortest decimal that reads back exactly.
func formatValue(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
