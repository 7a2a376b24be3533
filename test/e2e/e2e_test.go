//go:build unix

package e2e

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fledge-canary/fledge/adapters/kube/kubetest"
	promadapter "github.com/fledge-canary/fledge/adapters/prometheus"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/core/query"
	"github.com/fledge-canary/fledge/sim/metrics"
	"github.com/fledge-canary/fledge/sim/tsdb"
)

// TestRealPrometheus runs the exporter, a real Prometheus scraping it, the
// embedded engine over the samples Prometheus stored, and the controller
// judging a canary from Prometheus; see the package documentation.
func TestRealPrometheus(t *testing.T) {
	began := time.Now()
	var timings []string
	lap := func(what string, since time.Time) {
		timings = append(timings, fmt.Sprintf("%s %v", what, time.Since(since).Round(100*time.Millisecond)))
	}
	defer func() {
		t.Logf("timings: %s; total %v", strings.Join(timings, ", "), time.Since(began).Round(100*time.Millisecond))
	}()

	exp := startExporter(t)
	kube := startKubeInBackground(t)
	step := time.Now()
	prom := startPrometheus(t, strings.TrimPrefix(exp.URL, "http://"))
	t.Logf("Prometheus version %s", prom.Version)
	lap("prometheus start", step)

	// A few scrapes (Prometheus applies new targets every 5s, so the first
	// comes late), and idle's traffic stopped more than 5s ago.
	step = time.Now()
	waitForScrapes(t, prom, 8, exp.Start.Add(idleFor+7*time.Second))
	lap("first scrapes", step)

	var firstScrape int64
	t.Run("Prometheus and the embedded engine agree", func(t *testing.T) {
		step := time.Now()
		stored, store := readBack(t, prom, exp)
		res := comparePass(t, prom, stored, store, 5)
		firstScrape = res.first
		lap("compare", step)
	})
	if firstScrape == 0 {
		t.Fatal("no scrape times learnt: cannot place the controller's clock")
	}

	t.Run("the controller rolls back a canary answering 500s", func(t *testing.T) {
		step := time.Now()
		env := kube(t)
		lap("envtest wait", step)
		step = time.Now()
		testRollback(t, env, prom, exp, firstScrape)
		lap("controller", step)
	})

	t.Run("Prometheus and the embedded engine agree over full windows", func(t *testing.T) {
		step := time.Now()
		stored, store := readBack(t, prom, exp)
		res := comparePass(t, prom, stored, store, 8)
		t.Logf("%d evaluations, %d of them with a sample exactly at t-30s", res.asked, res.boundary)
		lap("compare (full windows)", step)
	})

	t.Run("Prometheus down: the check fails and the canary never advances", func(t *testing.T) {
		step := time.Now()
		env := kube(t)
		testPrometheusDown(t, env, prom)
		lap("prometheus down", step)
	})
}

// startKubeInBackground starts envtest while Prometheus starts and scrapes;
// the returned func waits for it (failing the test when it did not start).
// It is stopped when the test ends.
func startKubeInBackground(t *testing.T) func(*testing.T) *kubeEnv {
	type started struct {
		env  *kubeEnv
		stop func() error
		err  error
	}
	ch := make(chan started, 1)
	go func() {
		env, stop, err := startKube()
		ch <- started{env, stop, err}
	}()
	get := sync.OnceValue(func() started { return <-ch })
	t.Cleanup(func() {
		if s := get(); s.stop != nil {
			if err := s.stop(); err != nil {
				t.Errorf("stopping envtest: %v", err)
			}
		}
	})
	return func(t *testing.T) *kubeEnv {
		t.Helper()
		s := get()
		if s.err != nil {
			t.Fatal(s.err)
		}
		return s.env
	}
}

// waitForScrapes waits until Prometheus holds n scrapes of the canary's
// 500s and the wall clock is past notBefore.
func waitForScrapes(t *testing.T, p *promServer, n int, notBefore time.Time) {
	t.Helper()
	q := fmt.Sprintf(`count_over_time(osm_request_total{destination_name=%q, response_code="500"}[10m])`, target)
	got := 0
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		res, err := p.query(context.Background(), q, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		list, err := res.series()
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 1 {
			_, v, _ := sample(list[0].Value)
			got = int(v)
		}
		if got >= n && time.Now().After(notBefore) {
			return
		}
	}
	t.Fatalf("Prometheus has %d scrapes of the exporter after 30s, want %d", got, n)
}

