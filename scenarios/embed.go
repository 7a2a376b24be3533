// Package scenarios is Fledge's scenario corpus: the tutorial's runs and the
// reference traces of Flagger's behaviour, with the manifests they use,
// embedded so that `fledge sim` replays them anywhere and `make test`
// replays every one.
package scenarios

import "embed"

// FS holds the scenario files (*.yaml) and their manifests (manifests/).
//
//go:embed *.yaml manifests/*.yaml
var FS embed.FS
