package controller_test

import (
	"fmt"
	"os"
	"slices"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/fledge-canary/fledge/adapters/kube/kubetest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// restartPoints are the ticks of the tutorial's promotion (counted from
// the change of image) after which the controller is restarted: a few by
// default, every one of the 18 with FLEDGE_RELIABILITY=full.
func restartPoints() []int {
	if os.Getenv("FLEDGE_RELIABILITY") == "full" {
		points := make([]int, 19)
		for i := range points {
			points[i] = i
		}
		return points
	}
	return []int{0, 4, 13, 16}
}

var _ = Describe("a controller restarted between ticks", func() {
	for _, k := range restartPoints() {
		It(fmt.Sprintf("promotes 6.0.1 as without the restart when it restarts after tick %d", k), func() {
			w := newWorld(40 * time.Second)
			cd := w.tutorialCanary()
			Expect(k8s.Create(suiteCtx, cd)).To(Succeed())
			w.tickUntil(cd, 5, v1.PhaseInitialized)
			boot := w.bootEvents()
			var dep appsv1.Deployment
			Expect(k8s.Get(suiteCtx, types.NamespacedName{Namespace: w.ns, Name: "podinfo"}, &dep)).To(Succeed())
			dep.Spec.Template.Spec.Containers[0].Image = "ghcr.io/stefanprodan/podinfo:6.0.1"
			Expect(k8s.Update(suiteCtx, &dep)).To(Succeed())
			bootEmitted := emitted(w.events("podinfo", len(boot)))
			for range k {
				w.tick(cd)
			}
			// The events the first process emitted after the change: the
			// new one's recorder starts without them, so a message it repeats
			// is a new Event, not a higher count on the old one.
			before := emitted(w.events("podinfo", len(boot))) - bootEmitted
			w.restart()
			w.tickUntil(cd, 30, v1.PhaseSucceeded, v1.PhaseFailed)

			got := w.canary("podinfo")
			Expect(got.Status.Phase).To(Equal(v1.PhaseSucceeded))
			promote := renamespace(expectedEvents("tutorial-promote"), w.ns)
			want := asDescribedBy(append(slices.Clone(boot), promote[:before]...), promote[before:])
			Expect(messages(w.events("podinfo", len(want)))).To(Equal(want))
			Expect(w.weights).To(Equal([]int{0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 0}))
		})
	}
})

// emitted is how many events were recorded into these Events (repeats
// fold into one Event's count).
func emitted(events []corev1.Event) int {
	n := 0
	for _, e := range events {
		n += int(max(e.Count, 1))
	}
	return n
}

// asDescribedBy is asDescribed for the events of two processes, in order:
// each folds repeats of its own messages only.
func asDescribedBy(first, second []string) []string {
	tagged := make([]string, 0, len(first)+len(second))
	for _, m := range first {
		tagged = append(tagged, "1\x00"+m)
	}
	for _, m := range second {
		tagged = append(tagged, "2\x00"+m)
	}
	out := kubetest.AsDescribed(tagged)
	for i, m := range out {
		out[i] = m[2:]
	}
	return out
}
