// Command backfillbench reads a container's whole log history once through the Docker source and
// prints how many lines it delivered and how fast, for .ci/bench/docker-backfill.sh:
//
//	backfillbench -container NAME [-api]
//
// -api back-fills through the daemon's log API instead of the json-file log.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"time"

	"github.com/mxtop/mxtop/engine/source"
)

func main() {
	name := flag.String("container", "mxtop-bench-backfill", "container to read")
	api := flag.Bool("api", false, "back-fill through the API, not the json-file log")
	prof := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			fmt.Fprintln(os.Stderr, "backfillbench:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	src := source.NewDocker(source.DockerOptions{Container: *name, NoJSONFile: *api})
	out := make(chan source.Batch, 8)
	errc := make(chan error, 1)
	start := time.Now()
	go func() { errc <- src.Run(ctx, out); close(out) }()
	var lines, bytes int64
	var last source.Status
	for b := range out {
		lines += int64(len(b.Lines))
		for _, l := range b.Lines {
			bytes += int64(len(l.Text))
		}
		if b.Status != nil {
			last = *b.Status
		}
	}
	if err := <-errc; err != nil {
		fmt.Fprintln(os.Stderr, "backfillbench:", err)
		stop()
		pprof.StopCPUProfile()
		os.Exit(1)
	}
	d := time.Since(start)
	fmt.Printf("%d lines %d bytes in %.3fs = %.0f lines/s (skipped %d, truncated %d)\n",
		lines, bytes, d.Seconds(), float64(lines)/d.Seconds(), last.Skipped, last.Truncated)
}
