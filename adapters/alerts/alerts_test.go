package alerts_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/fledge-canary/fledge/adapters/alerts"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// secretPath is the credential part of every test webhook URL: it must
// never show in an error.
const secretPath = "/services/T000/B000/XXXXsecretXXXX"

// rollbackAlert is the alert of the tutorial's rollback, on a cluster
// named prod-eu.
var rollbackAlert = engine.Alert{
	Time: time.Date(2026, 1, 1, 0, 5, 0, 0, time.UTC), Canary: "podinfo", Namespace: "test",
	Severity: "error", Message: "Failed checks threshold reached 5",
	Fields: []engine.AlertField{{Name: "Cluster", Value: "prod-eu"}},
}

// startAlert announces an analysis, with Flagger's metadata fields.
var startAlert = engine.Alert{
	Canary: "podinfo", Namespace: "test", Severity: "info",
	Message: "New revision detected, progressing canary analysis.",
	Fields: []engine.AlertField{
		{Name: "Target", Value: "Deployment/podinfo.test"},
		{Name: "Failed checks threshold", Value: "5"},
		{Name: "Progress deadline", Value: "60s"},
		{Name: "Traffic routing", Value: "Weight step: 5 max: 50"},
	},
}

// post is one request a receiver got.
type post struct {
	path, contentType, auth, body string
}

// receiver is an httptest chat server that answers each post with the
// next of its answers (200 when they run out) and keeps what it got.
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	posts   []post
	answers []func(w http.ResponseWriter)
}

func newReceiver(t *testing.T, answers ...func(w http.ResponseWriter)) *receiver {
	r := &receiver{answers: answers}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.posts = append(r.posts, post{req.URL.Path, req.Header.Get("Content-Type"), req.Header.Get("Authorization"), string(b)})
		var answer func(w http.ResponseWriter)
		if len(r.answers) > 0 {
			answer, r.answers = r.answers[0], r.answers[1:]
		}
		r.mu.Unlock()
		if answer != nil {
			answer(w)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) got() []post {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]post(nil), r.posts...)
}

// fakeReader serves AlertProviders and secrets from maps keyed "ns/name".
type fakeReader struct {
	providers map[string]*v1.AlertProvider
	secrets   map[string]map[string][]byte
}

func (f fakeReader) GetAlertProvider(_ context.Context, ns, name string) (*v1.AlertProvider, error) {
	if p, ok := f.providers[ns+"/"+name]; ok {
		return p.DeepCopy(), nil
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Group: "flagger.app", Resource: "alertproviders"}, name)
}

func (f fakeReader) GetSecret(_ context.Context, ns, name string) (map[string][]byte, error) {
	if d, ok := f.secrets[ns+"/"+name]; ok {
		return d, nil
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "secrets"}, name)
}

func provider(name, typ string, spec func(*v1.AlertProviderSpec)) *v1.AlertProvider {
	p := &v1.AlertProvider{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "test"}, Spec: v1.AlertProviderSpec{Type: typ}}
	if spec != nil {
		spec(&p.Spec)
	}
	return p
}

// sendAll sends each alert through a new Sender and waits for delivery.
func sendAll(t *testing.T, opts alerts.Options, as ...engine.Alert) (*alerts.Sender, []error) {
	t.Helper()
	var mu sync.Mutex
	var errs []error
	opts.OnError = func(err error) { mu.Lock(); errs = append(errs, err); mu.Unlock() }
	s := alerts.NewSender(opts)
	for _, a := range as {
		s.Send(a)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a guard against a hang, not a bound
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, err := range errs {
		if strings.Contains(err.Error(), "XXXXsecretXXXX") || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("an error shows the webhook credential: %v", err)
		}
	}
	return s, errs
}

func to(rcv string) engine.AlertReceiver {
	return engine.AlertReceiver{Name: rcv, Provider: rcv, ProviderNamespace: "test"}
}

func with(a engine.Alert, receivers ...string) engine.Alert {
	for _, r := range receivers {
		a.Receivers = append(a.Receivers, to(r))
	}
	return a
}
