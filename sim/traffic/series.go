package traffic

import (
	"strconv"
	"sync"
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

	// appends are the handles on the series (codes, buckets, sum, count)
	// of an Appender that hands them out, made at their first sample.
	appends []func(time.Time, float64) error
}

// newDest builds the series labels of src's requests to deployment, as
// mesh names them, or takes them from the label cache.
func newDest(mesh Mesh, ns, deployment string, src *source) *dest {
	d := &dest{deployment: deployment, codes: make([]uint64, len(src.codes))}
	dl := destLabelsOf(mesh, ns, deployment, src)
	d.codeLabels, d.bucketLabels, d.sumLabels, d.countLabels = dl.codes, dl.buckets, dl.sum, dl.count
	return d
}

// destLabels are the label sets of one source's series to one
// Deployment. Label sets are immutable, so models share them.
type destLabels struct {
	codes      []labels.Labels // aligned with source.codes
	buckets    [bucketCount]labels.Labels
	sum, count labels.Labels
}

// maxCachedLabels bounds the label cache; it starts afresh when full.
const maxCachedLabels = 4096

// labelCache keeps the label sets built for a mesh, namespace, Deployment,
// source name and status codes: the runs of a what-if study build the same
// ones, and building them was a twentieth of a run's allocations.
var labelCache = struct {
	sync.Mutex
	sets map[labelKey]*destLabels
}{sets: map[labelKey]*destLabels{}}

type labelKey struct {
	mesh                                 Mesh
	namespace, deployment, source, codes string
}

func destLabelsOf(mesh Mesh, ns, deployment string, src *source) *destLabels {
	codes := make([]byte, 0, 4*len(src.codes))
	for _, c := range src.codes {
		codes = strconv.AppendInt(append(codes, ' '), int64(c), 10)
	}
	key := labelKey{mesh: mesh, namespace: ns, deployment: deployment, source: src.Name, codes: string(codes)}
	labelCache.Lock()
	defer labelCache.Unlock()
	if dl, ok := labelCache.sets[key]; ok {
		return dl
	}
	dl := buildDestLabels(mesh, ns, deployment, src)
	if len(labelCache.sets) >= maxCachedLabels {
		clear(labelCache.sets)
	}
	labelCache.sets[key] = dl
	return dl
}

func buildDestLabels(mesh Mesh, ns, deployment string, src *source) *destLabels {
	base := mesh.baseLabels(ns, deployment, src)
	counter, histogram := mesh.seriesNames()
	dl := &destLabels{codes: make([]labels.Labels, len(src.codes))}
	for i, c := range src.codes {
		dl.codes[i] = seriesLabels(counter, base, mesh.codeLabels(c)...)
	}
	for i, le := range leValues {
		dl.buckets[i] = seriesLabels(histogram+"_bucket", base, "le", le)
	}
	dl.sum = seriesLabels(histogram+"_sum", base)
	dl.count = seriesLabels(histogram+"_count", base)
	return dl
}

// scrape appends the cumulative counters at t. A response_code series
// appears once its code has been answered; the histogram appears with the
// first request, with all its buckets.
func (d *dest) scrape(app Appender, t time.Time) error {
	for i, n := range d.codes {
		if n == 0 {
			continue
		}
		if err := d.appendAt(app, i, d.codeLabels[i], t, float64(n)); err != nil {
			return err
		}
	}
	var cumulative uint64
	for i, n := range d.buckets {
		cumulative += n
		if err := d.appendAt(app, len(d.codes)+i, d.bucketLabels[i], t, float64(cumulative)); err != nil {
			return err
		}
	}
	if err := d.appendAt(app, len(d.codes)+bucketCount, d.sumLabels, t, d.sumMs); err != nil {
		return err
	}
	return d.appendAt(app, len(d.codes)+bucketCount+1, d.countLabels, t, float64(d.count))
}

// appendAt appends (t, v) to the series lset, number slot of the dest's
// series, through its handle when app hands out handles (a *tsdb.Store):
// the store then does not find the series by its labels at every scrape.
func (d *dest) appendAt(app Appender, slot int, lset labels.Labels, t time.Time, v float64) error {
	h, ok := app.(handleAppender)
	if !ok {
		return app.Append(lset, t, v)
	}
	if d.appends == nil {
		d.appends = make([]func(time.Time, float64) error, len(d.codes)+bucketCount+2)
	}
	if d.appends[slot] == nil {
		d.appends[slot] = h.AppendFunc(lset)
	}
	return d.appends[slot](t, v)
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
