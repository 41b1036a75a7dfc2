package main

import (
	"errors"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/mxtop/mxtop/engine/source"
)

// pipeBytes is the buffer asked for a pipe on stdin: Linux's limit for unprivileged processes.
const pipeBytes = 1 << 20

// openSource builds the source the flags choose. A positional FILE or "-" (stdin), --stdin or
// --file wins over --container.
//
// follow is true for the live TUI and false for one-shot commands (mxtop report):
//
//   - stdin ("-" or --stdin) is read to its end either way;
//   - a positional FILE is read once without follow, and read then followed (tail -F) with it;
//   - --file PATH (repeatable) is followed like tail -F with follow and read once without it. With
//     --since 0 ("all") or a positive --since it first reads the whole file (a plain log has no
//     reliable per-line time at this layer; the engine windows by the lines' own headers); a
//     negative --since (e.g. --since=-1s) starts at the end, like tail -F -n 0;
//   - --container NAME back-fills --since of history (json-file log when readable, else the API)
//     and, with follow, keeps following it through restarts and re-creates; without follow it
//     returns after the back-fill.
//
// Errors are one line: "open /x: no such file or directory", "cannot reach the Docker daemon at
// unix:///var/run/docker.sock: permission denied (…)". A missing container is reported when the
// source runs, by its Run error.
func openSource(f SourceFlags, paths []string, stdin io.Reader, follow bool) (source.Source, error) {
	useStdin := f.Stdin
	var files []string
	for _, p := range paths {
		if p == "-" {
			useStdin = true
		} else {
			files = append(files, p)
		}
	}
	if useStdin && (len(files) > 0 || len(f.File) > 0) {
		return nil, errors.New("read either standard input or files, not both")
	}
	if useStdin {
		if stdin == nil {
			return nil, errors.New("no standard input to read")
		}
		return source.NewReader("stdin", pollable(stdin)), nil
	}
	var srcs []source.Source
	fail := func(err error) (source.Source, error) {
		for _, s := range srcs {
			if r, ok := s.(*source.Reader); ok {
				r.Close()
			}
		}
		return nil, err
	}
	for _, p := range files {
		if follow {
			if err := readable(p); err != nil {
				return fail(err)
			}
			srcs = append(srcs, source.NewFile(p, true))
			continue
		}
		r, err := source.OpenFile(p)
		if err != nil {
			return fail(err)
		}
		srcs = append(srcs, r)
	}
	for _, p := range f.File {
		if follow {
			if err := readable(p); err != nil {
				return fail(err)
			}
			srcs = append(srcs, source.NewFile(p, f.Since >= 0))
			continue
		}
		r, err := source.OpenFile(p)
		if err != nil {
			return fail(err)
		}
		srcs = append(srcs, r)
	}
	if len(srcs) > 0 {
		return source.Merge(srcs...), nil
	}
	if f.Container == "" {
		return nil, errors.New("no log source: give a FILE, -, --file PATH or --container NAME")
	}
	return source.NewDocker(source.DockerOptions{
		Container: f.Container,
		Since:     max(f.Since, 0),
		Follow:    follow,
	}), nil
}

// readable checks at start that a file to follow can be opened, so a typo is a one-line error
// before the TUI starts rather than a failed status inside it.
func readable(path string) error {
	r, err := source.OpenFile(path) // also refuses a directory
	if err != nil {
		return err
	}
	return r.Close()
}

// pollable makes a pipe on stdin cancellable: Go can only interrupt a blocked read of a file in
// non-blocking mode (through its poller). A terminal or a regular file is returned as it is
// (O_NONBLOCK on a terminal would leak into the shell after mxtop exits).
//
// A pipe's buffer is also grown to pipeBytes, when the system allows it: with Linux's default of
// 64 KiB, `docker logs mailserver | mxtop report -` reads a quarter of a batch per wake-up, and
// the writer stalls as soon as mxtop falls behind by 64 KiB.
func pollable(r io.Reader) io.Reader {
	f, ok := r.(*os.File)
	if !ok {
		return r
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&(os.ModeNamedPipe|os.ModeSocket) == 0 {
		return r
	}
	fd := f.Fd()
	if st.Mode()&os.ModeNamedPipe != 0 {
		// Best effort: an unprivileged process may not pass /proc/sys/fs/pipe-max-size (1 MiB
		// by default), and then the pipe keeps its size.
		_, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, pipeBytes)
	}
	if err := syscall.SetNonblock(int(fd), true); err != nil {
		return r
	}
	return os.NewFile(fd, f.Name())
}