// readBack reads Prometheus' samples up to a second ago, checks them
// against the exporter and loads them into an embedded store.
func readBack(t *testing.T, p *promServer, exp *exporter) (map[string]*storedSeries, *tsdb.Store) {
	t.Helper()
	fetchAt := time.Now().Add(-time.Second).Truncate(time.Millisecond)
	stored, err := p.storedSamples(context.Background(), fetchAt)
	if err != nil {
		t.Fatalf("reading back Prometheus' samples: %v", err)
	}
	n, err := exp.checkStored(stored)
	if err != nil {
		t.Fatal(err)
	}
	store, err := toStore(stored)
	if err != nil {
		t.Fatal(err)
	}
	series, samples := store.Stats()
	t.Logf("read back %d series, %d samples up to %s; all %d are values the exporter served (it was scraped %d times)",
		series, samples, fetchAt.Format("15:04:05.000"), n, exp.scrapes())
	return stored, store
}

// testRollback runs the tutorial's canary against the real Prometheus: the
// canary answers 30% 500s, so every check halts and the canary is rolled
// back after five, never promoted. Each Halt's success rate must be the
// embedded engine's over the samples Prometheus stored, at the tick's time.
func testRollback(t *testing.T, env *kubeEnv, p *promServer, exp *exporter, firstScrape int64) {
	// The ticks before the analysis query nothing, so the clock may start
	// in the past; the fifth tick, the first to check metrics, falls 4.5s
	// after Prometheus' first scrape, half-way between two scrapes. Before
	// every tick that checks metrics the test waits for the wall clock to
	// pass the fake one by a second, so that Prometheus has the data.
	const interval = 10 * time.Second
	clockStart := time.UnixMilli(firstScrape + 4500).Add(-4 * interval)
	w := newWorld(t, env, namespace, p.URL, clockStart)
	cd := w.tutorialCanary()
	must(t, env.k8s.Create(context.Background(), cd))
	w.tickUntil(cd, 5, nil, v1.PhaseInitialized)
	w.setImage("ghcr.io/stefanprodan/podinfo:6.0.2")
	var checkedAt []time.Time
	waited := time.Duration(0)
	w.tickUntil(cd, 20, func(got *v1.Canary) {
		st := got.Status
		if st.Phase != v1.PhaseProgressing || st.CanaryWeight == 0 || st.FailedChecks >= got.GetThreshold() {
			return // this tick checks no metric
		}
		at := w.clock.Now()
		if wait := time.Until(at.Add(time.Second)); wait > 0 {
			waited += wait
			time.Sleep(wait)
		}
		checkedAt = append(checkedAt, at)
	}, v1.PhaseFailed, v1.PhaseSucceeded)
	t.Logf("%d metric checks at %v; slept %v for Prometheus to have their data", len(checkedAt), times(checkedAt), waited.Round(time.Millisecond))

	got := w.canary(cd.Name)
	if got.Status.Phase != v1.PhaseFailed {
		t.Fatalf("canary is %s, want Failed", got.Status.Phase)
	}
	if !slices.Equal(w.weights, []int{0, 5, 0}) {
		t.Errorf("canary weights %v, want [0 5 0]: one step, then back to the primary", w.weights)
	}

	// The Halts, as the embedded engine computes them on the same samples
	// (over 30.001s in the unlikely case of a sample at exactly t-30s,
	// which Prometheus 2 counts and 3 does not).
	stored, store := readBack(t, p, exp)
	emb := metrics.New(tsdb.NewEngine(store))
	var want []string
	for _, at := range checkedAt {
		interval := "30s"
		if sampleAt(stored, at.Add(-30*time.Second)) {
			interval = "30001ms"
		}
		q, err := query.SuccessRate(query.Model{Name: cd.Name, Namespace: namespace, Target: target, Interval: interval})
		must(t, err)
		v, err := emb.Query(context.Background(), engine.Query{PromQL: q, At: at})
		if err != nil {
			t.Fatalf("embedded success rate at %s: %v", at.Format("15:04:05.000"), err)
		}
		want = append(want, fmt.Sprintf("Halt %s.%s advancement success rate %.2f%% < 99%%", cd.Name, namespace, v))
	}
	want = append(kubetest.AsDescribed(want),
		fmt.Sprintf("Rolling back %s.%s failed checks threshold reached 5", cd.Name, namespace),
		fmt.Sprintf("Canary failed! Scaling down %s.%s", cd.Name, namespace))
	events := w.events(cd.Name, 1, "Canary failed!")
	advance := slices.Index(events, fmt.Sprintf("Advance %s.%s canary weight 5", cd.Name, namespace))
	if advance < 0 || !slices.EqualFunc(events[advance+1:], want, sameEvent) {
		t.Errorf("events:\n  %s\nwant, after the advance to weight 5:\n  %s", strings.Join(events, "\n  "), strings.Join(want, "\n  "))
	}
	for _, e := range events {
		if strings.Contains(e, "Promotion") || strings.Contains(e, "Copying") || strings.Contains(e, "weight 10") {
			t.Errorf("the canary advanced: %q", e)
		}
	}
	t.Logf("events after the advance to 5:\n  %s", strings.Join(events[max(0, advance+1):], "\n  "))
}

