package engine_test

import (
	"fmt"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/core/engine/enginetest"
	"github.com/fledge-canary/fledge/core/query"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The runs of Flagger's OSM tutorial, with the metric values
// it shows scripted tick by tick, and the event lines as Flagger v1.44
// prints them (docs/flagger-compatibility.md, Events, lists the three lines the tutorial shows in an
// older wording).
var _ = Describe("The OSM tutorial", func() {
	var h *enginetest.Harness

	// start bootstraps the tutorial's canary and sets a new image, with the
	// canary and primary rolling out one tick after each change.
	start := func(image string, mods ...func(*v1.Canary)) {
		cd := tutorialCanary()
		for _, m := range mods {
			m(cd)
		}
		h = enginetest.NewHarness(cd, "ghcr.io/stefanprodan/podinfo:6.0.0")
		healthy(h)
		h.World.MarkReady(engine.RoleCanary)
		h.Tick()
		h.World.MarkReady(engine.RolePrimary)
		h.Tick()
		Expect(h.Canary.Status.Phase).To(Equal(v1.PhaseInitialized))
		h.World.SetTemplate(image)
	}
	advances := func(ws ...int) []string {
		var lines []string
		for _, w := range ws {
			lines = append(lines, fmt.Sprintf("Normal Advance podinfo.test canary weight %d", w))
		}
		return lines
	}
	opening := []string{
		"Normal New revision detected! Scaling up podinfo.test",
		"Warning canary deployment podinfo.test not ready: waiting for rollout to finish: 0 out of 1 new replicas have been updated",
		"Normal Starting canary analysis for podinfo.test",
		"Normal Pre-rollout check acceptance-test passed",
	}
	// run ticks until the canary settles, marking the canary ready after its
	// first wait and the primary after its, calling script before each tick.
	run := func(script func(tick int)) []string {
		before := len(h.World.Events)
		for i := 1; i <= 40; i++ {
			if script != nil {
				script(i)
			}
			h.Tick()
			if i == 2 {
				h.World.MarkReady(engine.RoleCanary)
			}
			if h.Canary.Status.Phase == v1.PhasePromoting {
				h.World.MarkReady(engine.RolePrimary)
			}
			if p := h.Canary.Status.Phase; p == v1.PhaseSucceeded || p == v1.PhaseFailed {
				break
			}
		}
		return enginetest.Lines(h.World.Events[before:])
	}

	It("promotes 6.0.1 in steps of 5 up to 50", func() {
		start("ghcr.io/stefanprodan/podinfo:6.0.1")
		events := run(nil)
		want := append(append([]string{}, opening...), advances(5, 10, 15, 20, 25, 30, 35, 40, 45, 50)...)
		want = append(want,
			"Normal Copying podinfo.test template spec to podinfo-primary.test",
			"Normal Routing all traffic to primary",
			"Normal Promotion completed! Scaling down podinfo.test",
		)
		Expect(events).To(Equal(want))
		Expect(h.Canary.Status.Phase).To(Equal(v1.PhaseSucceeded))
		Expect(h.Weights()).To(Equal([]int{5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 0}))
		// Interval 30s: Starting tick, nine advances, the promote tick, then
		// Promoting and Finalising; the load test ran on every analysed tick.
		loadTests := 0
		for _, c := range h.World.Calls {
			if c.Hook.Name == "load-test" {
				loadTests++
				Expect(c.Payload.Metadata).To(HaveKeyWithValue("cmd", "hey -z 2m -q 10 -c 2 http://podinfo-canary.test:9898/"))
			}
		}
		Expect(loadTests).To(Equal(10))
	})

	It("rolls 6.0.2 back after five failed checks (500s, then latency)", func() {
		start("ghcr.io/stefanprodan/podinfo:6.0.2")
		values := map[int][2]float64{ // tick: success rate, P99 ms
			6: {69.17, 100}, 7: {61.39, 100}, 8: {55.06, 100}, 9: {100, 1200}, 10: {100, 1450},
		}
		events := run(func(tick int) {
			v, ok := values[tick]
			if !ok {
				v = [2]float64{100, 100}
			}
			h.World.Values[v1.BuiltinSuccessRate], h.World.Values[v1.BuiltinDuration] = v[0], v[1]
		})
		want := append(append([]string{}, opening...), advances(5, 10, 15)...)
		want = append(want,
			"Warning Halt podinfo.test advancement success rate 69.17% < 99%",
			"Warning Halt podinfo.test advancement success rate 61.39% < 99%",
			"Warning Halt podinfo.test advancement success rate 55.06% < 99%",
			"Warning Halt podinfo.test advancement request duration 1.2s > 500ms",
			"Warning Halt podinfo.test advancement request duration 1.45s > 500ms",
			"Warning Rolling back podinfo.test failed checks threshold reached 5",
			"Warning Canary failed! Scaling down podinfo.test",
		)
		Expect(events).To(Equal(want))
		Expect(h.Canary.Status.Phase).To(Equal(v1.PhaseFailed))
		Expect(h.Canary.Status.FailedChecks).To(Equal(0), "Flagger v1.44 resets failedChecks on rollback")
		Expect(h.Canary.Status.CanaryWeight).To(Equal(0))
		Expect(h.Weights()).To(Equal([]int{5, 10, 15, 0}))
		Expect(h.World.Target.Replicas).To(BeZero())
	})

	It("rolls 6.0.3 back on the 404s percentage query", func() {
		notFound := `100 - (
  sum(
      rate(
          osm_request_total{
            destination_namespace="test",
            destination_kind="Deployment",
            destination_name="podinfo",
            response_code!="404"
          }[1m]
      )
  )
  /
  sum(
      rate(
          osm_request_total{
            destination_namespace="test",
            destination_kind="Deployment",
            destination_name="podinfo"
          }[1m]
      )
  ) * 100
)
`
		start("ghcr.io/stefanprodan/podinfo:6.0.3", withAnalysis(func(a *v1.CanaryAnalysis) {
			a.Metrics = append(a.Metrics, v1.CanaryMetric{Name: "404s percentage", Threshold: 3, Query: notFound})
		}))
		h.World.NameQuery(query.Collapse(notFound), "404s percentage")
		percentages := []float64{6.20, 6.45, 7.22, 6.50, 6.34}
		events := run(func(tick int) {
			h.World.Values["404s percentage"] = 0
			if i := tick - 4; i >= 0 && i < len(percentages) {
				h.World.Values["404s percentage"] = percentages[i]
			}
		})
		want := append(append([]string{}, opening...), advances(5)...)
		want = append(want,
			"Warning Halt podinfo.test advancement 404s percentage 6.20 > 3",
			"Warning Halt podinfo.test advancement 404s percentage 6.45 > 3",
			"Warning Halt podinfo.test advancement 404s percentage 7.22 > 3",
			"Warning Halt podinfo.test advancement 404s percentage 6.50 > 3",
			"Warning Halt podinfo.test advancement 404s percentage 6.34 > 3",
			"Warning Rolling back podinfo.test failed checks threshold reached 5",
			"Warning Canary failed! Scaling down podinfo.test",
		)
		Expect(events).To(Equal(want))
		Expect(h.Canary.Status.Phase).To(Equal(v1.PhaseFailed))
	})
})
