package prometheus

import (
	"encoding/json"
	"errors"
	"html"
	"math"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fledge-canary/fledge/adapters/prometheus/promtest"
	"github.com/fledge-canary/fledge/core/engine"
)

// FuzzDecode feeds arbitrary answers to the response handling: decode for
// a 200, errorBody for a status >= 400, and scrub on every error, with
// planted credentials the body may carry, raw or encoded. It checks that a
// value comes only from a valid "success" answer and is never NaN, that no
// credential survives in an error in any form, and that every error is
// bounded and valid UTF-8 whenever the body is.
func FuzzDecode(f *testing.F) {
	for _, body := range []string{
		promtest.Vector("99.5"), promtest.Vector(), promtest.Vector("NaN"), promtest.Vector("+Inf"),
		promtest.Vector("1", "2"), promtest.Vector("Bearer " + planted.Token),
		`{"status":"success","data":{"resultType":"scalar","result":[1,"42"]}}`,
		`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]]}]}}`,
		`{"status":"error","errorType":"bad_data","error":"auth ` + planted.Password + `"}`,
		`{"status":"success","data":{"resultType":"` + planted.Username + `","result":[]}}`,
		`{"status":"error","errorType":"bad_data","error":"auth ` + url.QueryEscape(planted.Token) + `"}`,
		`{"status":"error","errorType":"bad_data","error":"auth ` + html.EscapeString(planted.Password) + `"}`,
		`{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,100]}]}}`,
		`{"status":"success","data":{"resultType":"vector","result":null}}`,
		`{"status":"success","data":`, "<html>", "",
	} {
		f.Add([]byte(body))
	}
	secrets := []string{planted.Token, planted.Password, planted.Basic(), planted.Username}
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := decode(body)
		if err == nil {
			checkValue(t, body, v)
		}
		checkErrorText(t, body, scrub(err, secrets), errorTextBytesMax)
		checkErrorText(t, body, errors.New(errorBody(body, secrets)), errorBodyBytesMax)
	})
}

func checkValue(t *testing.T, body []byte, v float64) {
	t.Helper()
	var r response
	if json.Unmarshal(body, &r) != nil || r.Status != "success" {
		t.Fatalf("a value %v from an answer that is not a success: %q", v, body)
	}
	if math.IsNaN(v) {
		t.Fatalf("NaN returned as a value from %q", body)
	}
}

func checkErrorText(t *testing.T, body []byte, err error, bytesMax int) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	if len(msg) > bytesMax+len("…(truncated)") {
		t.Errorf("an error of %d bytes", len(msg))
	}
	if utf8.Valid(body) && !utf8.ValidString(msg) {
		t.Errorf("a valid UTF-8 body gave an invalid error text %q", msg)
	}
	for _, s := range planted.Forms() {
		if strings.Contains(msg, s) {
			t.Errorf("the error shows %q: %q", s, msg)
		}
	}
	if errors.Is(err, engine.ErrNoValues) && msg != "no values found" {
		t.Errorf("ErrNoValues as %q", msg)
	}
}
