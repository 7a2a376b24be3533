package main

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fledge-canary/fledge/adapters/controller"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// shardLog collects the canaries a controller logged about, and when.
type shardLog struct {
	mu   sync.Mutex
	seen map[string][]time.Time
}

var canaryKey = regexp.MustCompile(`"canary"="([^"]+)"`)

func (l *shardLog) add(args string) {
	m := canaryKey.FindStringSubmatch(args)
	if m == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen[m[1]] = append(l.seen[m[1]], time.Now())
}

// after reports whether the controller logged about canary after t.
func (l *shardLog) after(canary string, t time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.ContainsFunc(l.seen[canary], func(at time.Time) bool { return at.After(t) })
}

func (l *shardLog) canaries() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for k := range l.seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// startShard runs a controller over the cluster with the given
// -watch-label-selector ("" for none) until the test ends.
func startShard(t *testing.T, tc *testCluster, selector string) *shardLog {
	t.Helper()
	args := []string{"-metrics-server=http://127.0.0.1:1", "-enable-leader-election=false"}
	if selector != "" {
		args = append(args, "-watch-label-selector="+selector)
	}
	f, err := parseFlags(args, &testWriter{t})
	must(t, err)
	f.port = 0 // any free port for /metrics
	mgr, err := newManagerFor(tc.env.Config, f)
	must(t, err)
	log := &shardLog{seen: map[string][]time.Time{}}
	rec, err := controller.New(mgr, controller.Options{
		MeshProvider: v1.ProviderOSM, MetricsServer: f.metricsServer, SelectorLabels: f.selectorLabels,
		ConfigTracking: f.configTracking,
		Log:            funcr.New(func(_, args string) { log.add(args) }, funcr.Options{}), Registry: prometheus.NewRegistry(),
		CheckSharedReads: func(what string) { t.Errorf("the controller changed a shared cached object: %s", what) },
	})
	must(t, err)
	must(t, rec.SetupWithManager(mgr, 2))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("shard %q: %v", selector, err)
		}
	})
	return log
}

type testWriter struct{ t *testing.T }

func (w *testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// TestShardsHandleEachCanaryOnce runs two shards and the default controller
// against one API server: every canary is handled by exactly one of them,
// and a canary relabelled from shard a to shard b is handed over.
func TestShardsHandleEachCanaryOnce(t *testing.T) {
	tc := startCluster(t)
	ctx := context.Background()
	ns := "shards"
	must(t, tc.c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}))
	shards := map[string]*shardLog{
		"a":       startShard(t, tc, "fledge.dev/shard in (a)"),
		"b":       startShard(t, tc, "fledge.dev/shard in (b)"),
		"default": startShard(t, tc, "!fledge.dev/shard"),
	}
	want := map[string][]string{}
	for i, shard := range []string{"a", "a", "b", "b", "default", "default"} {
		name := fmt.Sprintf("c%d", i)
		cd := &v1.Canary{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			Spec: v1.CanarySpec{
				TargetRef: v1.LocalObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: name},
				Service:   v1.CanaryService{Port: 9898},
				Analysis:  &v1.CanaryAnalysis{Interval: "10s", Threshold: 2, StepWeight: 10, MaxWeight: 50},
			},
		}
		if shard != "default" {
			cd.Labels = map[string]string{"fledge.dev/shard": shard}
		}
		must(t, tc.c.Create(ctx, cd))
		want[shard] = append(want[shard], name+"."+ns)
	}
	// Each canary's target is missing: every tick logs a Warning naming it.
	shardsSettled := waitFor(ctx, 30*time.Second, func() bool {
		for shard, names := range want {
			if !slices.Equal(shards[shard].canaries(), names) {
				return false
			}
		}
		return true
	})
	if !shardsSettled {
		t.Fatalf("canaries handled: a %v, b %v, default %v; want %v",
			shards["a"].canaries(), shards["b"].canaries(), shards["default"].canaries(), want)
	}

	// Relabel c0 from shard a to shard b: b takes it over, a forgets it
	// (its last lines may be those of a tick in flight at the relabel).
	var c0 v1.Canary
	must(t, tc.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "c0"}, &c0))
	c0.Labels["fledge.dev/shard"] = "b"
	relabelled := time.Now()
	must(t, tc.c.Update(ctx, &c0))
	if !waitFor(ctx, 30*time.Second, func() bool { return shards["b"].after("c0."+ns, relabelled) }) {
		t.Fatal("shard b never handled c0")
	}
	time.Sleep(15 * time.Second) // more than an interval, with room for a slow machine
	if shards["a"].after("c0."+ns, relabelled.Add(3*time.Second)) {
		t.Error("shard a still ticks c0 3s after the relabel")
	}
	if shards["default"].after("c0."+ns, relabelled) {
		t.Error("the default shard handled c0")
	}
	if !shards["a"].after("c1."+ns, relabelled.Add(time.Second)) {
		t.Error("shard a stopped ticking its other canary")
	}
}

func TestLeaderElectionIDPerShard(t *testing.T) {
	a, _ := labels.Parse("fledge.dev/shard in (a)")
	b, _ := labels.Parse("fledge.dev/shard in (b)")
	ids := []string{leaderElectionID(nil), leaderElectionID(a), leaderElectionID(b)}
	if ids[0] != "fledge-leader-election" {
		t.Errorf("unsharded Lease %q, want Flagger's fledge-leader-election", ids[0])
	}
	if ids[1] == ids[2] || ids[1] == ids[0] || leaderElectionID(a) != ids[1] {
		t.Errorf("Leases %q: want one per shard, stable", ids)
	}
}
