// Command instr is the workload behind .ci/bench/instr.sh.
package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/mxtop/mxtop/demo"
	"github.com/mxtop/mxtop/engine/parse"
	"github.com/mxtop/mxtop/engine/store"
)

// instr MODE K parses (MODE=parse) or stores (MODE=store) the first 200,000 demo lines of seed 1,
// K times over. .ci/bench/instr.sh runs it under cachegrind with K=1 and K=2: the difference is
// the exact instruction cost of doing it once. With ONLY set, only the lines that contain it are
// used (repeated to 200,000).
func main() {
	k, _ := strconv.Atoi(os.Args[2])
	g := demo.New(1, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	var buf []byte
	for i := 0; i < 200_000; i++ {
		buf = g.Append(buf)
	}
	lines := bytes.Split(bytes.TrimSuffix(buf, []byte("\n")), []byte("\n"))
	if f := os.Getenv("ONLY"); f != "" { // keep the lines that contain $ONLY, repeated to 200k
		var kept [][]byte
		for _, l := range lines {
			if bytes.Contains(l, []byte(f)) {
				kept = append(kept, l)
			}
		}
		lines = lines[:0]
		for len(lines) < 200_000 {
			lines = append(lines, kept...)
		}
		lines = lines[:200_000]
	}
	p := parse.Parser{Now: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), StableJSON: true}
	n := 0
	switch os.Args[1] {
	case "parse":
		var ev parse.Event
		for r := 0; r < k; r++ {
			for _, l := range lines {
				if p.Parse(l, time.Time{}, &ev) {
					n++
				}
			}
		}
	case "store":
		evs := make([]parse.Event, len(lines))
		for i, l := range lines {
			p.Parse(l, time.Time{}, &evs[i])
		}
		for r := 0; r < k; r++ {
			s := store.New(store.Limits{NoLines: true})
			for i := range evs {
				n += s.Add(&evs[i], lines[i])
			}
		}
	}
	fmt.Println(n)
}
