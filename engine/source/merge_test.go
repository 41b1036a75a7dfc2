package source

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// failing is a source that fails at once.
type failing struct{}

func (failing) Name() string { return "failing" }
func (failing) Run(context.Context, chan<- Batch) error {
	return errors.New("open /x: permission denied")
}

func TestMerge_AllLinesAndDoneSummary(t *testing.T) {
	src := Merge(NewReader("a", strings.NewReader("a1\na2\n")), NewReader("b", strings.NewReader("b1\n")))
	if src.Name() != "a, b" {
		t.Fatalf("name %q", src.Name())
	}
	got, st := collect(t, src)
	slices.Sort(got)
	if strings.Join(got, ",") != "a1,a2,b1" || st.State != StateDone || st.Source != "a, b" {
		t.Fatalf("lines %q, status %+v", got, st)
	}
}

func TestMerge_FirstErrorWinsAndStopsOthers(t *testing.T) {
	p := t.TempDir() + "/mail.log"
	appendFile(t, p, "x\n")
	f := newTestFile(p, false) // would follow forever
	out := make(chan Batch, 16)
	err := Merge(f, failing{}).Run(t.Context(), out)
	if err == nil || err.Error() != "open /x: permission denied" {
		t.Fatalf("err = %v", err)
	}
}
