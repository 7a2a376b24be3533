// Command printversion prints version.String(); version_test.go builds it
// with and without the -ldflags stamp.
package main

import (
	"fmt"

	"github.com/fledge-canary/fledge/internal/version"
)

func main() {
	fmt.Println(version.String())
}
