package loadtester_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/fledge-canary/fledge/loadtester"
)

// A manual gate: closed until opened.
func ExampleServer_Handler() {
	lt, err := loadtester.New(loadtester.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(lt.Handler())
	defer srv.Close()
	for _, path := range []string{"/gate/check", "/gate/open", "/gate/check"} {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(`{"name":"podinfo","namespace":"test"}`)) //nolint:noctx // example
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%s %d %s\n", path, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	// Output:
	// /gate/check 403 Forbidden
	// /gate/open 202 podinfo.test opened
	// /gate/check 200 Approved
}
