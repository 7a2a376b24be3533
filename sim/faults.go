package sim

import (
	"context"

	"github.com/fledge-canary/fledge/core/engine"
)

// faultState is the fault injection of one run.
type faultState struct{}

// controllerTick runs the controller's tick.
func (r *run) controllerTick(ctx context.Context) (engine.Result, error) {
	return r.engine.Tick(ctx, r.canary, r.now)
}
