package sim

import (
	"context"
	"sync"

	"github.com/fledge-canary/fledge/sim/cluster"
	"github.com/fledge-canary/fledge/sim/tsdb"
)

// stores recycles the runs' TSDB stores: a store reset at the end of a run
// keeps its sample arrays, and the next run (a what-if study makes
// thousands) appends its series into them without growing new ones.
var stores = sync.Pool{New: func() any { return tsdb.NewStore() }}

// releaseStore hands the run's store back for another run; nothing of the
// run may read it afterwards (the Result holds no sample of it).
func (r *run) releaseStore() {
	r.store.Reset()
	stores.Put(r.store)
	r.store = nil
}

// weightsCache keeps the TrafficSplit's weights the traffic model last
// read, with what they depend on: the writes to TrafficSplits and the
// Canary's apex Service. The model asks once per scrape interval; the
// TrafficSplit changes a few times a run.
type weightsCache struct {
	writes          *cluster.Writes
	valid           bool
	seen            uint64
	service, target string
	primary, canary int
}

// cacheReads makes the run's repeated reads of unchanged objects cheap:
// the kubelet lists the Deployments only after a write to them, and the
// traffic model reads the weights only after a write to a TrafficSplit.
// The clientsets count their writes from here on, so any reactor that
// answers writes itself (the injected faults) must be in place before.
func (r *run) cacheReads() {
	r.kubelet.CacheDeployments(r.kubeFake)
	r.weightsCache = &weightsCache{writes: cluster.CountWrites(r.smi, "*")}
}

// weights are the TrafficSplit's weights for the traffic model: all to
// the primary while there is none.
func (r *run) weights() (primary, canary int) {
	c := r.weightsCache
	service, target := r.canary.Spec.Service.Name, r.canary.Spec.TargetRef.Name
	if c != nil && c.valid && c.seen == c.writes.Count() && c.service == service && c.target == target {
		return c.primary, c.canary
	}
	primary, canary = 100, 0
	if rt, err := r.router.Routes(context.Background(), r.canary); err == nil {
		primary, canary = rt.Primary, rt.Canary
	}
	if c != nil {
		*c = weightsCache{writes: c.writes, valid: true, seen: c.writes.Count(),
			service: service, target: target, primary: primary, canary: canary}
	}
	return primary, canary
}
