package webhook_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/fledge-canary/fledge/adapters/webhook"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

func ExampleCaller_Call() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Println(string(body))
		http.Error(w, "Forbidden", http.StatusForbidden)
	}))
	defer srv.Close()

	hook := v1.CanaryWebhook{Name: "gate", Type: v1.ConfirmRolloutHook, URL: srv.URL}
	err := webhook.New(webhook.Options{}).Call(context.Background(), hook, engine.Payload{
		Name: "podinfo", Namespace: "default", Phase: v1.PhaseProgressing, Checksum: "7dcbc67dc5",
	})
	fmt.Println("refused:", err)
	// Output:
	// {"name":"podinfo","namespace":"default","phase":"Progressing","checksum":"7dcbc67dc5"}
	// refused: Forbidden
}
