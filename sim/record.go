package sim

import (
	"context"

	"github.com/fledge-canary/fledge/sim/scenario"
	"github.com/fledge-canary/fledge/sim/tsdb"
)

// RunRecorded is Run that also returns the run's Prometheus series: the
// store the engine's queries read, as a Prometheus scraping the mesh would
// have recorded them. fledge replay's embedded recording and its
// equivalence tests are written from it.
func RunRecorded(ctx context.Context, l *scenario.Loaded) (*Result, *tsdb.Store, error) {
	r, err := newRun(l)
	if err != nil {
		return nil, nil, err
	}
	r.cacheReads()
	r.readThroughCache()
	if err := r.bootstrap(ctx); err != nil {
		return nil, nil, err
	}
	if err := r.timeline(ctx); err != nil {
		return nil, nil, err
	}
	return r.result(), r.store, nil
}
