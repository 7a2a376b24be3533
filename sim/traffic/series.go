package traffic

import (
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// Destination indexes.
const (
	primaryDest = 0
	canaryDest  = 1
)

// dest holds the counters of one source's requests to one Deployment, and
// the labels of their series, built once.
type dest struct {
	deployment string
	codes      []uint64 // per status code, aligned with source.codes
	buckets    [bucketCount]uint64
	sumMs      float64
	count      uint64

	codeLabels   []labels.Labels
	bucketLabels [bucketCount]labels.Labels
	sumLabels    labels.Labels
	countLabels  labels.Labels
}

// newDest builds the series labels of src's requests to deployment, as
// mesh names them.
func newDest(mesh Mesh, ns, deployment string, src *source) *dest {
	d := &dest{deployment: deployment, codes: make([]uint64, len(src.codes))}
	base := mesh.baseLabels(ns, deployment, src)
	counter, histogram := mesh.seriesNames()
	d.codeLabels = make([]labels.Labels, len(src.codes))
	for i, c := range src.codes {
		d.codeLabels[i] = seriesLabels(counter, base, mesh.codeLabels(c)...)
	}
	for i, le := range leValues {
		d.bucketLabels[i] = seriesLabels(histogram+"_bucket", base, "le", le)
	}
	d.sumLabels = seriesLabels(histogram+"_sum", base)
	d.countLabels = seriesLabels(histogram+"_count", base)
	return d
}

// scrape appends the cumulative counters at t. A response_code series
// appears once its code has been answered; the histogram appears with the
// first request, with all its buckets.
func (d *dest) scrape(app Appender, t time.Time) error {
	for i, n := range d.codes {
		if n == 0 {
			continue
		}
		if err := app.Append(d.codeLabels[i], t, float64(n)); err != nil {
			return err
		}
	}
	var cumulative uint64
	for i, n := range d.buckets {
		cumulative += n
		if err := app.Append(d.bucketLabels[i], t, float64(cumulative)); err != nil {
			return err
		}
	}
	if err := app.Append(d.sumLabels, t, d.sumMs); err != nil {
		return err
	}
	return app.Append(d.countLabels, t, float64(d.count))
}

// counts totals the requests by class of answer.
func (d *dest) counts(codes []int) Counts {
	c := Counts{Requests: d.count}
	for i, code := range codes {
		switch {
		case code >= 500:
			c.Failed += d.codes[i]
		case code >= 400:
			c.ClientErrors += d.codes[i]
		}
	}
	return c
}
