package kube

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// Release points the apex Service at the target's pods (its selector
// values lose their -primary suffix) and removes the Canary's ownership of
// it, so that garbage collection of the Canary's objects keeps it. A
// missing apex Service is not an error.
func (s *Services) Release(ctx context.Context, cd *v1.Canary) error {
	svcs := s.client.CoreV1().Services(cd.Namespace)
	name := cd.GetServiceNames().Apex
	apex, err := svcs.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("service %s.%s get query error: %w", name, cd.Namespace, err)
	}
	apex = apex.DeepCopy() // a Get may answer the cache's object
	for k, v := range apex.Spec.Selector {
		apex.Spec.Selector[k] = trimPrimary(v)
	}
	var owners []metav1.OwnerReference
	for _, o := range apex.OwnerReferences {
		if o.UID != cd.UID {
			owners = append(owners, o)
		}
	}
	apex.OwnerReferences = owners
	if _, err := svcs.Update(ctx, apex, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("service %s.%s update error: %w", name, cd.Namespace, err)
	}
	return nil
}

func trimPrimary(v string) string {
	if len(v) > len(primarySuffix) && strings.HasSuffix(v, primarySuffix) {
		return strings.TrimSuffix(v, primarySuffix)
	}
	return v
}
