// Command etcd is the etcd server, built from go.etcd.io/etcd/server/v3 for
// controller-runtime's envtest (see hack/envtest.sh). It is what etcd's own main does.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
