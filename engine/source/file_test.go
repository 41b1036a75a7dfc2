package source

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func appendFile(t *testing.T, path, data string) {
	t.Helper()
	fh, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fh.WriteString(data); err != nil {
		t.Fatal(err)
	}
	fh.Close()
}

func newTestFile(path string, history bool) *File {
	f := NewFile(path, history)
	f.poll = 2 * time.Millisecond
	return f
}

func TestFile_StartsAtEndWithoutHistory(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mail.log")
	appendFile(t, p, "old1\nold2\n")
	s, _, _ := startSource(t, newTestFile(p, false))
	s.waitState(t, StateFollowing)
	appendFile(t, p, "new1\nnew2\n")
	expectLines(t, s.waitLines(t, 2), "new1", "new2")
}

func TestFile_HistoryThenFollowAcrossRenameAndTruncation(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mail.log")
	appendFile(t, p, "h1\nh2\n")
	s, _, _ := startSource(t, newTestFile(p, true))
	s.waitState(t, StateFollowing)
	expectLines(t, s.waitLines(t, 2), "h1", "h2")

	appendFile(t, p, "a1\npartial-before-rotate")
	s.waitLines(t, 3)
	// logrotate (rename): the writer finishes its line in the old file, then a new file appears.
	if err := os.Rename(p, p+".1"); err != nil {
		t.Fatal(err)
	}
	appendFile(t, p+".1", " done\n")
	appendFile(t, p, "b1\nb2\n")
	s.waitLines(t, 6)

	// copytruncate: the same file is emptied and written again from the start.
	if err := os.Truncate(p, 0); err != nil {
		t.Fatal(err)
	}
	appendFile(t, p, "c1\n")
	got := s.waitLines(t, 7)
	expectLines(t, got, "h1", "h2", "a1", "partial-before-rotate done", "b1", "b2", "c1")
}

func TestFile_MissingAtStartIsOneLine(t *testing.T) {
	err := NewFile("/nonexistent/mail.log", true).Run(t.Context(), make(chan Batch, 1))
	if err == nil || err.Error() != "open /nonexistent/mail.log: no such file or directory" {
		t.Fatalf("err = %v", err)
	}
}

func TestFile_CancelReturns(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mail.log")
	appendFile(t, p, "x\n")
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	out := make(chan Batch, 8)
	go func() { errc <- newTestFile(p, true).Run(ctx, out) }()
	cancel()
	if err := runResult(t, errc); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v", err)
	}
}
