package controller

import (
	"context"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fledge-canary/fledge/adapters/alerts"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// newAlertSender starts the Sender that posts the engine's alerts. Failed
// posts are logged; their errors hold no webhook URL, token or proxy.
func newAlertSender(c Clients, kubeClient kubernetes.Interface, opts Options) *alerts.Sender {
	ao := opts.AlertOptions
	ao.Reader = alertReader{reader: c.Reader, secrets: secrets{kubeClient}}
	ao.Global = opts.GlobalAlerts
	log := opts.Log
	ao.OnError = func(err error) { log.Error(err, "alert not delivered") }
	return alerts.NewSender(ao)
}

// alertReader reads AlertProviders from the API server (alerts are rare;
// no informer is kept for them) and their secrets.
type alertReader struct {
	reader  client.Reader
	secrets secrets
}

var _ alerts.Reader = alertReader{}

func (r alertReader) GetAlertProvider(ctx context.Context, namespace, name string) (*v1.AlertProvider, error) {
	var p v1.AlertProvider
	if err := r.reader.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

func (r alertReader) GetSecret(ctx context.Context, namespace, name string) (map[string][]byte, error) {
	return r.secrets.GetSecret(ctx, namespace, name)
}
