package tsdb

import (
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
)

// point is one float sample: a timestamp in milliseconds and its value.
type point struct {
	t int64
	f float64
}

var _ chunks.Sample = (*point)(nil)

func (p *point) T() int64                    { return p.t }
func (*point) ST() int64                     { return 0 }
func (p *point) F() float64                  { return p.f }
func (*point) H() *histogram.Histogram       { return nil }
func (*point) FH() *histogram.FloatHistogram { return nil }
func (*point) Type() chunkenc.ValueType      { return chunkenc.ValFloat }
func (p *point) Copy() chunks.Sample         { c := *p; return &c }

// points is a series' samples in ascending time. It implements
// storage.Samples by handing out pointers into the slice, which do not
// allocate when boxed.
type points []point

var _ storage.Samples = points(nil)

func (ps points) Get(i int) chunks.Sample { return &ps[i] }
func (ps points) Len() int                { return len(ps) }
