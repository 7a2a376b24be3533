package sim

import (
	"context"
	"sync"

	"github.com/fledge-canary/fledge/adapters/kube"
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

// weightsCache keeps the apex weights the traffic model last read, with
// what they depend on: the writes to the routes (TrafficSplits of either
// version, HTTPRoutes) and the Canary's apex Service, provider and A/B
// match. The model asks once per scrape interval; the routes change a few
// times a run.
type weightsCache struct {
	writes, gwWrites *cluster.Writes
	valid            bool
	abTesting        bool
	seen             uint64
	service, target  string
	primary, canary  int
}

// cacheReads makes the run's repeated reads of unchanged objects cheap:
// the kubelet lists the Deployments only after a write to them, and the
// traffic model reads the weights only after a write to a route.
// The clientsets count their writes from here on, so any reactor that
// answers writes itself (the injected faults) must be in place before.
func (r *run) cacheReads() {
	r.kubelet.CacheDeployments(r.kubeFake)
	r.weightsCache = &weightsCache{writes: cluster.CountWrites(r.smi, "*"), gwWrites: cluster.CountWrites(r.gw, "*")}
}

// weights are the apex weights for the traffic model (see apexWeights):
// all to the primary while there is no route.
func (r *run) weights() (primary, canary int) {
	c := r.weightsCache
	service, target := r.canary.Spec.Service.Name, r.canary.Spec.TargetRef.Name
	ab := len(r.canary.GetAnalysis().Match) > 0
	if c != nil && c.valid && c.seen == c.count() && c.service == service && c.target == target && c.abTesting == ab {
		return c.primary, c.canary
	}
	primary, canary, err := r.apexWeights(context.Background())
	if err != nil {
		primary, canary = 100, 0
	}
	if c != nil {
		*c = weightsCache{writes: c.writes, gwWrites: c.gwWrites, valid: true, seen: c.count(), abTesting: ab,
			service: service, target: target, primary: primary, canary: canary}
	}
	return primary, canary
}

// readThroughCache makes the controller's adapters read through
// cluster.CacheReads, as the controller's read through its informer
// caches: a Get of an object not written since it was last read costs a
// deep copy, not a pass through the fake's reactor chain. Writes, and the
// kubelet's and the actions' calls, go to the fakes as before. Not for a
// run with injected faults, whose reactors must see every read.
func (r *run) readThroughCache() {
	reads := cluster.CacheReads(r.kubeFake, r.smi, r.gw, r.kubeFake, r.smi, r.gw)
	r.reads = &reads
	r.router.Router = r.newRouter()
	r.engine.Workload = kube.NewWorkload(reads.Kube, kube.Options{ConfigTracking: true})
}

// count is the writes to routes so far.
func (c *weightsCache) count() uint64 { return c.writes.Count() + c.gwWrites.Count() }
