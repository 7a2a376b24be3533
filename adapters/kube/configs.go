package kube

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/utils/ptr"
)

const (
	// configTrackingAnnotation opts a ConfigMap or Secret out of tracking
	// when its value starts with "disable".
	configTrackingAnnotation = "flagger.app/config-tracking"
	configMapKind            = "configmap"
	secretKind               = "secret"
)

// trackedSecretTypes are the Secret types whose changes start an analysis.
var trackedSecretTypes = map[corev1.SecretType]bool{
	corev1.SecretTypeOpaque:    true,
	corev1.SecretTypeBasicAuth: true,
	corev1.SecretTypeSSHAuth:   true,
	corev1.SecretTypeTLS:       true,
}

// coreGetter reads ConfigMaps and Secrets (a CoreV1 client).
type coreGetter interface {
	typedcorev1.ConfigMapsGetter
	typedcorev1.SecretsGetter
}

// configRef names a ConfigMap or Secret used by a pod template.
type configRef struct {
	kind, name string
}

// key is the ref's key in status.trackedConfigs: "configmap/NAME" or "secret/NAME".
func (r configRef) key() string { return r.kind + "/" + r.name }

// configRefs collects the ConfigMaps and Secrets of a pod spec. The value
// says whether the ref is optional: it is only if every use of it is.
type configRefs map[configRef]bool

func (c configRefs) add(kind, name string, optional *bool) {
	if name == "" {
		return
	}
	ref := configRef{kind: kind, name: name}
	opt := ptr.Deref(optional, false)
	if prev, ok := c[ref]; ok {
		opt = opt && prev
	}
	c[ref] = opt
}

// sorted returns the refs in key order, so that reads and errors are deterministic.
func (c configRefs) sorted() []configRef {
	out := make([]configRef, 0, len(c))
	for r := range c {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out
}

// podConfigRefs scans the volumes (configMap, secret and projected sources)
// and the env and envFrom of containers and init containers.
func podConfigRefs(spec *corev1.PodSpec) configRefs {
	refs := configRefs{}
	for _, v := range spec.Volumes {
		if cm := v.ConfigMap; cm != nil {
			refs.add(configMapKind, cm.Name, cm.Optional)
		}
		if s := v.Secret; s != nil {
			refs.add(secretKind, s.SecretName, s.Optional)
		}
		if v.Projected == nil {
			continue
		}
		for _, src := range v.Projected.Sources {
			if cm := src.ConfigMap; cm != nil {
				refs.add(configMapKind, cm.Name, cm.Optional)
			}
			if s := src.Secret; s != nil {
				refs.add(secretKind, s.Name, s.Optional)
			}
		}
	}
	for _, c := range allContainers(spec) {
		containerConfigRefs(refs, c)
	}
	return refs
}

func containerConfigRefs(refs configRefs, c *corev1.Container) {
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			continue
		}
		if cm := e.ValueFrom.ConfigMapKeyRef; cm != nil {
			refs.add(configMapKind, cm.Name, cm.Optional)
		}
		if s := e.ValueFrom.SecretKeyRef; s != nil {
			refs.add(secretKind, s.Name, s.Optional)
		}
	}
	for _, e := range c.EnvFrom {
		if cm := e.ConfigMapRef; cm != nil {
			refs.add(configMapKind, cm.Name, cm.Optional)
		}
		if s := e.SecretRef; s != nil {
			refs.add(secretKind, s.Name, s.Optional)
		}
	}
}

// allContainers returns pointers to the init containers and containers.
func allContainers(spec *corev1.PodSpec) []*corev1.Container {
	out := make([]*corev1.Container, 0, len(spec.InitContainers)+len(spec.Containers))
	for i := range spec.InitContainers {
		out = append(out, &spec.InitContainers[i])
	}
	for i := range spec.Containers {
		out = append(out, &spec.Containers[i])
	}
	return out
}

// configSet holds the tracked ConfigMaps and Secrets of a pod template, by name.
type configSet struct {
	configMaps map[string]*corev1.ConfigMap
	secrets    map[string]*corev1.Secret
}

// readConfigs reads the tracked ConfigMaps and Secrets a pod spec uses. A
// missing optional one is skipped; a missing required one is an error.
func readConfigs(ctx context.Context, core coreGetter, ns string, spec *corev1.PodSpec) (*configSet, error) {
	set := &configSet{configMaps: map[string]*corev1.ConfigMap{}, secrets: map[string]*corev1.Secret{}}
	refs := podConfigRefs(spec)
	for _, ref := range refs.sorted() {
		if err := set.read(ctx, core, ns, ref, refs[ref]); err != nil {
			return nil, err
		}
	}
	return set, nil
}

func (s *configSet) read(ctx context.Context, core coreGetter, ns string, ref configRef, optional bool) error {
	obj, err := getConfig(ctx, core, ns, ref)
	if apierrors.IsNotFound(err) && optional {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s %s.%s get query error: %w", ref.kind, ref.name, ns, err)
	}
	switch o := obj.(type) {
	case *corev1.ConfigMap:
		if !trackingDisabled(&o.ObjectMeta) {
			s.configMaps[ref.name] = o
		}
	case *corev1.Secret:
		if trackedSecretTypes[o.Type] && !trackingDisabled(&o.ObjectMeta) {
			s.secrets[ref.name] = o
		}
	}
	return nil
}

func getConfig(ctx context.Context, core coreGetter, ns string, ref configRef) (any, error) {
	if ref.kind == configMapKind {
		return core.ConfigMaps(ns).Get(ctx, ref.name, metav1.GetOptions{})
	}
	return core.Secrets(ns).Get(ctx, ref.name, metav1.GetOptions{})
}

func trackingDisabled(meta *metav1.ObjectMeta) bool {
	return strings.HasPrefix(meta.Annotations[configTrackingAnnotation], "disable")
}

// checksums maps "configmap/NAME" and "secret/NAME" to the checksum of the
// object's data (see the package documentation).
func (s *configSet) checksums() (map[string]string, error) {
	out := make(map[string]string, len(s.configMaps)+len(s.secrets))
	for name, cm := range s.configMaps {
		var data any = cm.Data
		if len(cm.BinaryData) > 0 {
			data = struct {
				Data       map[string]string `json:"data"`
				BinaryData map[string][]byte `json:"binaryData"`
			}{cm.Data, cm.BinaryData}
		}
		sum, err := checksum(data)
		if err != nil {
			return nil, fmt.Errorf("checksum of configmap %s.%s failed: %w", name, cm.Namespace, err)
		}
		out[configRef{configMapKind, name}.key()] = sum
	}
	for name, sec := range s.secrets {
		sum, err := checksum(sec.Data)
		if err != nil {
			return nil, fmt.Errorf("checksum of secret %s.%s failed: %w", name, sec.Namespace, err)
		}
		out[configRef{secretKind, name}.key()] = sum
	}
	return out, nil
}

// checksum is the hex of the first 8 bytes of SHA-256 over the JSON of data.
func checksum(data any) (string, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8]), nil
}

// UsesConfig reports whether a pod spec uses the ConfigMap (kind
// "configmap") or Secret (kind "secret") named name, in a volume, an env
// or an envFrom of any container.
func UsesConfig(spec *corev1.PodSpec, kind, name string) bool {
	_, ok := podConfigRefs(spec)[configRef{kind: kind, name: name}]
	return ok
}
