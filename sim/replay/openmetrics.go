package replay

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/textparse"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"

	"github.com/fledge-canary/fledge/sim/tsdb"
)

// ReadOpenMetrics parses OpenMetrics text whose samples all carry a
// timestamp (what `promtool tsdb dump-openmetrics` writes) into a store.
// name prefixes errors, which give the line: a malformed line, a sample
// without a timestamp, a sample older than the previous one of its series,
// or two values of one series at one time.
func ReadOpenMetrics(name string, data []byte) (*tsdb.Store, error) {
	store := tsdb.NewStore()
	p := textparse.NewOpenMetricsParser(data, labels.NewSymbolTable())
	// Every OpenMetrics entry is one line, so the entries read so far
	// count the lines.
	for line := 1; ; line++ {
		entry, err := p.Next()
		if errors.Is(err, io.EOF) {
			return store, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		switch entry {
		case textparse.EntrySeries:
			if err := appendSample(p, store); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, line, err)
			}
		case textparse.EntryHistogram:
			return nil, fmt.Errorf("%s:%d: native histograms are not supported", name, line)
		}
	}
}

func appendSample(p textparse.Parser, store *tsdb.Store) error {
	series, ts, v := p.Series()
	if ts == nil {
		return fmt.Errorf("sample %s has no timestamp: a recording needs one on every sample", series)
	}
	var lset labels.Labels
	p.Labels(&lset)
	err := store.Append(lset, time.UnixMilli(*ts), v)
	switch {
	case errors.Is(err, storage.ErrOutOfOrderSample):
		return fmt.Errorf("%s at %s is older than the series' previous sample: "+
			"samples must be sorted by time within each series", lset, formatMillis(*ts))
	case errors.Is(err, storage.ErrDuplicateSampleForTimestamp):
		return fmt.Errorf("%s has two different values at %s (overlapping recordings?)", lset, formatMillis(*ts))
	}
	return err
}

func formatMillis(ms int64) string {
	return time.UnixMilli(ms).UTC().Format(time.RFC3339Nano)
}

// WriteOpenMetrics writes every sample of q between mint and maxt
// (milliseconds, inclusive) as OpenMetrics text, series by series in label
// order, each sample with its timestamp in seconds, ending with # EOF: the
// form `promtool tsdb dump-openmetrics` writes and
// `promtool tsdb create-blocks-from openmetrics` reads.
func WriteOpenMetrics(ctx context.Context, w io.Writer, q storage.Queryable, mint, maxt int64) error {
	querier, err := q.Querier(mint, maxt)
	if err != nil {
		return fmt.Errorf("write openmetrics: %w", err)
	}
	defer querier.Close()
	all := labels.MustNewMatcher(labels.MatchRegexp, model.MetricNameLabel, ".+")
	set := querier.Select(ctx, true, &storage.SelectHints{Start: mint, End: maxt}, all)
	bw := bufio.NewWriter(w)
	var it chunkenc.Iterator
	for set.Next() {
		s := set.At()
		prefix := seriesText(s.Labels())
		it = s.Iterator(it)
		for it.Next() == chunkenc.ValFloat {
			t, v := it.At()
			_, _ = fmt.Fprintf(bw, "%s %s %s\n", prefix, formatValue(v), formatSeconds(t))
		}
		if err := it.Err(); err != nil {
			return fmt.Errorf("write openmetrics: %s: %w", s.Labels(), err)
		}
	}
	if err := set.Err(); err != nil {
		return fmt.Errorf("write openmetrics: %w", err)
	}
	_, _ = bw.WriteString("# EOF\n")
	return bw.Flush()
}

// seriesText is `name{label="value",...}` with OpenMetrics' escaping.
func seriesText(lset labels.Labels) string {
	var b strings.Builder
	b.WriteString(lset.Get(model.MetricNameLabel))
	sep := "{"
	lset.Range(func(l labels.Label) {
		if l.Name == model.MetricNameLabel {
			return
		}
		b.WriteString(sep + l.Name + `="` + labelEscaper.Replace(l.Value) + `"`)
		sep = ","
	})
	if sep == "," {
		b.WriteByte('}')
	}
	return b.String()
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

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

// formatSeconds writes a millisecond timestamp in seconds: whole seconds
// without a fraction, so that they read back exactly.
func formatSeconds(ms int64) string {
	if ms%1000 == 0 {
		return strconv.FormatInt(ms/1000, 10)
	}
	return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)
}
