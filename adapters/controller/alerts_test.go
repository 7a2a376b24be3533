package controller_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/fledge-canary/fledge/adapters/alerts"
	"github.com/fledge-canary/fledge/adapters/controller"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// chatServer is an httptest chat service that keeps the body of each post
// by path.
type chatServer struct {
	*httptest.Server
	mu    sync.Mutex
	posts map[string][]string
}

func newChatServer() *chatServer {
	c := &chatServer{posts: map[string][]string{}}
	c.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.posts[r.URL.Path] = append(c.posts[r.URL.Path], string(b))
		c.mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/dead/") { // a broken hook that quotes its URL back
			rw.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(rw, "no route to "+r.URL.Path)
			return
		}
		_, _ = io.WriteString(rw, "ok")
	}))
	DeferCleanup(c.Close)
	return c
}

func (c *chatServer) got(path string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.posts[path]...)
}

var _ = Describe("alerts on a real API server", func() {
	It("posts exactly Flagger's alerts of the tutorial's rollback to an AlertProvider from a secret and one by severity", func() {
		chat := newChatServer()
		w := newWorld(40 * time.Second)
		w.logs = &lockedBuffer{}
		noWait := func(context.Context, time.Duration) error { return nil }
		rec, err := controller.NewWithClients(controller.Clients{Client: k8s, Reader: k8s, Config: cfg}, controller.Options{
			MeshProvider: v1.ProviderOSM, MetricsServer: "http://prometheus:9090", SelectorLabels: []string{"app"},
			ConfigTracking: true, Clock: w.clock, Metrics: w.metrics, Log: w.logger(), ClusterName: "envtest",
			AlertOptions: alerts.Options{Sleep: noWait},
		})
		Expect(err).NotTo(HaveOccurred())
		w.rec = rec
		ctx := suiteCtx
		Expect(k8s.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "slack-url", Namespace: w.ns},
			StringData: map[string]string{"address": chat.URL + "/services/T0/B0/slack-secret"}})).To(Succeed())
		Expect(k8s.Create(ctx, &v1.AlertProvider{ObjectMeta: metav1.ObjectMeta{Name: "on-call", Namespace: w.ns},
			Spec: v1.AlertProviderSpec{Type: "slack", Channel: "deploys", SecretRef: &v1.SecretReference{Name: "slack-url"}}})).To(Succeed())
		Expect(k8s.Create(ctx, &v1.AlertProvider{ObjectMeta: metav1.ObjectMeta{Name: "dead", Namespace: w.ns},
			Spec: v1.AlertProviderSpec{Type: "discord", Address: chat.URL + "/dead/dead-secret"}})).To(Succeed())
		Expect(k8s.Create(ctx, &v1.AlertProvider{ObjectMeta: metav1.ObjectMeta{Name: "teams", Namespace: w.ns},
			Spec: v1.AlertProviderSpec{Type: "msteams", Address: chat.URL + "/webhookb2/teams-secret"}})).To(Succeed())

		cd := w.tutorialCanary()
		cd.Spec.Analysis.Alerts = []v1.CanaryAlert{
			{Name: "on-call", Severity: "info", ProviderRef: v1.CrossNamespaceObjectReference{Name: "on-call"}},
			{Name: "errors", Severity: "error", ProviderRef: v1.CrossNamespaceObjectReference{Name: "teams"}},
			{Name: "broken", Severity: "error", ProviderRef: v1.CrossNamespaceObjectReference{Name: "dead"}},
		}
		Expect(k8s.Create(ctx, cd)).To(Succeed())
		w.tickUntil(cd, 5, v1.PhaseInitialized)
		setTargetImage(w, "ghcr.io/stefanprodan/podinfo:6.0.2")
		script := map[int][2]float64{6: {69.17, 50}, 7: {61.39, 50}, 8: {55.06, 50}, 9: {100, 1200}, 10: {100, 1450}}
		for i := 1; i <= 20 && w.canary("podinfo").Status.Phase != v1.PhaseFailed; i++ {
			if v, ok := script[i]; ok {
				w.metrics.set(v1.BuiltinSuccessRate, v[0])
				w.metrics.set(v1.BuiltinDuration, v[1])
			}
			w.tick(cd)
		}
		Expect(w.canary("podinfo").Status.Phase).To(Equal(v1.PhaseFailed))
		closeCtx, cancel := context.WithTimeout(ctx, time.Minute) // delivers what is queued; a guard, not a bound
		defer cancel()
		Expect(w.rec.Close(closeCtx)).To(Succeed())

		ns := w.ns
		meta := `{"title":"Target","value":"Deployment/podinfo.` + ns + `","short":false},{"title":"Failed checks threshold","value":"5","short":false},` +
			`{"title":"Progress deadline","value":"60s","short":false},{"title":"Traffic routing","value":"Weight step: 5 max: 50","short":false}`
		slack := func(color, text, fields string) string {
			return `{"channel":"deploys","username":"flagger","icon_url":"","icon_emoji":":rocket:","attachments":[{"color":"` + color +
				`","author_name":"podinfo.` + ns + `","text":"` + text + `","mrkdwn_in":["text"],"fields":[{"title":"Cluster","value":"envtest","short":false}` + fields + `]}]}`
		}
		Expect(chat.got("/services/T0/B0/slack-secret")).To(Equal([]string{
			slack("good", "New Deployment detected, initialization completed.", ","+meta),
			slack("good", "New revision detected, progressing canary analysis.", ","+meta),
			slack("danger", "Failed checks threshold reached 5", ""),
		}))
		Expect(chat.got("/webhookb2/teams-secret")).To(Equal([]string{
			`{"@type":"MessageCard","@context":"http://schema.org/extensions","themeColor":"FF0000","summary":"podinfo.` + ns +
				`","sections":[{"activityTitle":"Failed checks threshold reached 5","activitySubtitle":"podinfo.` + ns +
				`","facts":[{"name":"Cluster","value":"envtest"}]}]}`,
		}))
		Expect(chat.got("/dead/dead-secret/slack")).To(HaveLen(3), "a 500 is tried three times")
		logs := w.logs.String()
		Expect(logs).To(ContainSubstring("alert of podinfo." + ns + " to alert broken not sent: posting to discord " + chat.URL +
			`/… failed after 3 attempt(s): status 500: \"no route to <redacted>\"`))
		Expect(logs).NotTo(ContainSubstring("dead-secret"))
		Expect(logs).NotTo(ContainSubstring("slack-secret"))
	})

	It("refuses a Fledge-unknown provider type at the API server, as Flagger's CRD does", func() {
		w := newWorld(time.Second)
		err := k8s.Create(suiteCtx, &v1.AlertProvider{ObjectMeta: metav1.ObjectMeta{Name: "pager", Namespace: w.ns},
			Spec: v1.AlertProviderSpec{Type: "pagerduty", Address: "https://example.com/"}})
		Expect(err).To(MatchError(ContainSubstring(`spec.type: Unsupported value: "pagerduty"`)))
	})
})

// setTargetImage rolls the world's podinfo Deployment to image.
func setTargetImage(w *world, image string) {
	var dep appsv1.Deployment
	Expect(k8s.Get(suiteCtx, types.NamespacedName{Namespace: w.ns, Name: "podinfo"}, &dep)).To(Succeed())
	dep.Spec.Template.Spec.Containers[0].Image = image
	Expect(k8s.Update(suiteCtx, &dep)).To(Succeed())
}
