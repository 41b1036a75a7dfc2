package source

import (
	"testing"

	"github.com/mxtop/mxtop/engine/source/jsonfile"
)

func TestJSONFile_LimitsAgree(t *testing.T) {
	if jsonfile.DefaultMax != MaxLineBytes {
		t.Fatalf("jsonfile.DefaultMax %d != MaxLineBytes %d", jsonfile.DefaultMax, MaxLineBytes)
	}
	text, ts, ok := DecodeJSONFileRecord([]byte(`{"log":"a\n","stream":"stdout","time":"2026-11-27T12:00:01Z"}`), nil)
	if !ok || string(text) != "a" || ts.Second() != 1 {
		t.Fatalf("%q %v %v", text, ts, ok)
	}
}
