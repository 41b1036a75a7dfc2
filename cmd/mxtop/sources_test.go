package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mxtop/mxtop/engine/source"
)

func TestOpenSource_Choice(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	if err := os.WriteFile(log, []byte("l1\nl2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	def := SourceFlags{Container: "mailserver", Since: 24 * time.Hour}
	cases := []struct {
		name     string
		flags    SourceFlags
		paths    []string
		follow   bool
		wantName string
		wantErr  string
	}{
		{"container by default", def, nil, true, "container mailserver", ""},
		{"dash is stdin", def, []string{"-"}, false, "stdin", ""},
		{"--stdin", SourceFlags{Container: "mailserver", Stdin: true}, nil, true, "stdin", ""},
		{"positional file once", def, []string{log}, false, "file " + log, ""},
		{"positional file followed", def, []string{log}, true, "file " + log, ""},
		{"--file wins over --container", SourceFlags{Container: "mailserver", File: []string{log, log}}, nil, true, "file " + log + ", file " + log, ""},
		{"missing file", def, []string{"/nonexistent/mail.log"}, false, "", "open /nonexistent/mail.log: no such file or directory"},
		{"missing followed file", SourceFlags{File: []string{"/nonexistent/x"}}, nil, true, "", "open /nonexistent/x: no such file or directory"},
		{"directory", def, []string{dir}, false, "", "open " + dir + ": is a directory"},
		{"stdin and file", def, []string{"-", log}, false, "", "read either standard input or files, not both"},
		{"nothing", SourceFlags{}, nil, true, "", "no log source: give a FILE, -, --file PATH or --container NAME"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, err := openSource(c.flags, c.paths, strings.NewReader("s1\n"), c.follow)
			if c.wantErr != "" {
				if err == nil || err.Error() != c.wantErr {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if src.Name() != c.wantName {
				t.Fatalf("name %q, want %q", src.Name(), c.wantName)
			}
		})
	}
}

func TestOpenSource_ReportReadsFileOnceAndEnds(t *testing.T) {
	log := filepath.Join(t.TempDir(), "mail.log")
	if err := os.WriteFile(log, []byte("l1\nl2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := openSource(SourceFlags{Since: 24 * time.Hour}, []string{log}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan source.Batch, 16)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := src.Run(ctx, out); err != nil {
		t.Fatal(err)
	}
	close(out)
	var lines []string
	for b := range out {
		for _, l := range b.Lines {
			lines = append(lines, string(l.Text))
		}
	}
	if strings.Join(lines, ",") != "l1,l2" {
		t.Fatalf("lines %q", lines)
	}
}

// A pipe inherited as stdin is in blocking mode, where Go cannot interrupt a read; openSource
// switches it to non-blocking so that quitting the TUI does not hang until the writer sends more.
func TestOpenSource_StdinPipeIsCancellable(t *testing.T) {
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil { // blocking, like an inherited stdin
		t.Fatal(err)
	}
	r, w := os.NewFile(uintptr(fds[0]), "stdin"), os.NewFile(uintptr(fds[1]), "writer")
	defer w.Close()
	defer r.Close()
	src, err := openSource(SourceFlags{}, []string{"-"}, r, true)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	out := make(chan source.Batch, 8)
	errc := make(chan error, 1)
	go func() { errc <- src.Run(ctx, out) }()
	w.Write([]byte("one\n"))
	for b := range out {
		if len(b.Lines) > 0 {
			break
		}
	}
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run still blocked in a read after cancel")
	}
}

// A pipe on stdin gets a buffer of pipeBytes instead of Linux's 64 KiB, so a fast writer
// (docker logs, cat) is not stopped every 64 KiB and each read fills more of a batch.
func TestOpenSource_StdinPipeGrown(t *testing.T) {
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		t.Fatal(err)
	}
	r, w := os.NewFile(uintptr(fds[0]), "stdin"), os.NewFile(uintptr(fds[1]), "writer")
	defer w.Close()
	defer r.Close()
	if before, err := unix.FcntlInt(w.Fd(), unix.F_GETPIPE_SZ, 0); err != nil || before >= pipeBytes {
		t.Fatalf("a new pipe holds %d bytes (%v): the test needs a smaller default", before, err)
	}
	if _, err := openSource(SourceFlags{}, []string{"-"}, r, false); err != nil {
		t.Fatal(err)
	}
	if after, err := unix.FcntlInt(w.Fd(), unix.F_GETPIPE_SZ, 0); err != nil || after < pipeBytes {
		t.Fatalf("the pipe holds %d bytes after openSource (%v), want %d", after, err, pipeBytes)
	}
}
