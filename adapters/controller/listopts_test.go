package controller_test

import (
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

func ctrlClientInNamespace(ns string) client.ListOption { return client.InNamespace(ns) }

func replaceAll(s, old, repl string) string { return strings.ReplaceAll(s, old, repl) }