// haltRate matches a Halt on the success rate.
var haltRate = regexp.MustCompile(`^(Halt .* advancement success rate )([0-9.]+)(% < 99%)$`)

// sameEvent compares two event messages, Halts on the success rate within
// the rounding of their two decimals (an engine's last bit may round a
// value ending in 5 at the third decimal the other way).
func sameEvent(got, want string) bool {
	g, w := haltRate.FindStringSubmatch(got), haltRate.FindStringSubmatch(want)
	if g == nil || w == nil {
		return got == want
	}
	gv, err1 := strconv.ParseFloat(g[2], 64)
	wv, err2 := strconv.ParseFloat(w[2], 64)
	return err1 == nil && err2 == nil && g[1] == w[1] && math.Abs(gv-wv) <= 0.0100001
}

func times(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, at := range ts {
		out[i] = at.Format("15:04:05.000")
	}
	return out
}

// testPrometheusDown stops Prometheus and runs another canary against its
// address: the provider check and every metric check fail with the
// connection error, and the canary is rolled back without advancing past
// its first step (which, as in Flagger, is taken before any metric check).
func testPrometheusDown(t *testing.T, env *kubeEnv, p *promServer) {
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	client := promadapter.New(promadapter.Options{DefaultAddress: p.URL})
	err := client.Available(context.Background(), engine.Source{})
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("Available with Prometheus stopped = %v, want connection refused", err)
	}
	t.Logf("Available: %v", err)

	const ns = "prometheus-down"
	w := newWorld(t, env, ns, p.URL, time.Now())
	cd := w.tutorialCanary()
	must(t, env.k8s.Create(context.Background(), cd))
	w.tickUntil(cd, 5, nil, v1.PhaseInitialized)
	w.setImage("ghcr.io/stefanprodan/podinfo:6.0.1")
	w.tickUntil(cd, 20, nil, v1.PhaseFailed, v1.PhaseSucceeded)
	if phase := w.canary(cd.Name).Status.Phase; phase != v1.PhaseFailed {
		t.Errorf("canary is %s, want Failed", phase)
	}
	if !slices.Equal(w.weights, []int{0, 5, 0}) {
		t.Errorf("canary weights %v, want [0 5 0]", w.weights)
	}
	events := w.events(cd.Name, 1, "Canary failed!")
	wantPrefixes := []string{
		"Error checking metric providers: prometheus not available: request failed: Get \"" + p.URL + "/api/v1/query?query=vector%281%29\": dial tcp",
		"Prometheus query failed: running query failed: request failed: Get \"" + p.URL + "/api/v1/query?query=",
		"Rolling back " + cd.Name + "." + ns + " failed checks threshold reached 5",
	}
	for _, want := range wantPrefixes {
		if !slices.ContainsFunc(events, func(e string) bool { return strings.HasPrefix(e, want) }) {
			t.Errorf("no event starting %q in:\n  %s", want, strings.Join(events, "\n  "))
		}
	}
	failures := 0
	for _, e := range events {
		if strings.Contains(e, "request failed") {
			failures++
			if !strings.HasSuffix(e, "connect: connection refused") {
				t.Errorf("event %q does not say the connection was refused", e)
			}
		}
	}
	for _, e := range events {
		if strings.Contains(e, "Halt") || strings.Contains(e, "weight 10") || strings.Contains(e, "Promotion") {
			t.Errorf("unexpected event %q", e)
		}
	}
	t.Logf("%d events about the connection error; the first of each kind:\n  %s", failures, strings.Join(firstOfEach(events), "\n  "))
}

// firstOfEach drops the events that repeat the previous one's first 40
// characters (the query failures differ only in the URL's time).
func firstOfEach(events []string) []string {
	var out []string
	for i, e := range events {
		if i > 0 && e[:min(40, len(e))] == events[i-1][:min(40, len(events[i-1]))] {
			continue
		}
		out = append(out, e)
	}
	return out
}
