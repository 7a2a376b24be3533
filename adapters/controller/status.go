package controller

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// statusWriter writes a Canary's status through the status subresource.
type statusWriter struct {
	canaries rest.Interface // flagger.app/v1beta1
}

var _ engine.StatusWriter = (*statusWriter)(nil)

// newStatusWriter builds the writer's REST client over cfg: a client of
// its own, not controller-runtime's, so that the response is not decoded
// (the status comes back through the informer's watch anyway).
func newStatusWriter(cfg *rest.Config) (*statusWriter, error) {
	c := rest.CopyConfig(cfg)
	c.GroupVersion = &v1.SchemeGroupVersion
	c.APIPath = "/apis"
	c.ContentType = runtime.ContentTypeJSON
	c.NegotiatedSerializer = scheme.Codecs.WithoutConversion()
	canaries, err := rest.RESTClientFor(c)
	if err != nil {
		return nil, fmt.Errorf("canary status client: %w", err)
	}
	return &statusWriter{canaries: canaries}, nil
}

// UpdateStatus replaces the canary's status with st: a JSON patch that
// sends the status alone, not the whole Canary, and applies to the
// canary of cd's UID only (a canary deleted and created again under the
// same name is not written). It needs no resourceVersion: the status is
// the controller's alone, and an update would re-read the canary on a
// conflict only to write the same status again. The response, the whole
// Canary, is read but neither kept nor decoded (Stream, not Do, which
// reads it into a new slice).
func (s *statusWriter) UpdateStatus(ctx context.Context, cd *v1.Canary, st v1.CanaryStatus) error {
	patch, err := json.Marshal([]statusOp{
		{Op: "test", Path: "/metadata/uid", Value: cd.UID},
		{Op: "add", Path: "/status", Value: st},
	})
	if err != nil {
		return fmt.Errorf("canary %s.%s status update failed: %w", cd.Name, cd.Namespace, err)
	}
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		body, err := s.canaries.Patch(types.JSONPatchType).Namespace(cd.Namespace).Resource("canaries").
			Name(cd.Name).SubResource("status").Body(patch).Stream(ctx)
		if err != nil {
			return err
		}
		return discard(body)
	})
	if err != nil {
		return fmt.Errorf("canary %s.%s status update failed: %w", cd.Name, cd.Namespace, err)
	}
	return nil
}

// discard reads a response to its end, into a shared buffer, and closes it.
func discard(body io.ReadCloser) error {
	_, err := io.Copy(io.Discard, body)
	if cerr := body.Close(); err == nil {
		err = cerr
	}
	return err
}

// statusOp is one operation of a JSON patch (RFC 6902).
type statusOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// templates reads MetricTemplates from the manager's cache.
type templates struct{ client client.Reader }

var _ engine.Templates = templates{}

func (t templates) Get(ctx context.Context, namespace, name string) (*v1.MetricTemplate, error) {
	var mt v1.MetricTemplate
	if err := t.client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &mt); err != nil {
		return nil, err
	}
	return &mt, nil
}
