package main

import (
	"errors"
	"io"
	"os"
	"syscall"

	"github.com/mxtop/mxtop/engine/source"
)

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
	if err := syscall.SetNonblock(int(fd), true); err != nil {
		return r
	}
	return os.NewFile(fd, f.Name())
}
