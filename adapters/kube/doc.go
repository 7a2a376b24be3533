// Package kube implements the core's workload port, and the Services half of
// its router port, with client-go.
//
// # Workload
//
// [Workload] manages a Canary's target Deployment and the -primary copy that
// serves production traffic (Flagger's DeploymentController, for OSM):
//
//   - Observe reads the target: its selector label, the hash of its pod
//     template and, with config tracking, a checksum of every ConfigMap and
//     Secret the template uses.
//   - EnsurePrimary creates <target>-primary, and -primary copies of the
//     tracked ConfigMaps and Secrets, the first time.
//   - EnsurePrimaryScaler creates <hpa>-primary, and updates it when it drifts.
//   - Status maps a Deployment to decide.DeploymentStatus for readiness.
//   - ScaleToZero, ScaleFromZero and Promote move replicas and the template.
//
// # Template hash
//
// The revision of a target is identified by [TemplateHash]: FNV-32a over the
// JSON encoding of spec.template, its decimal sum encoded with
// k8s.io/apimachinery's rand.SafeEncodeString. Flagger hashes a spew dump of
// the Go struct instead, so the two hashes differ: a Canary's
// status.lastAppliedSpec written by Flagger does not match Fledge's, and the
// first tick after switching controllers sees a new revision. The JSON
// encoding names fields by their API names and omits empty optional ones, so
// the hash does not move when a client-go upgrade adds or reorders struct
// fields (Flagger's spew hash does: docs/flagger-compatibility.md, Known Flagger bugs).
//
// # Config tracking
//
// A checksum is the hex of the first 8 bytes of SHA-256 over the JSON of the
// object's data. For a Secret that is its data. For a ConfigMap it is its data
// alone when binaryData is empty (the same value as Flagger's) and the JSON of
// {"data", "binaryData"} otherwise, so that a binaryData change is a new
// revision too. Only Secrets of type Opaque, basic-auth, ssh-auth and tls are
// tracked; objects whose flagger.app/config-tracking annotation starts with
// "disable" are not. A missing optional ConfigMap or Secret is skipped; a
// missing required one is an error on every Observe.
//
// With tracking on, the primary uses -primary copies of the tracked objects
// (created with the primary and refreshed on every promotion); references to
// untracked ones (say a service-account token) are left as they are.
//
// # Services
//
// [Services] creates and updates the apex, -primary and -canary Services. An
// existing apex Service the Canary does not own is taken over: its selector
// and ports are overwritten and its metadata left alone, and it gains no owner
// reference, so deleting the Canary does not delete it.
package kube
