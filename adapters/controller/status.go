package controller

import (
	"context"
	"fmt"

	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// statusWriter writes a Canary's status through the status subresource,
// re-reading the object from the API server on a conflict.
type statusWriter struct {
	client client.Client
	reader client.Reader // uncached, for conflict retries
}

var _ engine.StatusWriter = (*statusWriter)(nil)

func (s *statusWriter) UpdateStatus(ctx context.Context, cd *v1.Canary, st v1.CanaryStatus) error {
	obj := cd.DeepCopy()
	first := true
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if !first {
			if err := s.reader.Get(ctx, client.ObjectKeyFromObject(cd), obj); err != nil {
				return err
			}
		}
		first = false
		obj.Status = *st.DeepCopy()
		return s.client.Status().Update(ctx, obj)
	})
	if err != nil {
		return fmt.Errorf("canary %s.%s status update failed: %w", cd.Name, cd.Namespace, err)
	}
	return nil
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
